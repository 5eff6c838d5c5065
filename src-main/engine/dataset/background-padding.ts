/**
 * Background padding: stretches of non-speech added before and after an utterance while training.
 *
 * Synthesized speech starts and ends within a few milliseconds of the voice, while real recordings
 * (a one-word command, a spoken digit, a dictated sentence) hold up to a second of room noise around
 * it. A model that never saw such stretches spells letters into them ("e e o an o" for two seconds
 * of pink noise). The pad is white Gaussian noise at about the utterance's own noise floor (so an
 * utterance that was mixed with noise keeps about its level, though not its colour), never below a
 * faint dither. Each side is padded or not on its own draw.
 */

export interface BackgroundPadding {
  /** Chance that each side (start, end) of an utterance gets a pad. */
  probability: number;
  /** The longest pad on one side, in seconds (the length is uniform from 0). */
  maxSec: number;
}

export const DEFAULT_BACKGROUND_PADDING: Readonly<BackgroundPadding> = Object.freeze({
  probability: 0.5,
  maxSec: 0.8,
});

/** The faintest pad: about −86 dBFS RMS, a 16-bit recording's dither. */
const MIN_LEVEL = 5e-5;
const FRAME = 320;

/**
 * The RMS of the quietest tenth of the 20 ms frames: the level of whatever lies under the speech.
 *
 * @example
 * noiseFloor(new Float32Array(16000).fill(0.01)); // 0.01
 */
export function noiseFloor(samples: Float32Array): number {
  const levels: number[] = [];
  for (let start = 0; start + FRAME <= samples.length; start += FRAME) {
    let sum = 0;
    for (let i = start; i < start + FRAME; i++) sum += samples[i]! * samples[i]!;
    levels.push(Math.sqrt(sum / FRAME));
  }
  if (levels.length === 0) return 0;
  levels.sort((a, b) => a - b);
  return levels[Math.floor((levels.length - 1) * 0.1)]!;
}

/** A standard normal draw from two uniform ones (Box–Muller). */
function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * `samples` with pads of background noise before and/or after it (the same array when neither side
 * drew one). `random` decides the sides, lengths and level, so a seeded one gives the same result.
 *
 * @example
 * const padded = padWithBackground(samples, DEFAULT_BACKGROUND_PADDING, seededRandom(1));
 */
export function padWithBackground(
  samples: Float32Array,
  options: BackgroundPadding,
  random: () => number,
  sampleRate = 16000,
): Float32Array {
  const side = () =>
    random() < options.probability ? Math.floor(random() * options.maxSec * sampleRate) : 0;
  const before = side();
  const after = side();
  if (before === 0 && after === 0) return samples;
  const level = Math.max(MIN_LEVEL, noiseFloor(samples) * (0.5 + random()));
  const out = new Float32Array(before + samples.length + after);
  for (let i = 0; i < before; i++) out[i] = level * gaussian(random);
  out.set(samples, before);
  for (let i = before + samples.length; i < out.length; i++) out[i] = level * gaussian(random);
  return out;
}
