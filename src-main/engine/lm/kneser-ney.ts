/**
 * Interpolated modified Kneser-Ney estimation (Chen & Goodman 1998, as KenLM's lmplz does it):
 *
 * - Adjusted counts: the highest order and n-grams that begin with `<s>` keep their counts; every
 *   other lower-order n-gram counts the distinct words seen before it (its continuation count).
 * - Discounts per order from the count-of-counts n1..n4 of the adjusted counts:
 *   Y = n1 / (n1 + 2·n2), D1 = 1 − 2Y·n2/n1, D2 = 2 − 3Y·n3/n2, D3+ = 3 − 4Y·n4/n3.
 * - p(w | h) = (a(hw) − D(a(hw))) / a(h·) + γ(h)·p(w | h'), with
 *   γ(h) = (D1·N1(h·) + D2·N2(h·) + D3+·N3+(h·)) / a(h·), down to unigrams interpolated with the
 *   uniform distribution over the vocabulary (without `<s>`, with `</s>` and `<unk>`, so `<unk>`
 *   gets the leftover mass). γ(h) is the backoff weight of h.
 */
import { HarkError } from '../errors';
import {
  LOG10_ZERO,
  NgramModel,
  SENTENCE_BEGIN,
  SENTENCE_END,
  UNKNOWN_WORD,
  type NgramOrderEntries,
} from './ngram-model';
import { countRows, findRow, type CountedRows } from './ngram-rows';
import { recomputeBackoffs } from './prune';

export interface KneserNeyOptions {
  /** Longest n-gram, e.g. 3 or 4. */
  order: number;
  /**
   * Count cut-offs: an n-gram of order n is kept only if its adjusted count is at least
   * minCounts[n − 1] (or it is the prefix of a kept longer n-gram). Unigrams are always kept.
   * Default: keep everything.
   */
  minCounts?: readonly number[];
  /** D1, D2, D3+ for an order whose count-of-counts cannot give valid ones. KenLM's 0.5 1 1.5. */
  fallbackDiscounts?: readonly [number, number, number];
}

export interface KneserNeyResult {
  model: NgramModel;
  /** [D1, D2, D3+] per order. */
  discounts: [number, number, number][];
  /** [n1, n2, n3, n4] of the adjusted counts per order. */
  countOfCounts: [number, number, number, number][];
  /** Whether an order used the fallback discounts. */
  fallbackUsed: boolean[];
  /** N-grams per order before the count cut-offs. */
  ngramCounts: number[];
  /** Adjusted counts per order, aligned with `countedRows` (for tests and reports). */
  adjusted: CountedRows[];
}

const DEFAULT_FALLBACK: readonly [number, number, number] = [0.5, 1, 1.5];

/**
 * Modified Kneser-Ney discounts from count-of-counts; undefined when they are not valid
 * (a count-of-count is zero, or a discount falls outside (0, c)).
 *
 * @example
 * kneserNeyDiscounts([100, 40, 20, 10]); // [0.5556, 1.1667, 1.8889] (Y = 100/180)
 */
export function kneserNeyDiscounts(
  countOfCounts: readonly [number, number, number, number],
): [number, number, number] | undefined {
  const [n1, n2, n3, n4] = countOfCounts;
  if (n1 === 0 || n2 === 0 || n3 === 0 || n4 === 0) return undefined;
  const y = n1 / (n1 + 2 * n2);
  const d: [number, number, number] = [
    1 - (2 * y * n2) / n1,
    2 - (3 * y * n3) / n2,
    3 - (4 * y * n4) / n3,
  ];
  return d.every((value, i) => value > 0 && value < i + 1) ? d : undefined;
}

/**
 * Builds an interpolated modified Kneser-Ney model from tokenised sentences (each an array of
 * words without `<s>` / `</s>`; empty sentences are skipped), then applies the count cut-offs
 * and recomputes backoff weights so that every context still sums to 1.
 *
 * @example
 * const { model, discounts } = buildKneserNey([['the', 'cat'], ['the', 'dog']], { order: 3 });
 */
