/**
 * Hark's log-mel front end against the one inside sherpa-onnx-node, value by value.
 *
 * sherpa-onnx never hands out its features, so the test makes it spell them: a probe model in the
 * NeMo CTC layout reads one mel bin x of every frame and outputs the scores -(x - θk)² over a grid of
 * values θ0 < θ1 < ... (plus a blank that never wins). Greedy CTC then emits, for each frame, the
 * grid value nearest to x; repeats merge, and sherpa's token timestamps (frame · 10 ms, subsampling
 * factor 1) say which frames each emitted value covers. One probe per mel bin recovers the whole
 * (80, T) feature matrix to within half a grid step. A counting probe (frame parity) gives
 * sherpa's frame count. Both raw log-mel (`normalize_type` "") and per-feature normalised
 * features are compared; the last test shows that a drift of any front-end parameter would be
 * caught.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeLogMel,
  normalizePerFeature,
  type FeatureOptions,
  type LogMelFeatures,
} from '../../../src-main/engine/features';
import { castTo, GraphBuilder, type TensorHandle } from '../../../src-main/engine/onnx';

/** The part of sherpa-onnx-node (untyped CommonJS) this test uses. */
interface SherpaStream {
  acceptWaveform(wave: { samples: Float32Array; sampleRate: number }): void;
}
interface SherpaOfflineRecognizer {
  createStream(): SherpaStream;
  decode(stream: SherpaStream): void;
  getResult(stream: SherpaStream): { text: string; tokens: string[]; timestamps: number[] };
}
interface SherpaModule {
  OfflineRecognizer: new (config: object) => SherpaOfflineRecognizer;
}
const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as SherpaModule;

const SAMPLE_RATE = 16000;
const MEL_BINS = 80;
const FRAME_SEC = 0.01;
/** Wins over no grid value: the probes' blank. */
const NEVER = -1e9;

/** A grid of `count` evenly spaced values from `low` to `high`. */
interface ValueGrid {
  low: number;
  high: number;
  count: number;
}
const gridStep = (grid: ValueGrid): number => (grid.high - grid.low) / (grid.count - 1);
const gridValues = (grid: ValueGrid): Float32Array =>
  Float32Array.from({ length: grid.count }, (_, k) => grid.low + k * gridStep(grid));

/** Raw log-mel lies in [ln FLT_EPSILON ≈ -15.9, ~10]; normalised features within ±6. */
const RAW_GRID: ValueGrid = { low: -20, high: 10, count: 3001 };
const NORMALIZED_GRID: ValueGrid = { low: -6, high: 6, count: 2401 };

/**
 * Adds the probe head: `values` (N, T, 1) → log-probs (N, T, K + 1) = [-(v - θk)², blank], and
 * writes the model with the NeMo CTC metadata sherpa-onnx requires.
 */
function finishProbe(
  g: GraphBuilder,
  values: TensorHandle,
  thetas: Float32Array,
  normalizeType: '' | 'per_feature',
): Uint8Array {
  const distance = g.op('Sub', [values, g.initializer('theta', thetas, [thetas.length])]);
  const score = g.op('Neg', [g.op('Mul', [distance, distance])]);
  const blank = g.op('Add', [g.op('Mul', [values, g.constant(0)]), g.constant(NEVER)]);
  const logProbs = g.op(
    'Concat',
    [score, blank],
    { axis: 2 },
    { outputShapes: [['N', 'T', thetas.length + 1]] },
  );
  g.output(logProbs, 'logprobs');
  g.metadata('model_type', 'EncDecCTCModelBPE')
    .metadata('vocab_size', thetas.length + 1)
    .metadata('subsampling_factor', 1)
    .metadata('normalize_type', normalizeType);
  return g.toModelBytes({ producerName: 'hark-tests' });
}

/** A probe spelling mel bin `bin` of every frame on `grid`. */
function binProbe(bin: number, grid: ValueGrid, normalizeType: '' | 'per_feature'): Uint8Array {
  const g = new GraphBuilder({ name: `probe_bin_${bin}` });
  const features = g.input('audio_signal', 'float32', ['N', MEL_BINS, 'T']);
  g.input('length', 'int64', ['N']);
  const row = g.op('Gather', [features, g.int64s([bin])], { axis: 1 }); // (N, 1, T)
  const values = g.op('Transpose', [row], { perm: [0, 2, 1] }); // (N, T, 1)
  return finishProbe(g, values, gridValues(grid), normalizeType);
}

