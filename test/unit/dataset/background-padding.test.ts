import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WaveFile } from 'wavefile';
import { loadTrainingBatch } from '../../../src-main/engine/acoustic/training-data';
import { noiseFloor, padWithBackground } from '../../../src-main/engine/dataset/background-padding';
import { seededRandom } from '../../../src-main/engine/dataset/batching';

/** A tone burst of `sec` seconds over noise of RMS `floor`. */
function speechLike(sec: number, floor: number, random: () => number): Float32Array {
  const out = new Float32Array(Math.round(sec * 16000));
  for (let i = 0; i < out.length; i++) {
    const noise = floor * Math.sqrt(3) * (2 * random() - 1);
    const voiced = i > out.length * 0.3 && i < out.length * 0.7;
    out[i] = noise + (voiced ? 0.3 * Math.sin((2 * Math.PI * 220 * i) / 16000) : 0);
  }
  return out;
}

const rms = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

describe('background padding', () => {
  it('measures the level under the speech, not the speech', () => {
    const samples = speechLike(2, 0.01, seededRandom(3));
    expect(noiseFloor(samples)).toBeGreaterThan(0.008);
    expect(noiseFloor(samples)).toBeLessThan(0.012);
    expect(noiseFloor(new Float32Array(100))).toBe(0);
  });

  it('keeps the utterance whole between pads of noise at its own floor', () => {
    const samples = speechLike(1, 0.01, seededRandom(5));
    const random = seededRandom(11);
    let padded = 0;
    for (let trial = 0; trial < 40; trial++) {
      const out = padWithBackground(samples, { probability: 0.5, maxSec: 0.8 }, random);
      expect(out.length - samples.length).toBeLessThanOrEqual(2 * 0.8 * 16000);
      if (out === samples) continue;
      padded++;
      // Where the original sits: the first sample that matches it exactly, in full.
      const before = out.findIndex((_, i) => samples.every((v, j) => out[i + j] === v));
      expect(before).toBeGreaterThanOrEqual(0);
      const after = out.length - before - samples.length;
      for (const pad of [out.subarray(0, before), out.subarray(out.length - after)]) {
        if (pad.length < 1600) continue;
        // Between half and one and a half times the floor (the level is drawn in that range).
        expect(rms(pad)).toBeGreaterThan(0.004);
        expect(rms(pad)).toBeLessThan(0.017);
      }
    }
    // Each side is padded with a chance of one half: most of 40 trials pad at least one side.
    expect(padded).toBeGreaterThan(20);
    expect(padded).toBeLessThan(40);
  });

  it('pads digital silence with a faint dither, and never when the chance is 0', () => {
    const silent = new Float32Array(16000);
    const random = seededRandom(2);
    for (let trial = 0; trial < 10; trial++) {
      const out = padWithBackground(silent, { probability: 1, maxSec: 0.5 }, random);
      expect(out.length).toBeGreaterThan(silent.length);
      // The silence keeps its place between the pads: the pads are the non-zero head and tail.
      const head = out.findIndex((v) => v === 0);
      const tail = out.length - head - silent.length;
      expect(out.subarray(head, head + silent.length).every((v) => v === 0)).toBe(true);
      for (const pad of [out.subarray(0, head), out.subarray(out.length - tail)]) {
        if (pad.length < 160) continue;
        expect(pad.every((v) => v !== 0)).toBe(true);
        expect(rms(pad)).toBeGreaterThan(4e-5);
        expect(rms(pad)).toBeLessThan(6e-5);
      }
    }
    expect(padWithBackground(silent, { probability: 0, maxSec: 0.5 }, seededRandom(2))).toBe(
      silent,
    );
  });

  describe('in a training batch', () => {
    let dir: string;
    const entries: { audioPath: string; durationSec: number; text: string }[] = [];
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hark-pad-'));
      for (let i = 0; i < 4; i++) {
        const wav = new WaveFile();
        const samples = speechLike(0.5 + i * 0.25, 0.005, seededRandom(20 + i));
        wav.fromScratch(1, 16000, '32f', samples);
        const audioPath = join(dir, `u${i}.wav`);
        await writeFile(audioPath, wav.toBuffer());
        entries.push({ audioPath, durationSec: samples.length / 16000, text: 'ab' });
      }
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('lengthens the features, and the same seed gives the same batch', async () => {
      const plain = await loadTrainingBatch(entries, { random: seededRandom(1) });
      const load = () =>
        loadTrainingBatch(entries, {
          backgroundPadding: { probability: 1, maxSec: 0.5 },
          random: seededRandom(1),
        });
      const [a, b] = [await load(), await load()];
      const frames = (x: typeof plain) => [...x.batch.featureLengths].map(Number);
      frames(a).forEach((n, i) => expect(n).toBeGreaterThan(frames(plain)[i]!));
      expect(frames(a)).toEqual(frames(b));
      expect(a.batch.features).toEqual(b.batch.features);
    });
  });
});
