import { readAudioWhole } from '../audio';
import { encodeCharacters } from '../dataset/character-tokens';
import { packBatch, utteranceFeatures, type FeatureBatch } from '../dataset/feature-batch';
import type { ManifestEntry } from '../dataset/manifest';
import { padWithBackground, type BackgroundPadding } from '../dataset/background-padding';
import {
  drawWarpFactor,
  warpFrequencies,
  type FrequencyWarpOptions,
} from '../dataset/frequency-warp';
import { specAugment, type SpecAugmentOptions } from '../dataset/spec-augment';
import type { LogMelFeatures } from '../features';
import type { TensorValue } from '../runtime/onnx-runtime';
import { TRAIN_BATCH_INPUTS } from './ctc-training';

export interface BatchLoadOptions {
  /** Masks to apply; undefined for none (validation, fine-tuning on little data). */
  specAugment?: SpecAugmentOptions;
  /** Stretches of background noise around the speech; undefined for none. */
  backgroundPadding?: BackgroundPadding;
  /** Vocal tract length perturbation of each utterance's spectrum; undefined for none. */
  frequencyWarp?: FrequencyWarpOptions;
  random: () => number;
}

/**
 * Reads a batch of utterances from disk and packs it for the CTC train step: 16 kHz audio → the
 * background padding → inference front end (log-mel, then the frequency warp if any, per-feature
 * normalisation) → SpecAugment → padded tensors.
 *
 * @example
 * const feeds = await loadTrainingBatch(entries.slice(0, 16), { random: seededRandom(1) });
 * await trainer.step(feeds, { learningRate: 1e-3 });
 */
export async function loadTrainingBatch(
  entries: readonly ManifestEntry[],
  options: BatchLoadOptions,
): Promise<{ feeds: Record<string, TensorValue>; batch: FeatureBatch }> {
  // Read together, then augmented in the batch's order: the random draws do not depend on which
  // file finished reading first, so a seeded batch is the same every time.
  const audio = await Promise.all(entries.map((entry) => readAudioWhole(entry.audioPath)));
  const items = entries.map((entry, i) => {
    const { samples } = audio[i]!;
    const padded = options.backgroundPadding
      ? padWithBackground(samples, options.backgroundPadding, options.random)
      : samples;
    const warp = options.frequencyWarp;
    const warpSpectrum = warp
      ? (logMel: LogMelFeatures) =>
          warpFrequencies(logMel, drawWarpFactor(warp, options.random), {
            boundaryHz: warp.boundaryHz,
          })
      : undefined;
    const features = utteranceFeatures(padded, warpSpectrum);
    if (options.specAugment) specAugment(features, options.specAugment, options.random);
    return { features, labels: encodeCharacters(entry.text) };
  });
  const batch = packBatch(items, { maxFramesMultiple: 32 });
  return { feeds: batchFeeds(batch), batch };
}

/** The train step's batch inputs for a packed batch. */
export function batchFeeds(batch: FeatureBatch): Record<string, TensorValue> {
  return {
    [TRAIN_BATCH_INPUTS.features]: {
      type: 'float32',
      data: batch.features,
      dims: [batch.batchSize, batch.numBins, batch.maxFrames],
    },
    [TRAIN_BATCH_INPUTS.featureLengths]: {
      type: 'int64',
      data: batch.featureLengths,
      dims: [batch.batchSize],
    },
    [TRAIN_BATCH_INPUTS.labels]: {
      type: 'int64',
      data: batch.labels,
      dims: [batch.batchSize, batch.maxLabels],
    },
    [TRAIN_BATCH_INPUTS.labelLengths]: {
      type: 'int64',
      data: batch.labelLengths,
      dims: [batch.batchSize],
    },
  };
}