/** A probe spelling each frame's index parity (0 1 0 1 ...): it emits one token per frame. */
function frameCountProbe(): Uint8Array {
  const g = new GraphBuilder({ name: 'probe_frames' });
  const features = g.input('audio_signal', 'float32', ['N', MEL_BINS, 'T']);
  g.input('length', 'int64', ['N']);
  const time = g.op('Slice', [g.op('Shape', [features]), g.int64s([2]), g.int64s([3])]);
  const index = g.op('Range', [g.constant(0n), g.op('Squeeze', [time]), g.constant(1n)]);
  const parity = g.op('Cast', [g.op('Mod', [index, g.constant(2n)])], { to: castTo('float32') });
  const perFrame = g.op('Unsqueeze', [parity, g.int64s([0, 2])]); // (1, T, 1)
  // (N, 1, 1) zeros: the batch size comes from the input.
  const zeros = g.op('Mul', [g.op('ReduceSum', [features, g.int64s([1, 2])]), g.constant(0)]);
  const values = g.op('Add', [perFrame, zeros]); // (N, T, 1)
  return finishProbe(g, values, Float32Array.from([0, 1]), '');
}

function writeProbe(dir: string, name: string, bytes: Uint8Array, tokenCount: number): string {
  const model = join(dir, `${name}.onnx`);
  writeFileSync(model, bytes);
  const tokens = join(dir, `${name}.tokens.txt`);
  const lines = Array.from({ length: tokenCount }, (_, k) => `q${k} ${k}\n`);
  writeFileSync(tokens, `${lines.join('')}<blk> ${tokenCount}\n`);
  return model;
}

/** Runs one probe through sherpa-onnx and returns the grid index it emitted for every frame. */
function sherpaSpell(model: string, samples: Float32Array, numFrames: number): Int32Array {
  const recognizer = new sherpa.OfflineRecognizer({
    featConfig: { sampleRate: SAMPLE_RATE, featureDim: MEL_BINS },
    modelConfig: {
      nemoCtc: { model },
      tokens: model.replace(/\.onnx$/, '.tokens.txt'),
      numThreads: 1,
      provider: 'cpu',
      debug: 0,
    },
  });
  const stream = recognizer.createStream();
  stream.acceptWaveform({ samples, sampleRate: SAMPLE_RATE });
  recognizer.decode(stream);
  const { tokens, timestamps } = recognizer.getResult(stream);
  const indices = new Int32Array(numFrames).fill(-1);
  tokens.forEach((token, i) => {
    const from = Math.round(timestamps[i]! / FRAME_SEC);
    const to = i + 1 < tokens.length ? Math.round(timestamps[i + 1]! / FRAME_SEC) : numFrames;
    indices.fill(Number(token.slice(1)), from, to);
  });
  return indices;
}

/**
 * 1.37 s that exercise every stage: DC (no DC removal), a chirp across the band, a high tone,
 * low noise, and 2000 samples of exact silence (the energy floor), at a length that is not a
 * multiple of the hop (edge mirroring).
 */
function testSignal(): Float32Array {
  const samples = new Float32Array(21957);
  let state = 12345;
  for (let i = 0; i < samples.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const t = i / SAMPLE_RATE;
    const silent = i > 9000 && i < 11000;
    samples[i] = silent
      ? 0
      : 0.02 +
        0.3 * Math.sin(2 * Math.PI * (200 + 3000 * t) * t) +
        0.1 * Math.sin(2 * Math.PI * 5100 * t) +
        0.05 * (state / 2 ** 32 - 0.5);
  }
  return samples;
}

interface SherpaFeatures {
  numFrames: number;
  /** (80, T) feature-major, the grid values sherpa-onnx's greedy search emitted. */
  values: Float64Array;
}

function sherpaFeatures(
  dir: string,
  samples: Float32Array,
  grid: ValueGrid,
  normalizeType: '' | 'per_feature',
  numFrames: number,
): SherpaFeatures {
  const values = new Float64Array(MEL_BINS * numFrames);
  for (let bin = 0; bin < MEL_BINS; bin++) {
    const name = `bin-${bin}-${normalizeType || 'raw'}`;
    const model = writeProbe(dir, name, binProbe(bin, grid, normalizeType), grid.count);
    const indices = sherpaSpell(model, samples, numFrames);
    indices.forEach((k, t) => {
      values[bin * numFrames + t] = k < 0 ? NaN : grid.low + k * gridStep(grid);
    });
  }
  return { numFrames, values };
}

