import type { LogMelFeatures } from '../features';

/**
 * SpecAugment (Park et al., 2019) on normalised features: frequency masks and time masks set to 0,
 * the features' mean after per-feature normalisation. No time warping (it adds little for CTC).
 */
export interface SpecAugmentOptions {
  freqMasks: number;
  maxFreqWidth: number;
  /** Time masks per second of audio (100 frames), rounded down, at most `maxTimeMasks`. */
  timeMasksPerSec: number;
  maxTimeMasks: number;
  /** Widest time mask as a fraction of the utterance, and in frames. */
  maxTimeFraction: number;
  maxTimeWidth: number;
}

export const DEFAULT_SPEC_AUGMENT: Readonly<SpecAugmentOptions> = Object.freeze({
  freqMasks: 2,
  maxFreqWidth: 15,
  timeMasksPerSec: 0.5,
  maxTimeMasks: 6,
  maxTimeFraction: 0.05,
  maxTimeWidth: 40,
});

/**
 * Masks `features` in place.
 *
 * @example
 * specAugment(features, DEFAULT_SPEC_AUGMENT, seededRandom(7));
 */
export function specAugment(
  features: LogMelFeatures,
  options: SpecAugmentOptions,
  random: () => number,
): void {
  const { data, numFrames, numBins } = features;
  for (let mask = 0; mask < options.freqMasks; mask++) {
    const width = Math.floor(random() * (options.maxFreqWidth + 1));
    const start = Math.floor(random() * Math.max(1, numBins - width));
    for (let bin = start; bin < Math.min(numBins, start + width); bin++) {
      data.fill(0, bin * numFrames, (bin + 1) * numFrames);
    }
  }
  const timeMasks = Math.min(
    options.maxTimeMasks,
    Math.floor((numFrames / 100) * options.timeMasksPerSec),
  );
  const maxWidth = Math.min(options.maxTimeWidth, Math.floor(numFrames * options.maxTimeFraction));
  for (let mask = 0; mask < timeMasks; mask++) {
    const width = Math.floor(random() * (maxWidth + 1));
    const start = Math.floor(random() * Math.max(1, numFrames - width));
    for (let bin = 0; bin < numBins; bin++) {
      data.fill(0, bin * numFrames + start, bin * numFrames + Math.min(numFrames, start + width));
    }
  }
}
