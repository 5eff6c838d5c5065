/**
 * Which validation's weights a fine-tuning run keeps: the held-back recordings' score after each
 * epoch decides, and the best weights so far become the result. (Keeping later weights within a
 * tolerance of the best score was tried and not kept: README.md, session 11.)
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