/** Largest |ours - sherpa| over all bins and frames (Infinity where a frame count differs). */
function maxDifference(ours: LogMelFeatures, theirs: SherpaFeatures, grid: ValueGrid): number {
  if (ours.numFrames !== theirs.numFrames || ours.numBins !== MEL_BINS) return Infinity;
  let max = 0;
  for (let i = 0; i < ours.data.length; i++) {
    // A value off the grid saturates at its edge: compare there.
    const clamped = Math.min(grid.high, Math.max(grid.low, ours.data[i]!));
    max = Math.max(max, Math.abs(clamped - theirs.values[i]!));
  }
  return Number.isNaN(max) ? Infinity : max;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('log-mel features equal those of sherpa-onnx-node', () => {
  const samples = testSignal();
  const ours = computeLogMel(samples);
  let raw: SherpaFeatures;
  let normalized: SherpaFeatures;

  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-parity-'));
    dirs.push(dir);
    raw = sherpaFeatures(dir, samples, RAW_GRID, '', ours.numFrames);
    normalized = sherpaFeatures(dir, samples, NORMALIZED_GRID, 'per_feature', ours.numFrames);
  });

  it('sherpa-onnx computes as many frames as Hark: round(samples / 160)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-parity-'));
    dirs.push(dir);
    const model = writeProbe(dir, 'frames', frameCountProbe(), 2);
    const recognizer = new sherpa.OfflineRecognizer({
      featConfig: { sampleRate: SAMPLE_RATE, featureDim: MEL_BINS },
      modelConfig: { nemoCtc: { model }, tokens: model.replace(/\.onnx$/, '.tokens.txt') },
    });
    const stream = recognizer.createStream();
    stream.acceptWaveform({ samples, sampleRate: SAMPLE_RATE });
    recognizer.decode(stream);
    const { tokens } = recognizer.getResult(stream);
    expect(ours.numFrames).toBe(Math.round(samples.length / 160));
    expect(tokens.length).toBe(ours.numFrames);
    expect(tokens.slice(0, 4)).toEqual(['q0', 'q1', 'q0', 'q1']);
  });

  it('raw log-mel: every bin of every frame within half a grid step (0.01)', () => {
    // Every frame was spelled, starting at frame 0.
    expect(raw.values.every((v) => Number.isFinite(v))).toBe(true);
    // The silent stretch sits on the energy floor, ln(2⁻²³), in both.
    const silentFrame = 62;
    expect(ours.data[40 * ours.numFrames + silentFrame]).toBeCloseTo(Math.log(2 ** -23), 4);
    expect(maxDifference(ours, raw, RAW_GRID)).toBeLessThan(0.6 * gridStep(RAW_GRID));
  });

  it('per-feature normalised: within half a grid step (0.005)', () => {
    const normalizedOurs = computeLogMel(samples);
    normalizePerFeature(normalizedOurs);
    expect(maxDifference(normalizedOurs, normalized, NORMALIZED_GRID)).toBeLessThan(
      0.6 * gridStep(NORMALIZED_GRID),
    );
  });

  it('fails when any front-end parameter drifts', () => {
    const tolerance = 0.6 * gridStep(RAW_GRID);
    const drifts: Partial<FeatureOptions>[] = [
      { preemphasis: 0.96 },
      { preemphasis: 0 },
      { windowMs: 24 },
      { hopMs: 12 },
      { fftSize: 1024 },
      { lowFreqHz: 20 },
      { highFreqHz: -400 },
      { energyFloor: 1e-10 },
    ];
    for (const drift of drifts) {
      const drifted = maxDifference(computeLogMel(samples, drift), raw, RAW_GRID);
      expect(drifted, JSON.stringify(drift)).toBeGreaterThan(5 * tolerance);
    }
    // A sample scale other than [-1, 1] (e.g. int16 units) is caught too.
    const scaled = computeLogMel(samples.map((x) => x * 32768));
    expect(maxDifference(scaled, raw, RAW_GRID)).toBeGreaterThan(5 * tolerance);
  });
});
