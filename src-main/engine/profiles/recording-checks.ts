/**
 * Checks a recording must pass before it joins a profile: audible, not clipped, a sensible length,
 * and a text that the CTC model can align to it. Pure functions over samples and text.
 */
import { encodeCharacters } from '../dataset/character-tokens';
import { frameCount } from '../features';
import { normalizeText } from '../text/normalize';
import { ctcRequiredFrames } from '../train/ctc';

export type RecordingProblemCode =
  | 'empty-text'
  | 'silent'
  | 'clipped'
  | 'too-short'
  | 'too-long'
  | 'text-too-long'
  | 'text-too-short'
  | 'bad-samples';

export interface RecordingProblem {
  code: RecordingProblemCode;
  /** One sentence a user can act on. */
  message: string;
}

export interface RecordingCheckOptions {
  sampleRate: number;
  /** The speech level (RMS of the loudest 10 % of 20 ms frames) must reach this, in dBFS. */
  silenceFloorDb: number;
  /** A recording is clipped when more than this fraction of samples sit at full scale. */
  maxClippedFraction: number;
  minDurationSec: number;
  maxDurationSec: number;
  /** Below this many characters per second of audio the text is probably incomplete. */
  minCharsPerSec: number;
  /** Output frames per input frame of the model (4× subsampling). */
  subsamplingFactor: number;
  /**
   * What is checked, for the advice: a take just recorded to a prompt (the microphone, the way
   * it was read), or a file being imported (the file and its text).
   */
  kind: 'take' | 'file';
}

export const DEFAULT_RECORDING_CHECKS: Readonly<RecordingCheckOptions> = Object.freeze({
  sampleRate: 16000,
  silenceFloorDb: -45,
  maxClippedFraction: 0.001,
  minDurationSec: 0.2,
  maxDurationSec: 30,
  minCharsPerSec: 0.5,
  subsamplingFactor: 4,
  kind: 'file',
});

/** A speech level above this but under the floor is a quiet recording rather than no sound. */
const AUDIBLE_DB = -60;
/** Seconds of audio per model input frame (10 ms hop). */
const FRAME_SEC = 0.01;

/** |sample| at or above this counts as full scale (16-bit full scale is 32767/32768). */
const FULL_SCALE = 0.999;

/** Measurements a recording UI can show (level meter, clipping warning). */
export interface RecordingLevels {
  durationSec: number;
  /** RMS of the loudest 10 % of 20 ms frames, in dBFS (−∞ for digital silence). */
  speechLevelDb: number;
  peakDb: number;
  clippedFraction: number;
}

/**
 * @example
 * measureLevels(samples).speechLevelDb; // e.g. -18.5
 */
export function measureLevels(samples: Float32Array, sampleRate = 16000): RecordingLevels {
  const frame = Math.max(1, Math.round(sampleRate * 0.02));
  const frameRms: number[] = [];
  let peak = 0;
  let clipped = 0;
  for (let start = 0; start < samples.length; start += frame) {
    const end = Math.min(samples.length, start + frame);
    let sum = 0;
    for (let i = start; i < end; i++) {
      const value = samples[i]!;
      const magnitude = Math.abs(value);
      sum += value * value;
      if (magnitude > peak) peak = magnitude;
      if (magnitude >= FULL_SCALE) clipped++;
    }
    frameRms.push(Math.sqrt(sum / (end - start)));
  }
  frameRms.sort((a, b) => b - a);
  const loudest = frameRms.slice(0, Math.max(1, Math.ceil(frameRms.length * 0.1)));
  const speechRms = Math.sqrt(loudest.reduce((s, r) => s + r * r, 0) / loudest.length);
  const toDb = (x: number) => (x > 0 ? 20 * Math.log10(x) : -Infinity);
  return {
    durationSec: samples.length / sampleRate,
    speechLevelDb: samples.length === 0 ? -Infinity : toDb(speechRms),
    peakDb: toDb(peak),
    clippedFraction: samples.length === 0 ? 0 : clipped / samples.length,
  };
}

