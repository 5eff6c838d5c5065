import { describe, expect, it } from 'vitest';
import {
  buildKneserNey,
  kneserNeyDiscounts,
  measurePerplexity,
  pruneByEntropy,
  type NgramModel,
} from '../../../src-main/engine/lm';

/** Sentences over a small vocabulary from a fixed LCG: enough repetition for counts 1..4+. */
function syntheticCorpus(sentences: number, seed: number): string[][] {
  const words = ['the', 'cat', 'sat', 'on', 'mat', 'a', 'dog', 'ran', 'far', 'away', 'slowly'];
  let state = seed;
  const next = (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
  return Array.from({ length: sentences }, () => {
    const length = 2 + next(6);
    const sentence: string[] = [];
    for (let i = 0; i < length; i++) {
      // Skewed choice: low indices are frequent, so counts of every size occur.
      sentence.push(words[Math.min(next(words.length), next(words.length))]!);
    }
    return sentence;
  });
}

/** Sentences with structure (determiner noun verb preposition determiner noun). */
function structuredCorpus(sentences: number, seed: number): string[][] {
  const slots = [
    ['the', 'a'],
    ['cat', 'dog', 'bird', 'child'],
    ['sat', 'slept', 'waited', 'sang'],
    ['on', 'under', 'near'],
    ['the', 'a'],
    ['mat', 'tree', 'house', 'table', 'river'],
  ];
  let state = seed;
  return Array.from({ length: sentences }, () =>
    slots.map((choices) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return choices[state % choices.length]!;
    }),
  );
}

/**
 * A direct, map-based interpolated modified Kneser-Ney (written from the formulas, not from the
 * implementation under test): P(w | h) for any history h.
 */
function referenceKneserNey(corpus: string[][], order: number) {
  const raw = new Map<string, number>();
  for (const sentence of corpus) {
    const tokens = ['<s>', ...sentence, '</s>'];
    for (let end = 1; end < tokens.length; end++) {
      for (let n = 1; n <= order && end - n + 1 >= 0; n++) {
        const key = tokens.slice(end - n + 1, end + 1).join(' ');
        raw.set(key, (raw.get(key) ?? 0) + 1);
      }
    }
  }
  const byOrder = (n: number) => [...raw.keys()].filter((k) => k.split(' ').length === n);
  // Continuation counts: each distinct (n+1)-gram adds one to its n-word suffix.
  const leftExtensions = new Map<string, number>();
  for (let n = 2; n <= order; n++) {
    for (const key of byOrder(n)) {
      const suffix = key.split(' ').slice(1).join(' ');
      leftExtensions.set(suffix, (leftExtensions.get(suffix) ?? 0) + 1);
    }
  }
  const adjusted = new Map<string, number>();
  for (let n = 1; n <= order; n++) {
    for (const key of byOrder(n)) {
      if (key === '<s>') continue;
      const keepRaw = n === order || key.startsWith('<s>');
      adjusted.set(key, keepRaw ? raw.get(key)! : leftExtensions.get(key)!);
    }
  }
  const vocabulary = [...new Set(corpus.flat()), '</s>', '<unk>'];
  const discounts: number[][] = [];
  const countOfCounts: number[][] = [];
  for (let n = 1; n <= order; n++) {
    const cc = [1, 2, 3, 4].map(
      (c) =>
        [...adjusted].filter(([key, count]) => key.split(' ').length === n && count === c).length,
    );
    countOfCounts.push(cc);
    const [n1, n2, n3, n4] = cc as [number, number, number, number];
    const y = n1 / (n1 + 2 * n2);
    const d = [1 - (2 * y * n2) / n1, 2 - (3 * y * n3) / n2, 3 - (4 * y * n4) / n3];
    const valid = cc.every((x) => x > 0) && d.every((x, i) => x > 0 && x < i + 1);
    discounts.push(valid ? d : [0.5, 1, 1.5]);
  }
  const discount = (n: number, count: number) =>
    count === 0 ? 0 : discounts[n - 1]![Math.min(count, 3) - 1]!;

  // Per history: the total adjusted count of its extensions and the mass their discounts free.
  const histories = new Map<string, { total: number; mass: number }>();
  for (const [key, count] of adjusted) {
    const words = key.split(' ');
    const history = words.slice(0, -1).join(' ');
    const entry = histories.get(history) ?? { total: 0, mass: 0 };
    entry.total += count;
    entry.mass += discount(words.length, count);
    histories.set(history, entry);
  }
  const probability = (history: string[], word: string): number => {
    const n = history.length + 1;
    const lower = n === 1 ? 1 / vocabulary.length : probability(history.slice(1), word);
    const seen = histories.get(history.join(' '));
    if (!seen) return lower;
    const count = adjusted.get([...history, word].join(' ')) ?? 0;
    return Math.max(count - discount(n, count), 0) / seen.total + (seen.mass / seen.total) * lower;
  };
  return { probability, discounts, countOfCounts, vocabulary, adjusted };
}

function ids(model: NgramModel, words: string[]): number[] {
  return words.map((word) => {
    const id = model.wordId(word);
    if (id === undefined) throw new Error(`no ${word}`);
    return id;
  });
}

/** Σ over the vocabulary (without <s>) of P(w | history). */
function totalProbability(model: NgramModel, history: number[]): number {
  let sum = 0;
  for (let w = 0; w < model.vocabulary.length; w++) {
    if (w !== model.beginId) sum += 10 ** model.logProb10(history, w);
  }
  return sum;
}

