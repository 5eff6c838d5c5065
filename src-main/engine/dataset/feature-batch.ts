import { computeLogMel, normalizePerFeature, type LogMelFeatures } from '../features';

/** A padded batch in the model's layout. */
export interface FeatureBatch {
  /** (batch, numBins, maxFrames), feature-major per utterance, zero-padded. */
  features: Float32Array;
  /** Frames per utterance (batch). */
  featureLengths: BigInt64Array;
  /** (batch, maxLabels), padded with 0. */
  labels: BigInt64Array;
  labelLengths: BigInt64Array;
  batchSize: number;
  numBins: number;
  maxFrames: number;
  maxLabels: number;
}

/**
 * Normalised log-mel features of 16 kHz samples: the exact front end inference uses. Training may
 * change the log-mel features before the normalisation (`beforeNormalization`, the frequency warp).
 *
 * @example
 * const features = utteranceFeatures(samples);
 */
export function utteranceFeatures(
  samples: Float32Array,
  beforeNormalization?: (features: LogMelFeatures) => void,
): LogMelFeatures {
  const features = computeLogMel(samples);
  beforeNormalization?.(features);
  normalizePerFeature(features);
  return features;
}

/**
 * Pads utterances' features and labels into one batch. `maxFramesMultiple` rounds the padded length
 * up (fewer distinct shapes let ONNX Runtime reuse its memory plans).
 *
 * @example
 * const batch = packBatch([{ features, labels }], { maxFramesMultiple: 16 });
 */
export function packBatch(
  items: readonly { features: LogMelFeatures; labels: Int32Array }[],
  options: { maxFramesMultiple?: number } = {},
): FeatureBatch {
  const multiple = options.maxFramesMultiple ?? 1;
  const batchSize = items.length;
  const numBins = items[0]?.features.numBins ?? 80;
  const longest = Math.max(1, ...items.map((item) => item.features.numFrames));
  const maxFrames = Math.ceil(longest / multiple) * multiple;
  const maxLabels = Math.max(1, ...items.map((item) => item.labels.length));
  const features = new Float32Array(batchSize * numBins * maxFrames);
  const featureLengths = new BigInt64Array(batchSize);
  const labels = new BigInt64Array(batchSize * maxLabels);
  const labelLengths = new BigInt64Array(batchSize);
  items.forEach((item, b) => {
    const { data, numFrames } = item.features;
    for (let bin = 0; bin < numBins; bin++) {
      features.set(
        data.subarray(bin * numFrames, (bin + 1) * numFrames),
        (b * numBins + bin) * maxFrames,
      );
    }
    featureLengths[b] = BigInt(numFrames);
    item.labels.forEach((id, i) => (labels[b * maxLabels + i] = BigInt(id)));
    labelLengths[b] = BigInt(item.labels.length);
  });
  return {
    features,
    featureLengths,
    labels,
    labelLengths,
    batchSize,
    numBins,
    maxFrames,
    maxLabels,
  };
}
