import { HarkError } from '../errors';
import type { LogMelFeatures } from './log-mel';

/**
 * Added to the standard deviation before dividing, as in sherpa-onnx's `NemoNormalizePerFeature`
 * (sherpa-onnx/csrc/offline-stream.cc). NeMo's own `normalize_batch` uses the same constant.
 */
export const NORMALIZE_STD_EPSILON = 1e-5;

/**
 * NeMo `normalize_type = "per_feature"` exactly as sherpa-onnx applies it
 * (sherpa-onnx/csrc/offline-stream.cc, `NemoNormalizePerFeature`): for every mel bin, subtract its
 * mean over time and divide by (std + 1e-5), where std is the biased (divide by T) standard
 * deviation over all frames of the utterance. (NeMo itself uses the unbiased std; sherpa-onnx, and
 * so Hark, use the biased one.) Works in place on feature-major data; sums run in float64.
 *
 * @example
 * const features = computeLogMel(samples);
 * normalizePerFeature(features); // every row of features.data now has mean 0 and std ≈ 1
 */
export function normalizePerFeature(features: LogMelFeatures): void {
  const { data, numFrames, numBins } = features;
  if (data.length !== numFrames * numBins) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `features hold ${data.length} values, expected ${numBins} bins × ${numFrames} frames`,
    );
  }
  if (numFrames === 0) return;
  for (let b = 0; b < numBins; b++) {
    const offset = b * numFrames;
    let sum = 0;
    for (let t = 0; t < numFrames; t++) sum += data[offset + t]!;
    const mean = sum / numFrames;
    let squares = 0;
    for (let t = 0; t < numFrames; t++) {
      const d = data[offset + t]! - mean;
      squares += d * d;
    }
    const invStd = 1 / (Math.sqrt(squares / numFrames) + NORMALIZE_STD_EPSILON);
    for (let t = 0; t < numFrames; t++) data[offset + t] = (data[offset + t]! - mean) * invStd;
  }
}
