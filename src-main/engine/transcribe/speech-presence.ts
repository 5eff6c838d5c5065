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
 * bands of 20 bins each; a band's swing is its loud frames (the 99.5th percentile, or the 5th
 * loudest frame in audio over 10 s) over its quiet ones (10th percentile), less the swing of white noise in the same band
 * (measured once). A window may hold speech when some band swings `minExcessDb` more than noise.
 * Working per band makes the measure largely blind to the noise's colour and the overall level: a dull
 * voice under hiss still swings in the low bands where it dominates.
 *
 * Figures behind the 3 dB threshold (`node --import tsx scripts/speech-presence-levels.ts --limit
 * 3000 MANIFEST...`, noise made as the corpus makes it): white and pink noise, 1 s or 24 s, at
 * 1e-4 to 0.1 RMS, exceed white noise's swing by −1.9 to 0.7 dB. Of all of fsdd (2,000 clips),
 * speech-commands (770), cathy (593) and the synthetic test set (531), no utterance exceeds it by
 * less than 6.3 dB (an fsdd "three"). Each alone in the middle of 24 s of white noise at its own
 * floor (a word in a long pause): fsdd 5.6 dB at least, cathy 18.0, synthetic test 15.8, but 7
 * speech-commands clips fall to 0.6–0.7 dB and would be skipped: their "floor" is a loud hum with
 * the word buried in it, so the long noise around them is as loud as they are. (An earlier
 * measure, 99.5th percentile throughout, found the synthetic dev set and 3,000 noisy training
 * utterances at 10 dB or more.) Loud brown noise (1/f² down to a few hertz, 0.1 RMS) swings 7–15
 * dB more in the lowest band (its power, at a few hertz, drifts slowly from frame to frame) and is
 * passed to the model; so is anything else that is not steady (music, babble, traffic), as before.
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
/**
 * The loud level: the 99.5th percentile frame, but never further down than the 5th loudest
 * (50 ms), so a short word alone in a long quiet window counts as fully as in a short clip.
 */
const LOUD_QUANTILE = 0.995;
const LOUD_FRAMES_AT_MOST = 5;
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
    const sorted = energy.sort(); // in place: the buffer is refilled for the next band
    const quiet = sorted[Math.floor(QUIET_QUANTILE * numFrames)]!;
    const loudFrames = Math.min(LOUD_FRAMES_AT_MOST, Math.ceil((1 - LOUD_QUANTILE) * numFrames));
    const loud = sorted[numFrames - loudFrames]!;
    swings.push(10 * Math.log10(loud / quiet));
  }
  return swings;
}

const steadySwings = new Map<string, number[]>();
/** Up to this many frames the loud level is a fixed percentile, beyond it a fixed frame count. */
const PERCENTILE_FRAMES = Math.ceil(LOUD_FRAMES_AT_MOST / (1 - LOUD_QUANTILE));
/** The longest window transcribeStream makes: a 20 s core, 2 s of context a side, a 5 s tail. */
const LONGEST_WINDOW_SEC = 29;

/**
 * How far each band of steady noise swings with this front end, for audio of `numFrames` frames:
 * measured once on seeded white noise at −30 dBFS (the swing of Gaussian noise depends on the
 * band's width, not on its level or colour). Up to 10 s the loud level is a percentile, and one
 * measurement on 10 s serves; beyond, the 5th loudest frame of longer noise is a little louder, so
 * the longest window's length is measured, which errs towards passing audio to the model.
 */
export function steadyNoiseSwingsDb(numBins: number, numFrames: number): number[] {
  const seconds = numFrames <= PERCENTILE_FRAMES ? PERCENTILE_FRAMES / 100 : LONGEST_WINDOW_SEC;
  const key = `${numBins}/${seconds}`;
  let swings = steadySwings.get(key);
  if (!swings) {
    const random = seededRandom(numBins);
    const noise = Float32Array.from({ length: seconds * 16000 }, () => (random() - 0.5) * 0.11);
    swings = bandSwingsDb(computeLogMel(noise, { numMelBins: numBins }))!;
    steadySwings.set(key, swings);
  }
  return swings;
}

/**
 * How much more each band swings than steady noise's does, in dB, or undefined for features too
 * short to judge.
 */
export function excessSwingsDb(features: LogMelFeatures): number[] | undefined {
  const steady = steadyNoiseSwingsDb(features.numBins, features.numFrames);
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
