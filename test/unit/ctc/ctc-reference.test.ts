import { describe, expect, it } from 'vitest';
import { HarkError } from '../../../src-main/engine/errors';
import {
  assertCtcTargets,
  ctcCanSkipInto,
  ctcExtendedLabels,
  ctcRequiredFrames,
} from '../../../src-main/engine/train/ctc/ctc-labels';
import {
  ctcLossReference,
  type CtcReferenceFeasible,
  type CtcReferenceInput,
} from '../../../src-main/engine/train/ctc/ctc-reference';
import {
  bruteForceCtc,
  collapseAlignment,
  logSoftmaxRows,
  randomLogits,
  randomTargets,
  seededRandom,
} from './ctc-test-helpers';

interface TinyCase {
  name: string;
  targets: number[];
  frameCount: number;
  vocabSize: number;
  blankId: number;
}

const tinyCases: TinyCase[] = [
  { name: 'single label', targets: [0], frameCount: 4, vocabSize: 2, blankId: 1 },
  { name: 'two labels', targets: [0, 1], frameCount: 5, vocabSize: 3, blankId: 2 },
  {
    name: 'blank first in the vocabulary',
    targets: [2, 1],
    frameCount: 5,
    vocabSize: 3,
    blankId: 0,
  },
  { name: 'repeated label', targets: [1, 1], frameCount: 5, vocabSize: 3, blankId: 0 },
  { name: 'repeat between others', targets: [0, 1, 1], frameCount: 6, vocabSize: 3, blankId: 2 },
  { name: 'empty target', targets: [], frameCount: 4, vocabSize: 3, blankId: 2 },
  { name: 'empty target, one frame', targets: [], frameCount: 1, vocabSize: 3, blankId: 0 },
  { name: 'tight: labels differ', targets: [0, 1, 0], frameCount: 3, vocabSize: 3, blankId: 2 },
  { name: 'tight: repeats', targets: [1, 1, 1], frameCount: 5, vocabSize: 2, blankId: 0 },
  { name: 'tight: mixed', targets: [0, 0, 1], frameCount: 4, vocabSize: 3, blankId: 2 },
  { name: 'one frame, one label', targets: [1], frameCount: 1, vocabSize: 3, blankId: 0 },
  {
    name: 'target as long as frames',
    targets: [0, 1, 0, 1, 0, 1],
    frameCount: 6,
    vocabSize: 3,
    blankId: 2,
  },
];

function makeInput(testCase: TinyCase, seed: number, scale = 2): CtcReferenceInput {
  const random = seededRandom(seed);
  const logits = randomLogits(random, {
    rows: testCase.frameCount,
    columns: testCase.vocabSize,
    scale,
  });
  return {
    logProbs: logSoftmaxRows(logits, testCase.vocabSize),
    frameCount: testCase.frameCount,
    vocabSize: testCase.vocabSize,
    targets: testCase.targets,
    blankId: testCase.blankId,
  };
}

function expectFeasible(result: ReturnType<typeof ctcLossReference>): CtcReferenceFeasible {
  if (!result.feasible) throw new Error(`expected a feasible result, got ${result.reason}`);
  return result;
}

function expectArraysClose(actual: Float64Array, expected: Float64Array, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN)));
  }
  expect(worst).toBeLessThan(tolerance);
}

