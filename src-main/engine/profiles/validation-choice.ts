/**
 * Which validation's weights a fine-tuning run keeps: the held-back recordings' score after each
 * epoch decides, and the best weights so far become the result.
 */

/**
 * Whether a validation beats the best so far. WER is what counts, but on a few held-back
 * sentences it moves in steps of a whole word; the mean of WER and CER is a smoother guide.
 */
export function better(wer: number, cer: number, bestWer: number, bestCer: number): boolean {
  const score = heldBackScore(wer, cer);
  const bestScore = heldBackScore(bestWer, bestCer);
  return score < bestScore - 1e-9 || (Math.abs(score - bestScore) <= 1e-9 && wer < bestWer);
}

/** What validations are compared by: the mean of the held-back WER and CER. */
export function heldBackScore(wer: number, cer: number): number {
  return (wer + cer) / 2;
}

/**
 * Whether a validation's weights become the best: they beat the best so far, or they come
 * within `tolerance` of the lowest score of any weights that became the best. On a few held-back recordings
 * the score moves by points between neighbouring validations, and the later weights, trained
 * longer at a lower rate, did better on the user's other recordings (README.md).
 */
export function becomesBest(
  rates: { wer: number; cer: number },
  progress: { bestWer: number; bestCer: number; lowestScore?: number },
  tolerance: number,
): boolean {
  if (better(rates.wer, rates.cer, progress.bestWer, progress.bestCer)) return true;
  if (tolerance <= 0) return false;
  const lowest = progress.lowestScore ?? heldBackScore(progress.bestWer, progress.bestCer);
  return heldBackScore(rates.wer, rates.cer) <= lowest + tolerance + 1e-9;
}
