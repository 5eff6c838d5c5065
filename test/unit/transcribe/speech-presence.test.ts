import { describe, expect, it } from 'vitest';
import { computeLogMel } from '../../../src-main/engine/features';
import { seededRandom } from '../../../src-main/engine/seeded-random';
import {
  bandSwingsDb,
  excessSwingsDb,
  mightContainSpeech as mightContainSpeechInFeatures,
  steadyNoiseSwingsDb,
} from '../../../src-main/engine/transcribe/speech-presence';

const RATE = 16000;

function mightContainSpeech(samples: Float32Array, options = {}): boolean {
  return mightContainSpeechInFeatures(computeLogMel(samples), options);
}

function largestExcess(samples: Float32Array): number | undefined {
  const excess = excessSwingsDb(computeLogMel(samples));
  return excess && Math.max(...excess);
}

function white(seconds: number, rms: number, seed = 1): Float32Array {
  const random = seededRandom(seed);
  // Uniform in [-0.5, 0.5) has RMS 1/√12.
  return Float32Array.from(
    { length: seconds * RATE },
    () => (random() - 0.5) * rms * Math.sqrt(12),
  );
}

function brown(seconds: number, rms: number, seed = 2): Float32Array {
  const random = seededRandom(seed);
  let level = 0;
  const out = Float32Array.from(
    { length: seconds * RATE },
    () => (level = 0.995 * level + (random() - 0.5)),
  );
  const actual = Math.sqrt(out.reduce((sum, v) => sum + v * v, 0) / out.length);
  return out.map((v) => (v * rms) / actual);
}

/** Syllables: a 150 Hz buzz (RMS about 0.45 × peak), on for 200 ms and off for 100 ms, added to `floor`. */
function syllables(floor: Float32Array, peak: number): Float32Array {
  const out = floor.slice();
  for (let i = 0; i < out.length; i++) {
    if (i % (0.3 * RATE) >= 0.2 * RATE) continue;
    let buzz = 0;
    for (let h = 1; h <= 10; h++) buzz += Math.sin((2 * Math.PI * 150 * h * i) / RATE) / h;
    out[i]! += (peak * buzz) / 2;
  }
  return out;
}

describe('mightContainSpeech', () => {
  it('is false for digital silence and for steady noise at any level', () => {
    expect(mightContainSpeech(new Float32Array(RATE * 24))).toBe(false);
    for (const rms of [1e-4, 1e-2, 0.3]) {
      expect(mightContainSpeech(white(24, rms))).toBe(false);
      expect(mightContainSpeech(brown(24, rms))).toBe(false);
      expect(mightContainSpeech(white(1, rms))).toBe(false);
    }
  });

  it('is false for a steady tone (hum)', () => {
    const hum = Float32Array.from(
      { length: RATE * 5 },
      (_, i) => 0.2 * Math.sin((2 * Math.PI * 50 * i) / RATE),
    );
    expect(mightContainSpeech(hum)).toBe(false);
  });

  it('is true for syllables over noise, down to about 0 dB above it', () => {
    expect(mightContainSpeech(syllables(white(3, 1e-3), 0.1))).toBe(true);
    expect(mightContainSpeech(syllables(brown(3, 0.045), 0.1))).toBe(true);
    expect(mightContainSpeech(syllables(white(3, 0.045), 0.1))).toBe(true);
  });

  it('is true for a 24 s window of noise with one 0.3 s word in it', () => {
    const window = white(24, 1e-3);
    const word = syllables(new Float32Array(0.3 * RATE), 0.1);
    for (let i = 0; i < word.length; i++) window[10 * RATE + i]! += word[i]!;
    expect(mightContainSpeech(window)).toBe(true);
  });

  it('gives the benefit of the doubt to audio too short to judge (under 100 ms)', () => {
    expect(mightContainSpeech(new Float32Array(1000))).toBe(true);
    expect(bandSwingsDb(computeLogMel(new Float32Array(1000)))).toBeUndefined();
    expect(mightContainSpeech(new Float32Array(3200))).toBe(false);
  });

  it('measures by how much band energies swing more than steady noise’s', () => {
    const speech = syllables(white(3, 1e-3), 1e-1);
    expect(bandSwingsDb(computeLogMel(speech))).toHaveLength(4);
    expect(largestExcess(speech)!).toBeGreaterThan(30);
    // 20 dB louder, the same swing (give or take where the front end's energy floor bites).
    expect(
      Math.abs(largestExcess(speech.map((v) => v * 10))! - largestExcess(speech)!),
    ).toBeLessThan(3);
    expect(mightContainSpeech(speech, { minExcessDb: 100 })).toBe(false);
    // Steady noise's own swing is widest in the narrowest (lowest) band.
    const steady = steadyNoiseSwingsDb(80, 2400);
    expect(steady).toHaveLength(4);
    expect(steady[0]!).toBeGreaterThan(steady[3]!);
    expect(Math.abs(largestExcess(white(5, 0.02, 9))!)).toBeLessThan(1);
  });
});
