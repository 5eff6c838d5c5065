import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine';
import { greedyCtcDecode } from '../../../src-main/engine/decode';
import { audioWindows, type AudioWindow } from '../../../src-main/engine/transcribe/audio-windows';
import { FrameStitcher } from '../../../src-main/engine/transcribe/frame-stitcher';
import { buildLinearCtcModel, writeModelFolder } from '../../helpers/tiny-models';
import { withMetadata } from './detector-models';
import { mixAt, seededRandom, toneBurst } from './synth-audio';

async function* chunked(samples: Float32Array, chunkLength: number): AsyncGenerator<Float32Array> {
  for (let i = 0; i < samples.length; i += chunkLength) yield samples.slice(i, i + chunkLength);
}

async function collect(samples: Float32Array, chunkLength: number): Promise<AudioWindow[]> {
  const windows: AudioWindow[] = [];
  const options = {
    sampleRate: 100,
    windowSec: 10,
    contextSec: 2,
    alignSamples: 4,
    minLastCoreSec: 3,
  };
  for await (const window of audioWindows(chunked(samples, chunkLength), options))
    windows.push(window);
  return windows;
}

describe('audioWindows', () => {
  const ramp = Float32Array.from({ length: 3456 }, (_, i) => i);

  it('tiles the audio with cores, adds aligned context, and hands out the right samples', async () => {
    for (const chunkLength of [1, 97, 1000, 5000]) {
      const windows = await collect(ramp, chunkLength);
      expect(windows[0]!.coreStartSample).toBe(0);
      expect(windows.at(-1)!.coreEndSample).toBe(ramp.length);
      expect(windows.at(-1)!.isLast).toBe(true);
      windows.forEach((w, i) => {
        if (i > 0) expect(w.coreStartSample).toBe(windows[i - 1]!.coreEndSample);
        expect(w.startSample % 4).toBe(0);
        expect(w.coreStartSample % 4).toBe(0);
        expect(w.startSample).toBe(Math.max(0, w.coreStartSample - 200));
        const end = w.isLast ? ramp.length : Math.min(ramp.length, w.coreEndSample + 200);
        expect(Array.from(w.samples)).toEqual(Array.from(ramp.subarray(w.startSample, end)));
      });
      // Cores of 1000 samples; the 456 left over are more than minLastCore (300) so form their own.
      expect(windows.map((w) => w.coreEndSample - w.coreStartSample)).toEqual([
        1000, 1000, 1000, 456,
      ]);
    }
  });

  it('joins a short remainder to the last window instead of making a sliver', async () => {
    const windows = await collect(ramp.subarray(0, 3200), 333);
    expect(windows.map((w) => w.coreEndSample - w.coreStartSample)).toEqual([1000, 1000, 1200]);
  });

  it('makes one window of a clip shorter than a core and none of nothing', async () => {
    expect((await collect(ramp.subarray(0, 50), 7)).map((w) => w.samples.length)).toEqual([50]);
    expect(await collect(new Float32Array(0), 7)).toEqual([]);
  });
});

describe('FrameStitcher', () => {
  /** Log-probs whose best label follows `labels`, with runs long enough to make repeats. */
  function frames(labels: number[], vocabSize: number): Float32Array {
    const data = new Float32Array(labels.length * vocabSize).fill(Math.log(0.1 / (vocabSize - 1)));
    labels.forEach((label, t) => (data[t * vocabSize + label] = Math.log(0.9)));
    return data;
  }

  it('hands out blocks that decode exactly like the whole sequence', () => {
    const vocabSize = 5;
    const blankId = 4;
    const random = seededRandom(3);
    const labels: number[] = [];
    while (labels.length < 3000) {
      const label = random() < 0.3 ? blankId : Math.floor(random() * 4);
      const run = 1 + Math.floor(random() * 6);
      for (let k = 0; k < run; k++) labels.push(label);
    }
    const all = frames(labels, vocabSize);
    const whole = greedyCtcDecode(all, { numFrames: labels.length, vocabSize, blankId });

    const stitcher = new FrameStitcher({ vocabSize, blankId });
    const pieces: ReturnType<typeof greedyCtcDecode> = [];
    let held = 0;
    for (let start = 0; start < labels.length;) {
      const count = Math.min(labels.length - start, 1 + Math.floor(random() * 90));
      for (const block of stitcher.push(
        all.subarray(start * vocabSize, (start + count) * vocabSize),
        count,
        start,
      )) {
        pieces.push(
          ...greedyCtcDecode(block.logProbs, {
            ...block,
            vocabSize,
            blankId,
            frameOffset: block.firstFrame,
          }),
        );
      }
      held = Math.max(held, stitcher.pendingFrames);
      start += count;
    }
    const rest = stitcher.flush();
    if (rest)
      pieces.push(
        ...greedyCtcDecode(rest.logProbs, {
          ...rest,
          vocabSize,
          blankId,
          frameOffset: rest.firstFrame,
        }),
      );
    expect(pieces).toEqual(whole);
    expect(held).toBeLessThan(100); // only the frames since the last safe cut wait
  });
});

/**
 * Random weights (4 stacked frames × 80 bins, V) that sum to zero over the bins of each frame, so
 * logits follow the spectrum's shape, not its overall level: plenty of different labels.
 */
function spectralShapeWeights(vocabSize: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const weights = Float32Array.from({ length: 4 * 80 * vocabSize }, () => random() - 0.5);
  for (let k = 0; k < 4; k++) {
    for (let v = 0; v < vocabSize; v++) {
      let mean = 0;
      for (let bin = 0; bin < 80; bin++) mean += weights[(k * 80 + bin) * vocabSize + v]! / 80;
      for (let bin = 0; bin < 80; bin++) weights[(k * 80 + bin) * vocabSize + v]! -= mean;
    }
  }
  return weights;
}

describe('windowed transcription', () => {
  it('gives exactly the one-pass result when features are not normalised (frame-exact stitching)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-stitch-'));
    try {
      const model = withMetadata(buildLinearCtcModel({ weights: spectralShapeWeights(29, 5) }), {
        normalize_type: '',
      });
      const modelDir = writeModelFolder(join(dir, 'linear'), model);
      const random = seededRandom(9);
      const parts = Array.from({ length: 60 }, (_, i) => ({
        startSec: i * 0.4 + 0.1 * random(),
        samples: toneBurst({
          frequencyHz: 200 + 6000 * random(),
          durationSec: 0.05 + 0.3 * random(),
          amplitude: 0.05 + 0.4 * random(),
        }),
      }));
      const audio = mixAt(25, parts, 4);
      const windowed = await Engine.create({
        modelDir,
        device: 'cpu',
        threads: 1,
        windowing: { windowSec: 3, contextSec: 1 },
      });
      const onePass = await Engine.create({
        modelDir,
        device: 'cpu',
        threads: 1,
        windowing: { windowSec: 600 },
      });
      try {
        const a = await windowed.transcribeSamples(audio);
        const b = await onePass.transcribeSamples(audio);
        // Many tokens, all over the file: the frames at every window edge matter.
        expect(a.text.replaceAll(' ', '').length).toBeGreaterThan(100);
        expect(a.text).toBe(b.text);
        expect(a.segments).toEqual(b.segments);
      } finally {
        await windowed.dispose();
        await onePass.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
