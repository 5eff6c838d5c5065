/**
 * A cheap test for "nothing here but silence or steady noise", run on each window's log-mel
 * features before they are normalised. Per-feature normalisation stretches whatever a window
 * holds to unit variance, so a window of digital silence, hiss or hum reaches the model looking
 * like speech, and it spells a few letters into it ("the", "a"). Such windows are skipped: their
 * frames are all blank.
 *
 * The measure is how far the energy of each frequency band swings over time. Speech comes in
 * syllables and pauses, so in every band where it stands above the noise its frame energy swings
 * by tens of decibels; steady noise swings by a fixed amount that depends only on the band's width
 * (a narrow band of noise wobbles more from frame to frame). The mel bins are summed into four
 * bands of 20 bins each; a band's swing is its loud frames (99.5th percentile: 120 ms of a 24 s
 * window) over its quiet ones (10th percentile), less the swing of white noise in the same band
 * (measured once). A window may hold speech when some band swings `minExcessDb` more than noise.
 * Working per band makes the measure largely blind to the noise's colour and the overall level: a dull
 * voice under hiss still swings in the low bands where it dominates.
 *
 * Figures behind the 3 dB threshold (`node --import tsx scripts/speech-presence-levels.ts --limit
 * 3000`, noise made as the corpus makes it): white and pink noise, 1 s or 24 s, at 1e-4 to 0.1
 * RMS, exceed white noise's swing by −1.8 to 1.1 dB; of 7,443 utterances (all of cathy,
 * speech-commands and the synthetic test and dev sets, 2,000 of fsdd, 3,000 of the synthetic
 * training set with its noise down to 5 dB SNR) none exceeds it by less than 6.5 dB (an fsdd
 * "zero"). Loud brown noise (1/f² down to a few hertz, 0.1 RMS) swings 7–15 dB more in the lowest
 * band (its power, at a few hertz, drifts slowly from frame to frame) and is passed to the model; so is
 * anything else that is not steady (music, babble, traffic), as before.
 */
import { computeLogMel, type LogMelFeatures } from '../features';
import { seededRandom } from '../seeded-random';

export interface SpeechPresenceOptions {
  /**
   * Least excess, in dB, of some band's swing over steady noise's that counts as speech. Default
   * `DEFAULT_MIN_EXCESS_DB`.
   */
  minExcessDb?: number;
}

export const DEFAULT_MIN_EXCESS_DB = 3;
const BINS_PER_BAND = 20;
const QUIET_QUANTILE = 0.1;
const LOUD_QUANTILE = 0.995;
/** Fewer frames than this (100 ms) are too few to judge. */
const MIN_FRAMES = 10;

/**
 * The swing in dB of each band's energy (loud frames over quiet ones), lowest band first, or
 * undefined for features too short to judge (under 10 frames).
 */
export function bandSwingsDb(features: LogMelFeatures): number[] | undefined {
  const { data, numFrames, numBins } = features;
  if (numFrames < MIN_FRAMES) return undefined;
  const swings: number[] = [];
  const energy = new Float64Array(numFrames);
  for (let first = 0; first < numBins; first += BINS_PER_BAND) {
    energy.fill(0);
    const last = Math.min(numBins, first + BINS_PER_BAND);
    for (let bin = first; bin < last; bin++) {
      const row = bin * numFrames;
      for (let t = 0; t < numFrames; t++) energy[t]! += Math.exp(data[row + t]!);
    }
    const sorted = energy.slice().sort();
    const at = (q: number) => sorted[Math.min(numFrames - 1, Math.floor(q * numFrames))]!;
    swings.push(10 * Math.log10(at(LOUD_QUANTILE) / at(QUIET_QUANTILE)));
  }
  return swings;
}

const steadySwings = new Map<number, number[]>();

/**
 * How far each band of steady noise swings with this front end: measured once, on 20 s of seeded
 * white noise at −30 dBFS (the swing of Gaussian noise depends on the band's width, not on its
 * level or colour).
 */
export function steadyNoiseSwingsDb(numBins: number): number[] {
  let swings = steadySwings.get(numBins);
  if (!swings) {
    const random = seededRandom(numBins);
    const noise = Float32Array.from({ length: 20 * 16000 }, () => (random() - 0.5) * 0.11);
    swings = bandSwingsDb(computeLogMel(noise, { numMelBins: numBins }))!;
    steadySwings.set(numBins, swings);
  }
  return swings;
}

/**
 * How much more each band swings than steady noise's does, in dB, or undefined for features too
 * short to judge.
 */
export function excessSwingsDb(features: LogMelFeatures): number[] | undefined {
  const steady = steadyNoiseSwingsDb(features.numBins);
  return bandSwingsDb(features)?.map((swing, band) => swing - steady[band]!);
}

/**
 * False when the features (log-mel of 16 kHz audio, before normalisation) show digital silence or
 * steady noise: nothing a recogniser should transcribe. Features too short to judge count as
 * possible speech.
 *
 * @example
 * mightContainSpeech(computeLogMel(new Float32Array(16000))); // false: digital silence
 */
export function mightContainSpeech(
  features: LogMelFeatures,
  options: SpeechPresenceOptions = {},
): boolean {
  const excess = excessSwingsDb(features);
  const threshold = options.minExcessDb ?? DEFAULT_MIN_EXCESS_DB;
  return excess === undefined || excess.some((value) => value >= threshold);
}
