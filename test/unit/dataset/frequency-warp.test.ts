import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WaveFile } from 'wavefile';
import { loadTrainingBatch } from '../../../src-main/engine/acoustic/training-data';
import { seededRandom } from '../../../src-main/engine/dataset/batching';
import {
  drawWarpFactor,
  sourceFrequency,
  warpFrequencies,
} from '../../../src-main/engine/dataset/frequency-warp';
import { computeLogMel, type LogMelFeatures } from '../../../src-main/engine/features';

function tone(hz: number, sec = 0.5): Float32Array {
  const out = new Float32Array(Math.round(sec * 16000));
  for (let i = 0; i < out.length; i++) out[i] = 0.3 * Math.sin((2 * Math.PI * hz * i) / 16000);
  return out;
}

/** The mel bin with the most energy in the middle frame. */
function peakBin(features: LogMelFeatures): number {
  const t = Math.floor(features.numFrames / 2);
  let best = 0;
  for (let bin = 1; bin < features.numBins; bin++) {
    if (
      features.data[bin * features.numFrames + t]! > features.data[best * features.numFrames + t]!
    )
      best = bin;
  }
  return best;
}

describe('frequency warp (vocal tract length perturbation)', () => {
  const edges = { boundaryHz: 4800, nyquistHz: 8000 };

  it('scales frequencies below the knee by the factor and keeps the band edges', () => {
    for (const factor of [0.9, 0.95, 1.05, 1.1]) {
      expect(sourceFrequency(1000, factor, edges)).toBeCloseTo(1000 / factor, 9);
      expect(sourceFrequency(0, factor, edges)).toBe(0);
      expect(sourceFrequency(8000, factor, edges)).toBeCloseTo(8000, 9);
      // The inverse of the forward warp: α·f below the knee, then a straight line to Nyquist.
      const knee = (4800 * Math.min(factor, 1)) / factor;
      const forward = (f: number) =>
        f <= knee
          ? factor * f
          : factor * knee + ((f - knee) * (8000 - factor * knee)) / (8000 - knee);
      for (const f of [300, knee - 1, knee, knee + 1, 6000, 7900]) {
        expect(sourceFrequency(forward(f), factor, edges)).toBeCloseTo(f, 6);
      }
      // Increasing across the band.
      let previous = -1;
      for (let hz = 0; hz <= 8000; hz += 50) {
        const from = sourceFrequency(hz, factor, edges);
        expect(from).toBeGreaterThan(previous);
        expect(from).toBeLessThanOrEqual(8000 + 1e-9);
        previous = from;
      }
    }
  });

  it('moves a tone where a tone of the warped frequency sits', () => {
    for (const [hz, factor] of [
      [1000, 1.1],
      [1500, 0.9],
      [700, 1.08],
    ] as const) {
      const warped = computeLogMel(tone(hz));
      warpFrequencies(warped, factor);
      const expected = peakBin(computeLogMel(tone(hz * factor)));
      expect(Math.abs(peakBin(warped) - expected)).toBeLessThanOrEqual(1);
      expect(peakBin(warped)).not.toBe(peakBin(computeLogMel(tone(hz))));
    }
  });

  it('leaves the features as they are at factor 1, and nearly so just off it (no bin shift)', () => {
    const features = computeLogMel(tone(440));
    const before = features.data.slice();
    warpFrequencies(features, 1);
    expect(features.data).toEqual(before);
    warpFrequencies(features, 1 + 1e-9);
    const largest = before.reduce((m, v, i) => Math.max(m, Math.abs(v - features.data[i]!)), 0);
    expect(largest).toBeLessThan(1e-4);
  });

  it('refuses a factor that is not positive and a boundary at or past Nyquist', () => {
    const features = computeLogMel(tone(440));
    expect(() => warpFrequencies(features, 0)).toThrow(RangeError);
    expect(() => warpFrequencies(features, Number.NaN)).toThrow(/positive/);
    expect(() => warpFrequencies(features, 1.1, { boundaryHz: 7500 })).toThrow(/Nyquist/);
    expect(() => sourceFrequency(100, 1.05, { boundaryHz: 4800, nyquistHz: 4000 })).toThrow(
      /Nyquist/,
    );
  });

  it('draws factors within the range, on both sides of 1', () => {
    const random = seededRandom(5);
    const factors = Array.from({ length: 500 }, () =>
      drawWarpFactor({ maxWarp: 0.1, boundaryHz: 4800 }, random),
    );
    expect(Math.min(...factors)).toBeGreaterThanOrEqual(0.9);
    expect(Math.max(...factors)).toBeLessThanOrEqual(1.1);
    expect(factors.filter((f) => f < 1).length).toBeGreaterThan(150);
    expect(factors.filter((f) => f > 1).length).toBeGreaterThan(150);
  });

  describe('in a training batch', () => {
    let dir: string;
    const entries: { audioPath: string; durationSec: number; text: string }[] = [];
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hark-warp-'));
      for (let i = 0; i < 3; i++) {
        const wav = new WaveFile();
        wav.fromScratch(1, 16000, '32f', tone(600 + 400 * i, 0.4 + 0.2 * i));
        const audioPath = join(dir, `u${i}.wav`);
        await writeFile(audioPath, wav.toBuffer());
        entries.push({ audioPath, durationSec: 0.4 + 0.2 * i, text: 'ab' });
      }
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('changes the features, not their lengths or labels, and the same seed gives the same batch', async () => {
      const plain = await loadTrainingBatch(entries, { random: seededRandom(1) });
      const load = () =>
        loadTrainingBatch(entries, {
          frequencyWarp: { maxWarp: 0.1, boundaryHz: 4800 },
          random: seededRandom(1),
        });
      const [a, b] = [await load(), await load()];
      expect(a.batch.featureLengths).toEqual(plain.batch.featureLengths);
      expect(a.batch.labels).toEqual(plain.batch.labels);
      expect(a.batch.features).not.toEqual(plain.batch.features);
      expect(a.batch.features).toEqual(b.batch.features);
    });
  });
});
