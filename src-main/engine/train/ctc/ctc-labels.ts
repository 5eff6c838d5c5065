/**
 * Label bookkeeping shared by the CTC reference and the ONNX CTC loss: how many frames a target
 * needs, and the blank-interleaved "extended" label sequence the forward–backward runs over.
 */
import { HarkError } from '../../errors';

/**
 * The fewest frames that can emit `targets` under CTC: one per label, plus one blank between
 * every pair of equal consecutive labels (without it they would collapse into one). An utterance
 * always needs at least one frame, so an empty target needs one too.
 *
 * @example
 * ctcRequiredFrames([3, 3, 5]); // 4: "3 blank 3 5"
 * ctcRequiredFrames([]); // 1
 */
export function ctcRequiredFrames(targets: ArrayLike<number>): number {
  let repeats = 0;
  for (let i = 1; i < targets.length; i++) {
    if (targets[i] === targets[i - 1]) repeats++;
  }
  return Math.max(1, targets.length + repeats);
}

/**
 * The extended label sequence of length 2L+1: a blank before, between and after the labels.
 *
 * @example
 * ctcExtendedLabels([4, 4], 0); // Int32Array [0, 4, 0, 4, 0]
 */
export function ctcExtendedLabels(targets: ArrayLike<number>, blankId: number): Int32Array {
  const extended = new Int32Array(2 * targets.length + 1).fill(blankId);
  for (let i = 0; i < targets.length; i++) extended[2 * i + 1] = targets[i] ?? blankId;
  return extended;
}

/**
 * Whether a path may jump from extended state s-2 straight to s (skipping the blank between):
 * only onto a label, and only when that label differs from the one two states back.
 *
 * @example
 * const extended = ctcExtendedLabels([1, 1, 2], 0); // [0, 1, 0, 1, 0, 2, 0]
 * ctcCanSkipInto(extended, 3, 0); // false: "1 1" needs the blank
 * ctcCanSkipInto(extended, 5, 0); // true
 */
export function ctcCanSkipInto(extended: Int32Array, state: number, blankId: number): boolean {
  return state >= 2 && extended[state] !== blankId && extended[state] !== extended[state - 2];
}

/**
 * Checks that a target can be scored by CTC: whole label ids in [0, vocabSize) and never the
 * blank. The ONNX loss does not check this (an out-of-range id would fail the whole batch), so
 * batches are checked when they are assembled. Throws HarkError INVALID_ARGUMENT naming `file`.
 *
 * @example
 * assertCtcTargets([7, 7, 12], { vocabSize: 30, blankId: 29, file: 'clips/0001.wav' });
 */
export function assertCtcTargets(
  targets: ArrayLike<number>,
  options: { vocabSize: number; blankId: number; file?: string },
): void {
  for (let i = 0; i < targets.length; i++) {
    const label = targets[i] ?? Number.NaN;
    const problem =
      !Number.isInteger(label) || label < 0 || label >= options.vocabSize
        ? `label ${i} (${label}) is outside the vocabulary of ${options.vocabSize}`
        : label === options.blankId
          ? `label ${i} is the blank id ${options.blankId}`
          : undefined;
    if (problem !== undefined) {
      throw new HarkError('INVALID_ARGUMENT', `CTC target: ${problem}`, {
        ...(options.file !== undefined ? { file: options.file } : {}),
      });
    }
  }
}