export function buildKneserNey(
  sentences: Iterable<readonly string[]>,
  options: KneserNeyOptions,
): KneserNeyResult {
  const { order } = options;
  if (!Number.isInteger(order) || order < 1 || order > 9) {
    throw new HarkError('INVALID_ARGUMENT', `n-gram order must be 1..9, got ${order}`);
  }
  const vocabulary = [SENTENCE_BEGIN, SENTENCE_END, UNKNOWN_WORD];
  const ids = new Map(vocabulary.map((word, id) => [word, id]));
  const BEGIN = 0;
  const END = 1;
  const UNKNOWN = 2;

  // Occurrences: all n-grams of the highest order, and the lower-order ones that begin a sentence.
  const top: number[] = [];
  const starts: number[][] = Array.from({ length: order }, () => []);
  for (const sentence of sentences) {
    if (sentence.length === 0) continue;
    const tokens = [BEGIN];
    for (const word of sentence) {
      const known = ids.get(word);
      if (word === '' || /\s/.test(word) || (known !== undefined && known < 3)) {
        throw new HarkError('INVALID_ARGUMENT', `cannot count the word "${word}"`);
      }
      let id = known;
      if (id === undefined) {
        id = vocabulary.length;
        ids.set(word, id);
        vocabulary.push(word);
      }
      tokens.push(id);
    }
    tokens.push(END);
    // N-grams end after <s>: nothing predicts it.
    for (let end = Math.max(order - 1, 1); end < tokens.length; end++) {
      for (let k = end - order + 1; k <= end; k++) top.push(tokens[k]!);
    }
    for (let n = 1; n < order && n <= tokens.length; n++) {
      for (let k = 0; k < n; k++) starts[n - 1]!.push(tokens[k]!);
    }
  }
  if (vocabulary.length === 3) throw new HarkError('INVALID_ARGUMENT', 'no words to count');

  // Adjusted counts, from the highest order down.
  const adjusted: CountedRows[] = new Array<CountedRows>(order);
  // The <s> and <unk> unigrams are listed with count 0: <s> is never predicted, <unk> is never seen.
  const special = order === 1 ? [BEGIN, UNKNOWN] : [];
  adjusted[order - 1] = countRows(
    Uint32Array.from([...top, ...special]),
    order,
    Uint32Array.from([...top.map(() => 1), ...special.map(() => 0)]),
  );
  for (let n = order - 1; n >= 1; n--) {
    const longer = adjusted[n]!;
    const suffixes = new Uint32Array(longer.length * n);
    for (let i = 0; i < longer.length; i++) {
      suffixes.set(longer.ids.subarray(i * (n + 1) + 1, (i + 1) * (n + 1)), i * n);
    }
    const continuation = countRows(suffixes, n);
    const initial = countRows(Uint32Array.from(starts[n - 1]!), n);
    // Disjoint: a suffix never begins with <s>, every initial row does.
    const merged: number[] = [];
    const weights: number[] = [];
    const add = (rows: CountedRows): void => {
      for (let i = 0; i < rows.length; i++) {
        if (n === 1 && rows.ids[i] === BEGIN) continue;
        for (let k = 0; k < n; k++) merged.push(rows.ids[i * n + k]!);
        weights.push(rows.counts[i]!);
      }
    };
    add(continuation);
    add(initial);
    if (n === 1) {
      merged.push(BEGIN, UNKNOWN);
      weights.push(0, 0);
    }
    adjusted[n - 1] = countRows(Uint32Array.from(merged), n, Uint32Array.from(weights));
  }

  const fallback = options.fallbackDiscounts ?? DEFAULT_FALLBACK;
  const countOfCounts = adjusted.map((rows) => {
    const cc: [number, number, number, number] = [0, 0, 0, 0];
    for (const count of rows.counts) if (count >= 1 && count <= 4) cc[count - 1]!++;
    return cc;
  });
  const estimated = countOfCounts.map(kneserNeyDiscounts);
  const discounts = estimated.map((d) => d ?? [...fallback]) as [number, number, number][];
  const discount = (n: number, count: number): number =>
    count === 0 ? 0 : discounts[n - 1]![Math.min(count, 3) - 1]!;

  // Probabilities (linear) and backoff weights, lowest order first.
  const prob: Float64Array[] = [];
  const backoff: Float64Array[] = adjusted.map((rows) => new Float64Array(rows.length).fill(1));
  const unigrams = adjusted[0]!;
  let total = 0;
  let left = 0;
  for (let i = 0; i < unigrams.length; i++) {
    total += unigrams.counts[i]!;
    left += discount(1, unigrams.counts[i]!);
  }
  const uniform = left / total / (vocabulary.length - 1);
  prob.push(
    Float64Array.from(unigrams.counts, (count, i) =>
      unigrams.ids[i] === BEGIN ? 0 : (count - discount(1, count)) / total + uniform,
    ),
  );
  for (let n = 2; n <= order; n++) {
    const rows = adjusted[n - 1]!;
    const lower = adjusted[n - 2]!;
    const p = new Float64Array(rows.length);
    for (let start = 0; start < rows.length;) {
      let end = start + 1;
      while (end < rows.length && sameContext(rows, start, end)) end++;
      let contextTotal = 0;
      let mass = 0;
      for (let i = start; i < end; i++) {
        contextTotal += rows.counts[i]!;
        mass += discount(n, rows.counts[i]!);
      }
      const gamma = mass / contextTotal;
      for (let i = start; i < end; i++) {
        const suffix = findRow(lower, rows.ids, i * n + 1);
        if (suffix < 0) throw new HarkError('INTERNAL', `Kneser-Ney: ${n}-gram suffix missing`);
        const count = rows.counts[i]!;
        p[i] = (count - discount(n, count)) / contextTotal + gamma * prob[n - 2]![suffix]!;
      }
      const context = findRow(lower, rows.ids, start * n);
      if (context < 0) throw new HarkError('INTERNAL', `Kneser-Ney: ${n}-gram context missing`);
      backoff[n - 2]![context] = gamma;
      start = end;
    }
    prob.push(p);
  }

  const ngramCounts = adjusted.map((rows) => rows.length);
  const keep = countCutoffs(adjusted, options.minCounts);
  const orders: NgramOrderEntries[] = adjusted.map((rows, k) => {
    const n = k + 1;
    const kept = keep[k]!;
    const count = kept.reduce((sum, flag) => sum + flag, 0);
    const out = {
      ids: new Uint32Array(count * n),
      prob: new Float32Array(count),
      backoff: n < order ? new Float32Array(count) : undefined,
    };
    let j = 0;
    for (let i = 0; i < rows.length; i++) {
      if (!kept[i]) continue;
      out.ids.set(rows.ids.subarray(i * n, (i + 1) * n), j * n);
      const isBegin = n === 1 && rows.ids[i] === BEGIN;
      out.prob[j] = isBegin ? LOG10_ZERO : Math.log10(prob[k]![i]!);
      if (out.backoff) out.backoff[j] = Math.log10(backoff[k]![i]!);
      j++;
    }
    return { ids: out.ids, prob: out.prob, ...(out.backoff ? { backoff: out.backoff } : {}) };
  });
  const model = NgramModel.fromEntries({ vocabulary, orders }, 'Kneser-Ney estimate');
  if (keep.some((kept) => kept.includes(0))) recomputeBackoffs(model);
  return {
    model,
    discounts,
    countOfCounts,
    fallbackUsed: estimated.map((d) => d === undefined),
    ngramCounts,
    adjusted,
  };
}

function sameContext(rows: CountedRows, i: number, j: number): boolean {
  const n = rows.width;
  for (let k = 0; k < n - 1; k++) if (rows.ids[i * n + k] !== rows.ids[j * n + k]) return false;
  return true;
}

/** Which rows survive the cut-offs; a row that is the prefix of a kept longer row survives too. */
function countCutoffs(
  adjusted: CountedRows[],
  minCounts: readonly number[] | undefined,
): Uint8Array[] {
  const keep = adjusted.map((rows, k) => {
    const min = k === 0 ? 0 : (minCounts?.[k] ?? 1);
    return Uint8Array.from(rows.counts, (count) => (count >= min ? 1 : 0));
  });
  for (let k = adjusted.length - 1; k >= 1; k--) {
    const rows = adjusted[k]!;
    const shorter = adjusted[k - 1]!;
    for (let i = 0; i < rows.length; i++) {
      if (!keep[k]![i]) continue;
      const prefix = findRow(shorter, rows.ids, i * (k + 1));
      if (prefix >= 0) keep[k - 1]![prefix] = 1;
    }
  }
  return keep;
}
