/**
 * Exact CTC loss for one utterance in plain TypeScript (float64): the trusted reference that the
 * ONNX CTC loss is tested against. Log-space forward–backward over the extended label sequence.
 *
 * Gradients, with occupancy(t, k) = P(the path emits symbol k at frame t | target):
 * - with respect to the log-probabilities (each entry an independent input): -occupancy(t, k);
 * - with respect to pre-softmax logits z, where logProbs = logSoftmax(z):
 *   softmax(z)(t, k) - occupancy(t, k), because each frame's occupancy sums to one.
 */
import { HarkError } from '../../errors';
import {
  assertCtcTargets,
  ctcCanSkipInto,
  ctcExtendedLabels,
  ctcRequiredFrames,
} from './ctc-labels';

export interface CtcReferenceInput {
  /** Row-major (frameCount, vocabSize) log-probabilities, log-softmaxed over the vocabulary. */
  logProbs: ArrayLike<number>;
  frameCount: number;
  vocabSize: number;
  /** Label ids without blanks; may be empty. */
  targets: ArrayLike<number>;
  blankId: number;
}

export interface CtcReferenceFeasible {
  feasible: true;
  /** Negative log-likelihood -log P(targets | logProbs). */
  loss: number;
  /** d loss / d logProbs, row-major (frameCount, vocabSize): minus the occupancy. */
  gradLogProbs: Float64Array;
  /**
   * d loss / d z where logProbs = logSoftmax(z): softmax - occupancy. Per-frame shifts of the
   * input change neither the occupancy nor the softmax, so this is exact even when the rows are
   * not normalised (it is then the gradient of the loss of logSoftmax(logProbs)).
   */
  gradLogits: Float64Array;
}

export interface CtcReferenceInfeasible {
  feasible: false;
  /** too-few-frames: T < L + repeats (or T = 0); zero-probability: every alignment has P = 0. */
  reason: 'too-few-frames' | 'zero-probability';
  requiredFrames: number;
  frameCount: number;
}

export type CtcReferenceResult = CtcReferenceFeasible | CtcReferenceInfeasible;

/**
 * CTC negative log-likelihood of one utterance and its gradients. A target that cannot be
 * emitted in the given frames comes back as `{ feasible: false }` (skip it and count it): no
 * NaN or Infinity is ever returned.
 *
 * @example
 * const result = ctcLossReference({
 *   logProbs: logSoftmaxRows, // Float32Array(frameCount * vocabSize)
 *   frameCount: 50,
 *   vocabSize: 30,
 *   targets: [7, 7, 12],
 *   blankId: 29,
 * });
 * if (result.feasible) console.log(result.loss, result.gradLogits);
 */
