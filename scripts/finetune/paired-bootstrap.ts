/**
 * How sure a WER change between two models is: a paired bootstrap over utterances (both models
 * decoded the same utterances, so each resample draws utterances, with their errors under both).
 * The forgetting bound is one point of WER, about what 400 one-word clips move between runs, so
 * a figure alone cannot tell forgetting from noise; its interval can.
 */
import { seededRandom } from '../../src-main/engine/seeded-random';

/** Per utterance: reference words and the errors each model made on it. */
export interface PairedErrors {
  referenceWords: readonly number[];
  errorsBefore: readonly number[];
  errorsAfter: readonly number[];
}

export interface ChangeInterval {
  /** WER after − WER before, over the whole set. */
  change: number;
  /** The central `level` share of the resampled changes. */
  low: number;
  high: number;
}

/**
 * The WER change and its bootstrap interval.
 *
 * @example
 * pairedChangeInterval({ referenceWords: [1, 1], errorsBefore: [0, 1], errorsAfter: [1, 1] });
 * // { change: 0.5, low: 0, high: 1 }
 */
export function pairedChangeInterval(
  errors: PairedErrors,
  options: { resamples?: number; level?: number; seed?: number } = {},
): ChangeInterval {
  const { referenceWords, errorsBefore, errorsAfter } = errors;
  const count = referenceWords.length;
  if (errorsBefore.length !== count || errorsAfter.length !== count) {
    throw new Error('pairedChangeInterval: every utterance needs its errors under both models');
  }
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const changeOf = (indices: ArrayLike<number>): number => {
    let words = 0;
    let difference = 0;
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      words += referenceWords[i]!;
      difference += errorsAfter[i]! - errorsBefore[i]!;
    }
    return words > 0 ? difference / words : 0;
  };
  if (count === 0) return { change: 0, low: 0, high: 0 };
  const all = Array.from({ length: count }, (_, i) => i);
  const random = seededRandom(options.seed ?? 1);
  const drawn = new Uint32Array(count);
  const changes = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let k = 0; k < count; k++) drawn[k] = Math.floor(random() * count);
    changes[r] = changeOf(drawn);
  }
  changes.sort();
  const at = (q: number) =>
    changes[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!;
  return { change: changeOf(all), low: at((1 - level) / 2), high: at(1 - (1 - level) / 2) };
}
