import { describe, expect, it } from 'vitest';
import {
  becomesBest,
  better,
  heldBackScore,
} from '../../../src-main/engine/profiles/validation-choice';

describe('choosing the validation whose weights a run keeps', () => {
  it('scores a validation by the mean of its WER and CER, WER breaking ties', () => {
    expect(heldBackScore(0.8, 0.3)).toBeCloseTo(0.55);
    expect(better(0.7, 0.3, 0.8, 0.3)).toBe(true);
    expect(better(0.8, 0.3, 0.7, 0.3)).toBe(false);
    // The same score: the lower WER wins.
    expect(better(0.7, 0.4, 0.8, 0.3)).toBe(true);
    expect(better(0.8, 0.3, 0.7, 0.4)).toBe(false);
  });

  it('without a tolerance, keeps only weights that do better', () => {
    const best = { bestWer: 0.754, bestCer: 0.31 };
    expect(becomesBest({ wer: 0.754, cer: 0.313 }, best, 0)).toBe(false);
    expect(becomesBest({ wer: 0.74, cer: 0.31 }, best, 0)).toBe(true);
  });

  it('with a tolerance, takes later weights within it of the lowest score so far', () => {
    // sp-cathy seed 3: step 33 scored 0.532; steps 90 and 98 0.5335 and 0.540.
    const afterStep33 = { bestWer: 0.754, bestCer: 0.31 };
    expect(becomesBest({ wer: 0.754, cer: 0.313 }, afterStep33, 0.01)).toBe(true);
    // Step 90 became the best; step 98 is measured against step 33's score, not step 90's.
    const afterStep90 = { bestWer: 0.754, bestCer: 0.313, lowestScore: 0.532 };
    expect(becomesBest({ wer: 0.754, cer: 0.326 }, afterStep90, 0.01)).toBe(true);
    expect(becomesBest({ wer: 0.76, cer: 0.33 }, afterStep90, 0.01)).toBe(false);
  });
});