export function ctcLossReference(input: CtcReferenceInput): CtcReferenceResult {
  validateInput(input);
  const { logProbs, frameCount, vocabSize, targets, blankId } = input;
  const requiredFrames = ctcRequiredFrames(targets);
  if (frameCount < requiredFrames) {
    return { feasible: false, reason: 'too-few-frames', requiredFrames, frameCount };
  }

  const extended = ctcExtendedLabels(targets, blankId);
  const stateCount = extended.length;
  const emission = (t: number, s: number): number =>
    logProbs[t * vocabSize + (extended[s] ?? blankId)] ?? -Infinity;
  const canSkip = Array.from({ length: stateCount }, (_, s) =>
    ctcCanSkipInto(extended, s, blankId),
  );

  // alpha(t, s): log P(prefix emitted in frames 0..t ends in state s), emission at t included.
  const alpha = new Float64Array(frameCount * stateCount).fill(-Infinity);
  alpha[0] = emission(0, 0);
  if (stateCount > 1) alpha[1] = emission(0, 1);
  for (let t = 1; t < frameCount; t++) {
    const previous = (t - 1) * stateCount;
    for (let s = 0; s < stateCount; s++) {
      const stay = alpha[previous + s] ?? -Infinity;
      const step = s >= 1 ? (alpha[previous + s - 1] ?? -Infinity) : -Infinity;
      const skip = canSkip[s] ? (alpha[previous + s - 2] ?? -Infinity) : -Infinity;
      alpha[t * stateCount + s] = logSumExp3(stay, step, skip) + emission(t, s);
    }
  }

  const last = (frameCount - 1) * stateCount;
  const logLikelihood = logSumExp3(
    alpha[last + stateCount - 1] ?? -Infinity,
    stateCount > 1 ? (alpha[last + stateCount - 2] ?? -Infinity) : -Infinity,
    -Infinity,
  );
  if (logLikelihood === -Infinity) {
    return { feasible: false, reason: 'zero-probability', requiredFrames, frameCount };
  }

  // beta(t, s): log P(the rest of the target is emitted in frames t+1.. | state s at frame t),
  // emission at t excluded, so alpha + beta - logLikelihood is the log posterior of (t, s).
  const beta = new Float64Array(frameCount * stateCount).fill(-Infinity);
  beta[last + stateCount - 1] = 0;
  if (stateCount > 1) beta[last + stateCount - 2] = 0;
  for (let t = frameCount - 2; t >= 0; t--) {
    const next = (t + 1) * stateCount;
    for (let s = 0; s < stateCount; s++) {
      const stay = (beta[next + s] ?? -Infinity) + emission(t + 1, s);
      const step =
        s + 1 < stateCount ? (beta[next + s + 1] ?? -Infinity) + emission(t + 1, s + 1) : -Infinity;
      const skip =
        s + 2 < stateCount && canSkip[s + 2]
          ? (beta[next + s + 2] ?? -Infinity) + emission(t + 1, s + 2)
          : -Infinity;
      beta[t * stateCount + s] = logSumExp3(stay, step, skip);
    }
  }

  const gradLogProbs = new Float64Array(frameCount * vocabSize);
  const gradLogits = new Float64Array(frameCount * vocabSize);
  for (let t = 0; t < frameCount; t++) {
    const row = t * vocabSize;
    for (let s = 0; s < stateCount; s++) {
      const logPosterior =
        (alpha[t * stateCount + s] ?? -Infinity) +
        (beta[t * stateCount + s] ?? -Infinity) -
        logLikelihood;
      if (logPosterior === -Infinity) continue;
      const symbol = extended[s] ?? blankId;
      gradLogProbs[row + symbol] = (gradLogProbs[row + symbol] ?? 0) - Math.exp(logPosterior);
    }
    const rowMax = maxOfRow(logProbs, row, vocabSize);
    let rowSum = 0;
    for (let k = 0; k < vocabSize; k++) rowSum += Math.exp((logProbs[row + k] ?? 0) - rowMax);
    for (let k = 0; k < vocabSize; k++) {
      const softmax = Math.exp((logProbs[row + k] ?? 0) - rowMax) / rowSum;
      gradLogits[row + k] = softmax + (gradLogProbs[row + k] ?? 0);
    }
  }

  return { feasible: true, loss: -logLikelihood, gradLogProbs, gradLogits };
}

/** Stable log(e^a + e^b + e^c); -Infinity when all three are. */
function logSumExp3(a: number, b: number, c: number): number {
  const max = Math.max(a, b, c);
  if (max === -Infinity) return -Infinity;
  return max + Math.log(Math.exp(a - max) + Math.exp(b - max) + Math.exp(c - max));
}

function maxOfRow(values: ArrayLike<number>, start: number, length: number): number {
  let max = -Infinity;
  for (let k = 0; k < length; k++) max = Math.max(max, values[start + k] ?? -Infinity);
  return max;
}

function validateInput(input: CtcReferenceInput): void {
  const { logProbs, frameCount, vocabSize, targets, blankId } = input;
  const fail = (problem: string): never => {
    throw new HarkError('INVALID_ARGUMENT', `CTC loss: ${problem}`);
  };
  if (!Number.isInteger(frameCount) || frameCount < 0) fail(`frameCount ${frameCount} is invalid`);
  if (!Number.isInteger(vocabSize) || vocabSize < 2) fail(`vocabSize ${vocabSize} is below 2`);
  if (!Number.isInteger(blankId) || blankId < 0 || blankId >= vocabSize) {
    fail(`blankId ${blankId} is outside the vocabulary of ${vocabSize}`);
  }
  if (logProbs.length !== frameCount * vocabSize) {
    fail(`logProbs has ${logProbs.length} values, expected ${frameCount} x ${vocabSize}`);
  }
  for (let i = 0; i < logProbs.length; i++) {
    const value = logProbs[i] ?? Number.NaN;
    if (Number.isNaN(value) || value === Infinity) {
      fail(`logProbs[${i}] is ${value}`);
    }
  }
  assertCtcTargets(targets, { vocabSize, blankId });
}
