/** Test audio made on the spot: tone bursts of known timing, espeak-ng words, WAV files. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAudioWhole } from '../../../src-main/engine/audio';

export const SAMPLE_RATE = 16000;

/** Deterministic numbers in [0, 1) (an LCG). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A sine burst with 5 ms raised-cosine ramps so it has no clicks. */
export function toneBurst(options: {
  frequencyHz: number;
  durationSec: number;
  amplitude?: number;
}): Float32Array {
  const length = Math.round(options.durationSec * SAMPLE_RATE);
  const ramp = Math.round(0.005 * SAMPLE_RATE);
  const amplitude = options.amplitude ?? 0.3;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const edge = Math.min(i, length - 1 - i);
    const gain = edge < ramp ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / ramp) : 1;
    out[i] = amplitude * gain * Math.sin((2 * Math.PI * options.frequencyHz * i) / SAMPLE_RATE);
  }
  return out;
}

/** `totalSec` of low white noise (about -60 dBFS) with `parts` added at their start times. */
export function mixAt(
  totalSec: number,
  parts: { startSec: number; samples: Float32Array }[],
  seed = 1,
): Float32Array {
  const out = new Float32Array(Math.round(totalSec * SAMPLE_RATE));
  const random = seededRandom(seed);
  for (let i = 0; i < out.length; i++) out[i] = (random() - 0.5) * 2e-3;
  for (const { startSec, samples } of parts) {
    const offset = Math.round(startSec * SAMPLE_RATE);
    for (let i = 0; i < samples.length && offset + i < out.length; i++)
      out[offset + i]! += samples[i]!;
  }
  return out;
}

/** One word spoken by espeak-ng at 16 kHz, with its leading and trailing silence cut off. */
export async function espeakWord(
  word: string,
  options: { voice?: string; speed?: number } = {},
): Promise<Float32Array> {
  const dir = mkdtempSync(join(tmpdir(), 'hark-espeak-'));
  try {
    const file = join(dir, 'word.wav');
    execFileSync('espeak-ng', [
      '-v',
      options.voice ?? 'en-us',
      '-s',
      String(options.speed ?? 150),
      '-z',
      '-w',
      file,
      word,
    ]);
    const { samples } = await readAudioWhole(file, { targetSampleRate: SAMPLE_RATE });
    const threshold = 0.02 * samples.reduce((max, x) => Math.max(max, Math.abs(x)), 0);
    let first = 0;
    while (first < samples.length && Math.abs(samples[first]!) < threshold) first++;
    let last = samples.length - 1;
    while (last > first && Math.abs(samples[last]!) < threshold) last--;
    return samples.slice(first, last + 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
