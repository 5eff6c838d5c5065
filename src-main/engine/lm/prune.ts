/**
 * Making a backoff model smaller while keeping it a proper distribution: dropping n-grams, then
 * recomputing every backoff weight so that each context's probabilities still sum to 1.
 */
import { HarkError } from '../errors';
import { Float32LogTable } from './log-table';
import { NgramModel, type NgramEntries } from './ngram-model';

/**
 * Recomputes the backoff weights of a float32 model in place, lowest order first, so that for
 * every context h: Σ_w P(w | h) = 1, i.e.
 * bo(h) = (1 − Σ_{hw listed} P(w | h)) / (1 − Σ_{hw listed} P(w | h')), h' = h without its
 * oldest word. A context without listed extensions gets bo = 1 (log 0).
 *
 * @example
 * recomputeBackoffs(NgramModel.fromEntries(keptEntries, 'pruned'));
 */
export function recomputeBackoffs(model: NgramModel): void {
  for (let k = 0; k < model.order - 1; k++) {
    const level = model.levels[k]!;
    const next = model.levels[k + 1]!;
    if (!(level.backoff instanceof Float32LogTable)) {
      throw new HarkError('INVALID_ARGUMENT', 'backoff weights of a loaded binary model are fixed');
    }
    const backoff = level.backoff.values;
    const starts = level.childStart!;
    const rows = model.rows(k + 1);
    const width = k + 1;
    for (let i = 0; i < level.count; i++) {
      const from = starts[i]!;
      const to = starts[i + 1]!;
      if (from === to) {
        backoff[i] = 0;
        continue;
      }
      const shorter = rows.subarray(i * width + 1, (i + 1) * width);
      let listed = 0;
      let lower = 0;
      for (let j = from; j < to; j++) {
        const word = next.words![j]!;
        listed += 10 ** next.prob.get(j);
        lower += 10 ** model.logProb10(shorter, word);
      }
      const numerator = Math.max(1 - listed, 1e-12);
      const denominator = Math.max(1 - lower, 1e-12);
      backoff[i] = Math.log10(numerator / denominator);
    }
  }
}

/**
 * The entries of a model without the n-grams `keep` marks 0 (one mask per order; unigrams are
 * always kept), as a new float32 model with recomputed backoff weights. The caller keeps every
 * prefix of a kept n-gram.
 *
 * @example
 * const smaller = selectNgrams(model, masks);
 */
export function selectNgrams(model: NgramModel, keep: readonly Uint8Array[]): NgramModel {
  const entries = model.toEntries();
  const selected: NgramEntries = {
    vocabulary: entries.vocabulary,
    orders: entries.orders.map((entry, k) => {
      const mask = keep[k];
      if (k === 0 || !mask) return entry;
      const n = k + 1;
      const count = mask.reduce((sum, flag) => sum + flag, 0);
      const ids = new Uint32Array(count * n);
      const prob = new Float32Array(count);
      const backoff = entry.backoff ? new Float32Array(count) : undefined;
      let j = 0;
      for (let i = 0; i < mask.length; i++) {
        if (!mask[i]) continue;
        ids.set(entry.ids.subarray(i * n, (i + 1) * n), j * n);
        prob[j] = entry.prob[i]!;
        if (backoff) backoff[j] = entry.backoff![i]!;
        j++;
      }
      return { ids, prob, ...(backoff ? { backoff } : {}) };
    }),
  };
  const pruned = NgramModel.fromEntries(selected, model.source);
  recomputeBackoffs(pruned);
  return pruned;
}

export interface EntropyPruningReport {
  model: NgramModel;
  /** N-grams per order before and after. */
  before: number[];
  after: number[];
}

/**
 * Relative-entropy pruning (Stolcke 1998, as SRILM's `-prune`): an n-gram (h, w) is dropped when
 * letting it back off raises the model's perplexity by less than `threshold` (relative, e.g.
 * 1e-8), estimated per n-gram as
 * ΔH = −P(h)·{ P(w|h)·[ln P'(w|h) − ln P(w|h)] + [ln bo'(h) − ln bo(h)]·(1 − Σ_{hv listed} P(v|h)) },
 * with P'(w|h) = bo'(h)·P(w|h') and P(h) the model's probability of the history. Highest order
 * first; an n-gram that still has longer n-grams is kept. Unigrams are never pruned.
 *
 * @example
 * const { model: smaller } = pruneByEntropy(model, 1e-8);
 */
export function pruneByEntropy(model: NgramModel, threshold: number): EntropyPruningReport {
  const keep = model.levels.map((level) => new Uint8Array(level.count).fill(1));
  const historyLog10 = historyProbabilities(model);
  for (let k = model.order - 1; k >= 1; k--) {
    const parentLevel = model.levels[k - 1]!;
    const level = model.levels[k]!;
    const childLevel = model.levels[k + 1];
    const starts = parentLevel.childStart!;
    const parentRows = model.rows(k);
    for (let h = 0; h < parentLevel.count; h++) {
      const from = starts[h]!;
      const to = starts[h + 1]!;
      if (from === to) continue;
      const shorter = parentRows.subarray(h * k + 1, (h + 1) * k);
      let listed = 0;
      let lowerListed = 0;
      const lower = new Float64Array(to - from);
      for (let j = from; j < to; j++) {
        listed += 10 ** level.prob.get(j);
        lower[j - from] = 10 ** model.logProb10(shorter, level.words![j]!);
        lowerListed += lower[j - from]!;
      }
      const history = 10 ** historyLog10[k - 1]![h]!;
      const lnBackoff = parentLevel.backoff!.get(h) * Math.LN10;
      for (let j = from; j < to; j++) {
        if (childLevel && hasKeptChild(level.childStart!, keep[k + 1]!, j)) continue;
        const p = 10 ** level.prob.get(j);
        const pLower = lower[j - from]!;
        const newBackoff = (1 - listed + p) / (1 - lowerListed + pLower);
        if (!(newBackoff > 0)) continue;
        const lnNewBackoff = Math.log(newBackoff);
        const deltaEntropy =
          -history *
          (p * (Math.log(pLower) + lnNewBackoff - Math.log(p)) +
            (lnNewBackoff - lnBackoff) * (1 - listed));
        if (Math.expm1(deltaEntropy) < threshold) keep[k]![j] = 0;
      }
    }
  }
  const pruned = selectNgrams(model, keep);
  return { model: pruned, before: model.counts, after: pruned.counts };
}

function hasKeptChild(starts: Uint32Array, keptChildren: Uint8Array, index: number): boolean {
  for (let c = starts[index]!; c < starts[index + 1]!; c++) if (keptChildren[c]) return true;
  return false;
}

/**
 * log10 P(h) for every entry h of orders 1..N − 1 by the chain rule (P(<s>) = 1, since every
 * sentence starts with it).
 */
function historyProbabilities(model: NgramModel): Float64Array[] {
  const out: Float64Array[] = [];
  for (let k = 1; k < model.order; k++) {
    const rows = model.rows(k);
    const values = new Float64Array(model.levels[k - 1]!.count);
    for (let i = 0; i < values.length; i++) {
      const row = rows.subarray(i * k, (i + 1) * k);
      if (k === 1) {
        values[i] = row[0] === model.beginId ? 0 : model.levels[0]!.prob.get(i);
      } else {
        const parent = model.find(row, 0, k - 1);
        values[i] = out[k - 2]![parent]! + model.logProb10(row.subarray(0, k - 1), row[k - 1]!);
      }
    }
    out.push(values);
  }
  return out;
}
