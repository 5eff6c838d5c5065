import { describe, expect, it } from 'vitest';
import { pairedChangeInterval } from '../../../scripts/finetune/paired-bootstrap';

/** `count` one-word utterances; the listed ones wrong before / after. */
function oneWordSet(count: number, wrongBefore: number[], wrongAfter: number[]) {
  const errors = (wrong: number[]) =>
    Array.from({ length: count }, (_, i) => (wrong.includes(i) ? 1 : 0));
  return {
    referenceWords: Array.from({ length: count }, () => 1),
    errorsBefore: errors(wrongBefore),
    errorsAfter: errors(wrongAfter),
  };
}

describe('pairedChangeInterval', () => {
  it('gives the change over the whole set, weighting utterances by their words', () => {
    const interval = pairedChangeInterval({
      referenceWords: [1, 9],
      errorsBefore: [1, 0],
      errorsAfter: [0, 3],
    });
    expect(interval.change).toBeCloseTo(0.2); // (3 − 1) / 10
  });

  it('has no width when the models make the same errors', () => {
    const same = oneWordSet(400, [1, 5, 9], [1, 5, 9]);
    expect(pairedChangeInterval(same)).toEqual({ change: 0, low: 0, high: 0 });
  });

  it('spans zero for a small change on a few hundred clips, and not for a large one', () => {
    const range = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => from + i);
    // 4 clips of 400 newly wrong: +1 point, which noise could make.
    const small = pairedChangeInterval(oneWordSet(400, range(0, 10), range(6, 20)));
    expect(small.change).toBeCloseTo(0.01);
    expect(small.low).toBeLessThan(0);
    expect(small.high).toBeGreaterThan(0.01);
    // 40 newly wrong and none right again: +10 points, surely.
    const large = pairedChangeInterval(oneWordSet(400, [], range(0, 40)));
    expect(large.low).toBeGreaterThan(0.05);
    expect(large.high).toBeLessThan(0.15);
  });

  it('draws the same resamples for the same seed', () => {
    const set = oneWordSet(200, [1, 2, 3, 50], [2, 3, 4, 5, 6, 70]);
    expect(pairedChangeInterval(set, { seed: 3 })).toEqual(pairedChangeInterval(set, { seed: 3 }));
  });

  it('refuses errors that do not pair up', () => {
    expect(() =>
      pairedChangeInterval({ referenceWords: [1, 1], errorsBefore: [0], errorsAfter: [0, 1] }),
    ).toThrow(/both models/);
  });
});
