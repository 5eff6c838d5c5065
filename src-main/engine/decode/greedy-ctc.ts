import { HarkError } from '../errors';

/**
 * One emitted token. A greedy decoder emits a token where the best label of a frame differs from
 * the frame before and is not the blank; the token then lasts while that label stays best.
 */
export interface DecodedToken {
  id: number;
  /** First output frame of the token (after subsampling; `frameOffset` already added). */
  frame: number;
  /** Last output frame (inclusive) during which the token stayed the best label; defaults to `frame`. */
  lastFrame?: number;
  /** ln of the token's posterior: the mean over its frames of the best label's posterior. */
  logProb: number;
}

export interface GreedyCtcOptions {
  /** T', the number of output frames in `logProbs`. */
  numFrames: number;
  /** V, the number of labels per frame. */
  vocabSize: number;
  blankId: number;
  /** Added to every frame index: the first frame of this window within the whole file. */
  frameOffset?: number;
}

/**
 * Greedy (best path) CTC decoding of log-probabilities laid out (T', V) row-major, as a NeMo CTC
 * model outputs them for one utterance: take the best label per frame, merge repeats, drop blanks
 * (sherpa-onnx/csrc/offline-ctc-greedy-search-decoder.cc). A repeated letter needs a blank between
 * its two runs to be emitted twice.
 *
 * @example
 * const tokens = greedyCtcDecode(output.data, { numFrames, vocabSize: vocab.size, blankId: vocab.blankId });
 * const words = tokensToWords(tokens, vocab, { frameSec: 0.04 });
 */
export function greedyCtcDecode(logProbs: Float32Array, options: GreedyCtcOptions): DecodedToken[] {
  const { numFrames, vocabSize, blankId } = options;
  const frameOffset = options.frameOffset ?? 0;
  if (
    !Number.isInteger(numFrames) ||
    numFrames < 0 ||
    !Number.isInteger(vocabSize) ||
    vocabSize < 1
  ) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `bad decoder shape: ${numFrames} frames × ${vocabSize} labels`,
    );
  }
  if (logProbs.length < numFrames * vocabSize) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `log-probs hold ${logProbs.length} values, fewer than ${numFrames} frames × ${vocabSize} labels`,
    );
  }
  if (!Number.isInteger(blankId) || blankId < 0 || blankId >= vocabSize) {
    throw new HarkError('INVALID_ARGUMENT', `blank id ${blankId} is outside 0..${vocabSize - 1}`);
  }

  const tokens: DecodedToken[] = [];
  let previous = -1;
  let current: DecodedToken | undefined;
  let posteriorSum = 0;
  let runLength = 0;
  const finish = (): void => {
    if (current) current.logProb = Math.log(posteriorSum / runLength);
    current = undefined;
  };

  for (let t = 0; t < numFrames; t++) {
    const row = t * vocabSize;
    // Starting below every value makes a NaN row decode as label 0 with posterior 0, not NaN.
    let best = 0;
    let bestLogProb = -Infinity;
    for (let v = 0; v < vocabSize; v++) {
      const value = logProbs[row + v]!;
      if (value > bestLogProb) {
        bestLogProb = value;
        best = v;
      }
    }
    // Posteriors above 1 can only come from a model that does not output log-softmax: clamp.
    const posterior = Math.min(1, Math.exp(bestLogProb));
    if (best !== previous) {
      finish();
      if (best !== blankId) {
        current = { id: best, frame: t + frameOffset, lastFrame: t + frameOffset, logProb: 0 };
        tokens.push(current);
        posteriorSum = 0;
        runLength = 0;
      }
    }
    if (current) {
      current.lastFrame = t + frameOffset;
      posteriorSum += posterior;
      runLength++;
    }
    previous = best;
  }
  finish();
  return tokens;
}