/**
 * Everything wrong with a recording and its text (an empty list when it may be kept).
 *
 * @example
 * const problems = checkRecording(samples, 'the quick brown fox');
 * if (problems.length) console.log(problems.map((p) => p.message).join(' '));
 */
export function checkRecording(
  samples: Float32Array,
  text: string,
  options: Partial<RecordingCheckOptions> = {},
): RecordingProblem[] {
  const o = { ...DEFAULT_RECORDING_CHECKS, ...options };
  const problems: RecordingProblem[] = [];
  const levels = measureLevels(samples, o.sampleRate);
  const seconds = levels.durationSec;
  if (samples.some((x) => !Number.isFinite(x))) {
    return [{ code: 'bad-samples', message: 'The audio holds samples that are not numbers.' }];
  }
  const normalized = normalizeText(text);
  const take = o.kind === 'take';
  const what = take ? 'The take' : 'The recording';
  if (normalized === '') {
    problems.push({
      code: 'empty-text',
      message: 'The text is empty: a recording needs the words said in it.',
    });
  }
  if (seconds < o.minDurationSec) {
    problems.push({
      code: 'too-short',
      message: `${what} lasts ${seconds.toFixed(2)} s; it needs at least ${o.minDurationSec} s.`,
    });
  } else if (seconds > o.maxDurationSec) {
    problems.push({
      code: 'too-long',
      message: take
        ? `The take lasts ${seconds.toFixed(1)} s, more than the ${o.maxDurationSec} s a recording may last: read the prompt in one go.`
        : `The recording lasts ${seconds.toFixed(1)} s; split it into parts of at most ${o.maxDurationSec} s.`,
    });
  }
  if (levels.speechLevelDb < o.silenceFloorDb) {
    const level = `speech level ${formatDb(levels.speechLevelDb)}; at least ${o.silenceFloorDb} dBFS is needed`;
    const quiet = levels.speechLevelDb >= AUDIBLE_DB;
    problems.push({
      code: 'silent',
      message: quiet
        ? `${what} is too quiet (${level})${take ? ': speak closer to the microphone, or raise its input level.' : '.'}`
        : `${what} is silent or nearly so (${level})${take ? ': check that the microphone is on and is the one chosen.' : '.'}`,
    });
  }
  if (levels.clippedFraction > o.maxClippedFraction) {
    const share = `${(levels.clippedFraction * 100).toFixed(2)} % of samples at full scale`;
    problems.push({
      code: 'clipped',
      message: take
        ? `The take is clipped (${share}): lower the input level or move away from the microphone.`
        : `The recording is clipped (${share}): its loudest sounds are cut off.`,
    });
  }
  if (normalized !== '' && seconds >= o.minDurationSec) {
    const needed = ctcRequiredFrames(encodeCharacters(normalized));
    const available = Math.floor(
      frameCount(samples.length, { sampleRate: o.sampleRate }) / o.subsamplingFactor,
    );
    if (needed > available) {
      const neededSec = (needed * o.subsamplingFactor * FRAME_SEC).toFixed(1);
      problems.push({
        code: 'text-too-long',
        message: take
          ? `The take is too short for its prompt (${seconds.toFixed(1)} s; reading it takes at least ${neededSec} s): read the whole sentence before stopping.`
          : `The text is too long for ${seconds.toFixed(2)} s of audio (its letters need at least ${neededSec} s): is it the right text?`,
      });
    } else if (seconds >= 4 && normalized.length / seconds < o.minCharsPerSec) {
      problems.push({
        code: 'text-too-short',
        message: take
          ? `The take is long for its prompt (${seconds.toFixed(1)} s for ${normalized.length} letters): read just the prompt, and stop when it is read.`
          : `The text is too short for ${seconds.toFixed(1)} s of audio (${normalized.length} letters): is it the whole text?`,
      });
    }
  }
  return problems;
}

function formatDb(db: number): string {
  return Number.isFinite(db) ? `${db.toFixed(1)} dBFS` : 'digital silence';
}