/** Every history the model lists (orders 1..N-1), plus the empty one. */
function listedHistories(model: NgramModel): number[][] {
  const histories: number[][] = [[]];
  for (let n = 1; n < model.order; n++) {
    const rows = model.rows(n);
    for (let i = 0; i < model.levels[n - 1]!.count; i++) {
      histories.push(Array.from(rows.subarray(i * n, (i + 1) * n)));
    }
  }
  return histories;
}

describe('modified Kneser-Ney discounts', () => {
  it('follow Chen & Goodman from count-of-counts (hand computation)', () => {
    // Y = 100 / (100 + 80) = 5/9; D1 = 1 - 2·(5/9)·0.4; D2 = 2 - 3·(5/9)·0.5; D3+ = 3 - 4·(5/9)·0.5
    const d = kneserNeyDiscounts([100, 40, 20, 10])!;
    expect(d[0]).toBeCloseTo(1 - 4 / 9, 12);
    expect(d[1]).toBeCloseTo(2 - 5 / 6, 12);
    expect(d[2]).toBeCloseTo(3 - 10 / 9, 12);
  });

  it('are rejected when a count-of-count is zero or a discount leaves (0, c)', () => {
    expect(kneserNeyDiscounts([10, 0, 3, 1])).toBeUndefined();
    // n3 ≫ n2 makes D2 = 2 − 3Y·n3/n2 negative.
    expect(kneserNeyDiscounts([10, 1, 50, 1])).toBeUndefined();
  });

  it('are estimated per order from the adjusted counts of a corpus', () => {
    const corpus = syntheticCorpus(300, 7);
    const built = buildKneserNey(corpus, { order: 3 });
    const reference = referenceKneserNey(corpus, 3);
    expect(built.countOfCounts).toEqual(reference.countOfCounts);
    built.discounts.forEach((d, n) => {
      d.forEach((value, i) => expect(value).toBeCloseTo(reference.discounts[n]![i]!, 10));
    });
    // The corpus is rich enough for real (not fallback) discounts at orders 2 and 3.
    expect(built.fallbackUsed.slice(1)).toEqual([false, false]);
  });
});

describe('buildKneserNey', () => {
  const corpus = syntheticCorpus(300, 7);
  const { model } = buildKneserNey(corpus, { order: 3 });
  const reference = referenceKneserNey(corpus, 3);

  it('gives the interpolated probabilities of a direct implementation of the formulas', () => {
    let checked = 0;
    for (const history of listedHistories(model)) {
      const words = history.map((id) => model.vocabulary[id]!);
      if (words.slice(1).includes('<s>')) continue;
      for (const word of reference.vocabulary) {
        const expected = Math.log10(reference.probability(words.slice(-2), word));
        expect(model.logProb10(history, ids(model, [word])[0]!)).toBeCloseTo(expected, 5);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('sums to 1 over the vocabulary for every context, seen or not', () => {
    const histories = [...listedHistories(model), ids(model, ['slowly', 'slowly'])];
    for (const history of histories) {
      expect(totalProbability(model, history)).toBeCloseTo(1, 4);
    }
    // <unk> holds the mass the unigram discounts free, shared with every word.
    expect(model.unknownId).toBeDefined();
    expect(model.logProb10([], model.unknownId!)).toBeLessThan(-1);
  });

  it('still sums to 1 after count cut-offs and after entropy pruning', () => {
    const cut = buildKneserNey(corpus, { order: 3, minCounts: [1, 2, 2] });
    expect(cut.model.counts[2]).toBeLessThan(cut.ngramCounts[2]!);
    const pruned = pruneByEntropy(model, 1e-4);
    expect(pruned.after[2]).toBeLessThan(pruned.before[2]!);
    for (const smaller of [cut.model, pruned.model]) {
      for (const history of listedHistories(smaller)) {
        expect(totalProbability(smaller, history)).toBeCloseTo(1, 4);
      }
    }
  });

  it('pruning costs little perplexity; on structured text a trigram beats a unigram model', () => {
    const heldOut = syntheticCorpus(40, 99);
    const full = measurePerplexity(model, heldOut).perplexity;
    const pruned = measurePerplexity(pruneByEntropy(model, 1e-5).model, heldOut).perplexity;
    expect(pruned).toBeLessThan(full * 1.05);

    const structured = structuredCorpus(400, 3);
    const structuredHeldOut = structuredCorpus(50, 1234);
    const trigram = buildKneserNey(structured, { order: 3 }).model;
    const unigram = buildKneserNey(structured, { order: 1 }).model;
    expect(measurePerplexity(trigram, structuredHeldOut).perplexity).toBeLessThan(
      0.7 * measurePerplexity(unigram, structuredHeldOut).perplexity,
    );
  });

  it('counts words outside the vocabulary in perplexity as <unk>', () => {
    const report = measurePerplexity(model, [['the', 'zebra', 'sat']]);
    expect(report.outOfVocabulary).toBe(1);
    expect(report.words).toBe(3);
    expect(report.perplexityWithoutOov).toBeLessThan(report.perplexity);
  });

  it('rejects words it cannot count', () => {
    expect(() => buildKneserNey([['a b']], { order: 2 })).toThrow(/cannot count/);
    expect(() => buildKneserNey([['<s>']], { order: 2 })).toThrow(/cannot count/);
    expect(() => buildKneserNey([], { order: 2 })).toThrow(/no words/);
  });
});
