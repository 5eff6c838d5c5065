/**
 * Vocal tract length perturbation (Jaitly & Hinton, 2013) on log-mel features: the spectrum of each
 * utterance is stretched or squeezed along the frequency axis by a random factor, as if a speaker
 * with a shorter or longer vocal tract had said it. A synthetic corpus has a few hundred voices; the
 * warp fills the space between them (formant positions) without new audio.
 *
 * The warp maps a source frequency f to α·f up to a boundary, then linearly to the Nyquist frequency
 * (so the band's edges stay put and no bin reads beyond them); each mel bin takes the log energy at
 * its centre's source frequency, linearly interpolated between the source bins' centres.
 */
import {
  DEFAULT_FEATURE_OPTIONS,
  hzToMelSlaney,
  melScaleLayout,
  melToHzSlaney,
  type LogMelFeatures,
} from '../features';

/** How strongly and where the spectrum is warped. */
export interface FrequencyWarpOptions {
  /** The factor α is drawn uniformly from [1 − maxWarp, 1 + maxWarp]; 0 turns the warp off. */
  maxWarp: number;
  /** Below this frequency (scaled by min(α, 1) / α) the warp is α·f; above it, linear to Nyquist. */
  boundaryHz: number;
}

export const DEFAULT_FREQUENCY_WARP: Readonly<FrequencyWarpOptions> = Object.freeze({
  maxWarp: 0.1,
  boundaryHz: 4800,
});

/**
 * The source frequency that lands on `hz` under the piecewise-linear warp with factor `factor`
 * (the inverse of the warp).
 */
export function sourceFrequency(
  hz: number,
  factor: number,
  options: { boundaryHz: number; nyquistHz: number },
): number {
  const { boundaryHz, nyquistHz } = options;
  if (!(boundaryHz > 0 && boundaryHz * Math.max(factor, 1) < nyquistHz)) {
    throw new RangeError(
      `frequency warp: the boundary ${boundaryHz} Hz × ${factor} must lie below Nyquist (${nyquistHz} Hz)`,
    );
  }
  const knee = (boundaryHz * Math.min(factor, 1)) / factor; // source frequency of the knee
  const kneeTarget = factor * knee;
  if (hz <= kneeTarget) return hz / factor;
  return knee + ((hz - kneeTarget) * (nyquistHz - knee)) / (nyquistHz - kneeTarget);
}

/**
 * Warps un-normalised log-mel features in place by `factor` (1 leaves them as they are). Call it
 * before per-feature normalisation.
 *
 * @example
 * const features = computeLogMel(samples);
 * warpFrequencies(features, 1.07);
 * normalizePerFeature(features);
 */
export function warpFrequencies(
  features: LogMelFeatures,
  factor: number,
  options: { boundaryHz?: number; sampleRate?: number } = {},
): void {
  if (!(factor > 0) || !Number.isFinite(factor)) {
    throw new RangeError(`frequency warp: the factor must be positive, not ${factor}`);
  }
  if (factor === 1) return;
  const { data, numBins, numFrames } = features;
  const sampleRate = options.sampleRate ?? DEFAULT_FEATURE_OPTIONS.sampleRate;
  const boundaryHz = options.boundaryHz ?? DEFAULT_FREQUENCY_WARP.boundaryHz;
  const nyquistHz = sampleRate / 2;
  // The front end's filterbank: bin b is centred at melLow + (b + 1)·melDelta.
  const { lowFreqHz, highFreqHz } = DEFAULT_FEATURE_OPTIONS;
  const { melLow, melDelta } = melScaleLayout({
    sampleRate,
    numMelBins: numBins,
    lowFreqHz,
    highFreqHz,
  });
  const source = data.slice();
  for (let bin = 0; bin < numBins; bin++) {
    const centerHz = melToHzSlaney(melLow + (bin + 1) * melDelta);
    const fromHz = sourceFrequency(centerHz, factor, { boundaryHz, nyquistHz });
    // Fractional index of the source among the bin centres.
    const position = Math.min(
      numBins - 1,
      Math.max(0, (hzToMelSlaney(fromHz) - melLow) / melDelta - 1),
    );
    const lower = Math.floor(position);
    const upper = Math.min(numBins - 1, lower + 1);
    const weight = position - lower;
    const out = bin * numFrames;
    const a = lower * numFrames;
    const b = upper * numFrames;
    for (let t = 0; t < numFrames; t++) {
      data[out + t] = (1 - weight) * source[a + t]! + weight * source[b + t]!;
    }
  }
}

/** A warp factor drawn uniformly from [1 − maxWarp, 1 + maxWarp]. */
export function drawWarpFactor(options: FrequencyWarpOptions, random: () => number): number {
  return 1 + (2 * random() - 1) * options.maxWarp;
}
