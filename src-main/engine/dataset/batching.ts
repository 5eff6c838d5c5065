import { seededRandom, shuffleInPlace } from '../seeded-random';

export { seededRandom, shuffleInPlace };

/**
 * Length-bucketed batching for CTC training: utterances of similar duration share a batch, so little
 * of each batch is padding, and each batch holds at most `maxBatchSec` of audio (bounding memory and
 * step time). The order of batches is shuffled by a seeded generator, so a run is reproducible.
 */
export interface BatchPlanOptions {
  /** Total audio seconds per batch (padded length × count). */
  maxBatchSec: number;
  /** Upper bound on utterances per batch. */
  maxUtterances: number;
  /** Seed of the shuffle; a new epoch passes a new seed. */
  seed: number;
}

/**
 * @example
 * const batches = planBatches(entries.map((e) => e.durationSec), { maxBatchSec: 120, maxUtterances: 32, seed: 1 });
 * // batches[0] = [indices into entries]
 */
export function planBatches(
  durationsSec: readonly number[],
  options: BatchPlanOptions,
): number[][] {
  const random = seededRandom(options.seed);
  // Sort by duration with a little jitter, so batches differ between epochs.
  const order = durationsSec
    .map((duration, index) => ({ index, key: duration * (0.9 + 0.2 * random()) }))
    .sort((a, b) => a.key - b.key)
    .map((item) => item.index);
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  for (const index of order) {
    const duration = durationsSec[index]!;
    const longestIfAdded = Math.max(longest, duration);
    if (
      current.length > 0 &&
      (longestIfAdded * (current.length + 1) > options.maxBatchSec ||
        current.length >= options.maxUtterances)
    ) {
      batches.push(current);
      current = [];
      longest = 0;
    }
    current.push(index);
    longest = Math.max(longest, duration);
  }
  if (current.length > 0) batches.push(current);
  shuffleInPlace(batches, random);
  return batches;
}
