/**
 * Restores a profile's blank rate on other voices. Fine-tuning on one reader's sentences made the
 * profile write fewer characters on short utterances of other people than the base model does
 * (more frames won by the CTC blank: fsdd's spoken digits lost twice as many words to deletions).
 * After training, the blank's output bias is lowered by the offset at which the profile's greedy
 * transcripts of the base model's short utterances of other voices hold as many characters as the
 * base model's do. The offset is a single number in the exported model: nothing changes at
 * inference.
 */

/** One utterance's log-probabilities: numFrames × vocabSize, row-major. */
export interface LogProbRows {
  rows: Float32Array;
  numFrames: number;
}

/** The largest offset either way: the runs measured needed 0.1–0.3. */
export const BLANK_OFFSET_LIMIT = 1;
/** Offsets are tried on a grid this fine. */
export const BLANK_OFFSET_STEP = 0.05;

/**
 * Tokens a greedy CTC decoding writes (repeats merged, blanks dropped) when the blank's
 * log-probability is lowered by `blankOffset`. The blank is the last entry of the vocabulary.
 *
 * @example
 * greedyEmissions(rows, numFrames, 29, 0.2); // characters written with the blank 0.2 less likely
 */
export function greedyEmissions(
  { rows, numFrames }: LogProbRows,
  vocabSize: number,
  blankOffset = 0,
): number {
  const blank = vocabSize - 1;
  let written = 0;
  let previous = -1;
  for (let t = 0; t < numFrames; t++) {
    const row = t * vocabSize;
    let best = blank;
    let bestValue = rows[row + blank]! - blankOffset;
    for (let v = 0; v < blank; v++) {
      if (rows[row + v]! > bestValue) {
        bestValue = rows[row + v]!;
        best = v;
      }
    }
    if (best !== blank && best !== previous) written++;
    previous = best;
  }
  return written;
}

/** Tokens greedy decoding writes over a set of utterances. */
export function totalEmissions(
  utterances: readonly LogProbRows[],
  vocabSize: number,
  blankOffset = 0,
): number {
  return utterances.reduce((sum, u) => sum + greedyEmissions(u, vocabSize, blankOffset), 0);
}

/**
 * The offset (on a grid of `BLANK_OFFSET_STEP`, within ±`BLANK_OFFSET_LIMIT`) at which the
 * profile's greedy transcripts of `utterances` write closest to `targetEmissions` tokens; of
 * equally close offsets, the smallest. 0 for an empty set.
 *
 * @example
 * const target = totalEmissions(baseRows, 29);
 * const offset = blankOffsetFor(profileRows, target, 29); // e.g. 0.25
 */
export function blankOffsetFor(
  utterances: readonly LogProbRows[],
  targetEmissions: number,
  vocabSize: number,
): number {
  if (utterances.length === 0) return 0;
  const steps = Math.round(BLANK_OFFSET_LIMIT / BLANK_OFFSET_STEP);
  let best = 0;
  let bestGap = Math.abs(totalEmissions(utterances, vocabSize, 0) - targetEmissions);
  for (let k = 1; k <= steps && bestGap > 0; k++) {
    for (const offset of [k * BLANK_OFFSET_STEP, -k * BLANK_OFFSET_STEP]) {
      const gap = Math.abs(totalEmissions(utterances, vocabSize, offset) - targetEmissions);
      if (gap < bestGap) {
        bestGap = gap;
        best = offset;
      }
    }
  }
  return Math.round(best * 1000) / 1000;
}

/**
 * The output layer's bias with the blank's entry (the last) lowered by `offset`: the model's
 * log-probabilities then are those `greedyEmissions` scored at that offset, renormalised.
 */
export function withBlankOffset(bias: Float32Array, offset: number): Float32Array {
  const shifted = Float32Array.from(bias);
  const blank = shifted.length - 1;
  shifted[blank] = shifted[blank]! - offset;
  return shifted;
}
