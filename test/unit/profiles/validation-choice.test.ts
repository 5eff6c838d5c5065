import { describe, expect, it } from 'vitest';
import { better, heldBackScore } from '../../../src-main/engine/profiles/validation-choice';

describe('choosing the validation whose weights a run keeps', () => {
  it('scores a validation by the mean of its WER and CER, WER breaking ties', () => {
    expect(heldBackScore(0.8, 0.3)).toBeCloseTo(0.55);
    expect(better(0.7, 0.3, 0.8, 0.3)).toBe(true);
    expect(better(0.8, 0.3, 0.7, 0.3)).toBe(false);
    // The same score: the lower WER wins.
    expect(better(0.7, 0.4, 0.8, 0.3)).toBe(true);
    expect(better(0.8, 0.3, 0.7, 0.4)).toBe(false);
  });
});