describe('CTC label helpers', () => {
  it('counts one extra frame per equal neighbour and at least one frame', () => {
    expect(ctcRequiredFrames([3, 3, 5])).toBe(4);
    expect(ctcRequiredFrames([3, 5, 3])).toBe(3);
    expect(ctcRequiredFrames([2, 2, 2, 2])).toBe(7);
    expect(ctcRequiredFrames([])).toBe(1);
  });

  it('interleaves blanks and forbids skipping between equal labels', () => {
    const extended = ctcExtendedLabels([1, 1, 2], 0);
    expect(Array.from(extended)).toEqual([0, 1, 0, 1, 0, 2, 0]);
    const skippable = Array.from(extended, (_, s) => ctcCanSkipInto(extended, s, 0));
    expect(skippable).toEqual([false, false, false, false, false, true, false]);
  });

  it('rejects target labels that are the blank or outside the vocabulary, naming the file', () => {
    expect(() => assertCtcTargets([1, 2, 3], { vocabSize: 4, blankId: 0 })).not.toThrow();
    for (const bad of [[1, 0], [4], [-1], [1.5]]) {
      let caught: unknown;
      try {
        assertCtcTargets(bad, { vocabSize: 4, blankId: 0, file: 'clip.wav' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(HarkError);
      expect((caught as HarkError).code).toBe('INVALID_ARGUMENT');
      expect((caught as HarkError).file).toBe('clip.wav');
    }
  });

  it('collapses alignments the CTC way', () => {
    expect(collapseAlignment([1, 1, 0, 1, 2, 2, 0], 0)).toEqual([1, 1, 2]);
  });
});

describe('ctcLossReference against brute-force enumeration', () => {
  for (const testCase of tinyCases) {
    it(`matches loss and both gradients: ${testCase.name}`, () => {
      for (const seed of [1, 2, 3]) {
        const input = makeInput(testCase, seed);
        const expected = bruteForceCtc({ ...input, targets: testCase.targets });
        expect(expected.probability).toBeGreaterThan(0);
        const result = expectFeasible(ctcLossReference(input));
        expect(result.loss).toBeCloseTo(expected.loss, 10);
        expectArraysClose(result.gradLogProbs, expected.gradLogProbs, 1e-10);
        expectArraysClose(result.gradLogits, expected.gradLogits, 1e-10);
      }
    });
  }

  it('agrees on random tiny cases, feasible or not', () => {
    const random = seededRandom(42);
    let feasibleCount = 0;
    let infeasibleCount = 0;
    for (let trial = 0; trial < 200; trial++) {
      const vocabSize = 2 + Math.floor(random() * 2);
      const frameCount = 1 + Math.floor(random() * 6);
      const blankId = Math.floor(random() * vocabSize);
      const targets = randomTargets(random, {
        length: Math.floor(random() * 5),
        vocabSize,
        blankId,
      });
      const logProbs = logSoftmaxRows(
        randomLogits(random, { rows: frameCount, columns: vocabSize, scale: 3 }),
        vocabSize,
      );
      const input = { logProbs, frameCount, vocabSize, targets, blankId };
      const expected = bruteForceCtc(input);
      const result = ctcLossReference(input);
      if (expected.probability === 0) {
        infeasibleCount++;
        expect(result).toMatchObject({ feasible: false, reason: 'too-few-frames' });
        continue;
      }
      feasibleCount++;
      const feasible = expectFeasible(result);
      expect(feasible.loss).toBeCloseTo(expected.loss, 9);
      expectArraysClose(feasible.gradLogProbs, expected.gradLogProbs, 1e-10);
      expectArraysClose(feasible.gradLogits, expected.gradLogits, 1e-10);
    }
    // The random draw must exercise both branches for the test to mean anything.
    expect(feasibleCount).toBeGreaterThan(50);
    expect(infeasibleCount).toBeGreaterThan(10);
  });
});

describe('ctcLossReference gradients against finite differences', () => {
  const step = 1e-6;

  it('d loss / d logits for a target with a repeat', () => {
    const testCase: TinyCase = {
      name: 'fd',
      targets: [2, 2, 1],
      frameCount: 7,
      vocabSize: 4,
      blankId: 0,
    };
    const logits = randomLogits(seededRandom(7), { rows: 7, columns: 4, scale: 2 });
    const lossAt = (values: Float64Array): number =>
      expectFeasible(
        ctcLossReference({ ...makeInput(testCase, 0), logProbs: logSoftmaxRows(values, 4) }),
      ).loss;
    const analytic = expectFeasible(
      ctcLossReference({ ...makeInput(testCase, 0), logProbs: logSoftmaxRows(logits, 4) }),
    ).gradLogits;
    for (let i = 0; i < logits.length; i++) {
      const plus = logits.slice();
      const minus = logits.slice();
      plus[i] = (plus[i] ?? 0) + step;
      minus[i] = (minus[i] ?? 0) - step;
      const numeric = (lossAt(plus) - lossAt(minus)) / (2 * step);
      expect(Math.abs(numeric - (analytic[i] ?? NaN))).toBeLessThan(1e-7);
    }
  });

  it('d loss / d logProbs with every entry an independent input', () => {
    const testCase: TinyCase = {
      name: 'fd',
      targets: [1, 3, 3],
      frameCount: 6,
      vocabSize: 4,
      blankId: 2,
    };
    const input = makeInput(testCase, 11);
    const base = Float64Array.from(input.logProbs);
    const analytic = expectFeasible(ctcLossReference(input)).gradLogProbs;
    for (let i = 0; i < base.length; i++) {
      const plus = base.slice();
      const minus = base.slice();
      plus[i] = (plus[i] ?? 0) + step;
      minus[i] = (minus[i] ?? 0) - step;
      const lossPlus = expectFeasible(ctcLossReference({ ...input, logProbs: plus })).loss;
      const lossMinus = expectFeasible(ctcLossReference({ ...input, logProbs: minus })).loss;
      const numeric = (lossPlus - lossMinus) / (2 * step);
      expect(Math.abs(numeric - (analytic[i] ?? NaN))).toBeLessThan(1e-7);
    }
  });
});

describe('ctcLossReference edge cases', () => {
  it('reports targets that need more frames than given, without numbers', () => {
    const tooShort: TinyCase = {
      name: 'too short',
      targets: [1, 1],
      frameCount: 2,
      vocabSize: 3,
      blankId: 0,
    };
    expect(ctcLossReference(makeInput(tooShort, 1))).toEqual({
      feasible: false,
      reason: 'too-few-frames',
      requiredFrames: 3,
      frameCount: 2,
    });
    const noFrames = { ...makeInput({ ...tooShort, targets: [], frameCount: 0 }, 1) };
    expect(ctcLossReference(noFrames)).toMatchObject({ feasible: false, requiredFrames: 1 });
  });

  it('reports a target whose every alignment has probability zero', () => {
    // Frame 1 can only emit the blank, but "1 2" in two frames needs a label there.
    const logProbs = [Math.log(0.5), Math.log(0.5), -Infinity, 0, -Infinity, -Infinity];
    const result = ctcLossReference({
      logProbs,
      frameCount: 2,
      vocabSize: 3,
      targets: [1, 2],
      blankId: 0,
    });
    expect(result).toMatchObject({ feasible: false, reason: 'zero-probability' });
  });

  it('gives the all-blank path for an empty target', () => {
    const input = makeInput({ name: '', targets: [], frameCount: 5, vocabSize: 3, blankId: 1 }, 4);
    const result = expectFeasible(ctcLossReference(input));
    let blankLogSum = 0;
    for (let t = 0; t < 5; t++) blankLogSum += input.logProbs[t * 3 + 1] ?? NaN;
    expect(result.loss).toBeCloseTo(-blankLogSum, 12);
    for (let t = 0; t < 5; t++) expect(result.gradLogProbs[t * 3 + 1]).toBeCloseTo(-1, 12);
  });

  it('stays finite and normalised on long utterances where probabilities underflow', () => {
    const random = seededRandom(99);
    const frameCount = 1500;
    const vocabSize = 30;
    const logProbs = logSoftmaxRows(
      randomLogits(random, { rows: frameCount, columns: vocabSize, scale: 4 }),
      vocabSize,
    );
    const targets = randomTargets(random, { length: 300, vocabSize, blankId: 29 });
    const result = expectFeasible(
      ctcLossReference({ logProbs, frameCount, vocabSize, targets, blankId: 29 }),
    );
    // exp(-loss) is far below the smallest double: only a log-space recursion gets here.
    expect(result.loss).toBeGreaterThan(800);
    expect(Number.isFinite(result.loss)).toBe(true);
    for (let t = 0; t < frameCount; t += 97) {
      let occupancy = 0;
      let logitsRowSum = 0;
      for (let k = 0; k < vocabSize; k++) {
        occupancy -= result.gradLogProbs[t * vocabSize + k] ?? NaN;
        logitsRowSum += result.gradLogits[t * vocabSize + k] ?? NaN;
      }
      expect(occupancy).toBeCloseTo(1, 9);
      expect(logitsRowSum).toBeCloseTo(0, 9);
    }
  });

  it('rejects malformed input with a HarkError', () => {
    const good = makeInput({ name: '', targets: [1], frameCount: 3, vocabSize: 3, blankId: 0 }, 1);
    const bad: Array<Partial<CtcReferenceInput>> = [
      { targets: [0] },
      { targets: [3] },
      { targets: [1.5] },
      { blankId: 3 },
      { vocabSize: 4 },
      { logProbs: [0, 0, Number.NaN, 0, 0, 0, 0, 0, 0] },
      { frameCount: -1 },
    ];
    for (const change of bad) {
      let caught: unknown;
      try {
        ctcLossReference({ ...good, ...change });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(HarkError);
      expect((caught as HarkError).code).toBe('INVALID_ARGUMENT');
    }
  });
});
