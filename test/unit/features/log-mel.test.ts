import { describe, expect, it } from 'vitest';
import {
  computeLogMel,
  frameCount,
  normalizePerFeature,
  type LogMelFeatures,
} from '../../../src-main/engine/features';
import { isHarkError } from '../../../src-main/engine/errors';

const SAMPLE_RATE = 16000;
const NUM_BINS = 80;
const LOG_FLOOR = Math.log(2 ** -23);

// ---- independent reference pieces (written from the formulas, not from the module) ----

/** Slaney mel: linear 3/200 mel per Hz up to 1 kHz, then 27 mel per log(6.4). */
function slaneyMel(hz: number): number {
  return hz < 1000 ? hz / (200 / 3) : 15 + (27 * Math.log(hz / 1000)) / Math.log(6.4);
}
function slaneyHz(mel: number): number {
  return mel < 15 ? mel * (200 / 3) : 1000 * 6.4 ** ((mel - 15) / 27);
}
function htkMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

/** Edges (left, centre, right) in Hz of every filter, 0 Hz to Nyquist, evenly spaced in mel. */
function referenceEdges(melOf: (hz: number) => number, hzOf: (mel: number) => number) {
  const top = melOf(SAMPLE_RATE / 2);
  const step = top / (NUM_BINS + 1);
  return Array.from({ length: NUM_BINS }, (_, b) => ({
    left: hzOf(b * step),
    centre: hzOf((b + 1) * step),
    right: hzOf((b + 2) * step),
  }));
}

function seededNoise(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

/** One frame of log-mel the slow way: mirrored edges, pre-emphasis, periodic Hann, naive DFT. */
function referenceFrame(samples: Float32Array, frameIndex: number): number[] {
  const windowLength = 400;
  const hop = 160;
  const fftSize = 512;
  const n = samples.length;
  const start = frameIndex * hop + hop / 2 - windowLength / 2;
  const x: number[] = [];
  for (let i = 0; i < windowLength; i++) {
    let j = start + i;
    if (j < 0) j = -j - 1;
    if (j >= n) j = 2 * n - 1 - j;
    x.push(samples[j]!);
  }
  const emphasised = x.map((v, i) => (i === 0 ? v - 0.97 * v : v - 0.97 * x[i - 1]!));
  const windowed = emphasised.map(
    (v, i) => v * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / windowLength)),
  );
  const power: number[] = [];
  for (let k = 0; k <= fftSize / 2; k++) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < windowLength; i++) {
      re += windowed[i]! * Math.cos((2 * Math.PI * k * i) / fftSize);
      im -= windowed[i]! * Math.sin((2 * Math.PI * k * i) / fftSize);
    }
    power.push(re * re + im * im);
  }
  return referenceEdges(slaneyMel, slaneyHz).map(({ left, centre, right }) => {
    let energy = 0;
    power.forEach((p, k) => {
      const hz = (k * SAMPLE_RATE) / fftSize;
      const up = (hz - left) / (centre - left);
      const down = (right - hz) / (right - centre);
      energy += Math.max(0, Math.min(up, down)) * (2 / (right - left)) * p;
    });
    return Math.log(Math.max(energy, 2 ** -23));
  });
}

function tone(hz: number, seconds: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  for (let i = 0; i < out.length; i++)
    out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE);
  return out;
}

function at(features: LogMelFeatures, bin: number, frame: number): number {
  return features.data[bin * features.numFrames + frame]!;
}

function loudestBin(features: LogMelFeatures, frame: number): number {
  let best = 0;
  for (let b = 1; b < features.numBins; b++)
    if (at(features, b, frame) > at(features, best, frame)) best = b;
  return best;
}

// ---- tests ----

describe('frameCount', () => {
  it('rounds numSamples / 160 to the nearest integer (snip_edges = false)', () => {
    const cases: [number, number][] = [
      [0, 0],
      [79, 0],
      [80, 1],
      [160, 1],
      [239, 1],
      [240, 2],
      [16000, 100],
      [16079, 100],
      [16080, 101],
      [480_000, 3000],
    ];
    for (const [samples, frames] of cases) expect(frameCount(samples), `${samples}`).toBe(frames);
  });

  it('agrees with computeLogMel and follows the hop option', () => {
    for (const n of [80, 400, 1234, 16000]) {
      expect(computeLogMel(new Float32Array(n)).numFrames).toBe(frameCount(n));
    }
    expect(frameCount(16000, { hopMs: 20 })).toBe(50);
  });
});

describe('computeLogMel', () => {
  it('returns 80 bins, feature-major', () => {
    const samples = tone(1000, 0.5);
    const features = computeLogMel(samples);
    expect(features.numBins).toBe(NUM_BINS);
    expect(features.data.length).toBe(NUM_BINS * features.numFrames);
    // Feature-major: a row is one bin over time, so a steady tone gives a near-constant row.
    const bin = loudestBin(features, 10);
    const row = features.data.subarray(bin * features.numFrames, (bin + 1) * features.numFrames);
    expect(Math.max(...row.subarray(3, -3)) - Math.min(...row.subarray(3, -3))).toBeLessThan(0.05);
  });

  it('gives the log floor ln(FLT_EPSILON) for digital silence', () => {
    const features = computeLogMel(new Float32Array(8000));
    expect(features.numFrames).toBe(50);
    for (const v of features.data) expect(v).toBeCloseTo(LOG_FLOOR, 5);
  });

  it('puts a pure tone into the mel bin whose Slaney centre it sits on', () => {
    const edges = referenceEdges(slaneyMel, slaneyHz);
    for (const bin of [6, 20, 40, 55, 70, 78]) {
      const features = computeLogMel(tone(edges[bin]!.centre, 0.3));
      expect(loudestBin(features, 15), `bin ${bin} (${edges[bin]!.centre.toFixed(1)} Hz)`).toBe(
        bin,
      );
    }
  });

  it('uses the Slaney mel scale, not HTK', () => {
    const hz = 4000;
    const nearest = (edges: { centre: number }[]) =>
      edges.reduce(
        (best, e, b) => (Math.abs(e.centre - hz) < Math.abs(edges[best]!.centre - hz) ? b : best),
        0,
      );
    const slaneyBin = nearest(referenceEdges(slaneyMel, slaneyHz));
    const htkBin = nearest(referenceEdges(htkMel, (m) => 700 * (10 ** (m / 2595) - 1)));
    expect(slaneyBin).not.toBe(htkBin);
    expect(loudestBin(computeLogMel(tone(hz, 0.3)), 15)).toBe(slaneyBin);
  });

  it('marks exactly the frames whose 25 ms window, centred every 10 ms, covers a click', () => {
    const samples = new Float32Array(16000);
    const click = 5050;
    samples[click] = 1;
    const features = computeLogMel(samples);
    const heard: number[] = [];
    for (let t = 0; t < features.numFrames; t++) {
      if (at(features, 40, t) > LOG_FLOOR + 1) heard.push(t);
    }
    // Frame t covers samples [160t - 120, 160t + 280): the click at 5050 lies in frames 30..32
    // (at offsets 370, 210 and 50 inside them, where the Hann window is well above zero).
    const expected: number[] = [];
    for (let t = 0; t < features.numFrames; t++) {
      if (160 * t - 120 <= click && click < 160 * t + 280) expected.push(t);
    }
    expect(expected).toEqual([30, 31, 32]);
    expect(heard).toEqual(expected);
  });

  it('matches a slow DFT reference (pre-emphasis, Hann, no DC removal, power, Slaney, ln)', () => {
    const noise = seededNoise(7);
    const samples = new Float32Array(4000);
    for (let i = 0; i < samples.length; i++) {
      const t = i / SAMPLE_RATE;
      samples[i] =
        0.05 + // a DC offset: sherpa-onnx keeps it (remove_dc_offset = false)
        0.3 * Math.sin(2 * Math.PI * 440 * t) +
        0.1 * Math.sin(2 * Math.PI * 2500 * t + 1) +
        0.05 * noise();
    }
    const features = computeLogMel(samples);
    expect(features.numFrames).toBe(25);
    for (const frame of [0, 1, 12, 23, 24]) {
      const reference = referenceFrame(samples, frame);
      for (let b = 0; b < NUM_BINS; b++) {
        expect(
          Math.abs(at(features, b, frame) - reference[b]!),
          `frame ${frame} bin ${b}`,
        ).toBeLessThan(1e-4);
      }
    }
  });

  it('uses power (not magnitude) and the natural log: doubling the amplitude adds ln 4', () => {
    const noise = seededNoise(3);
    const quiet = new Float32Array(3200).map(() => 0.1 * noise());
    const loud = quiet.map((v) => 2 * v);
    const a = computeLogMel(quiet);
    const b = computeLogMel(loud);
    for (let i = 0; i < a.data.length; i++)
      expect(b.data[i]! - a.data[i]!).toBeCloseTo(Math.log(4), 3);
  });

  it('rejects impossible options with a HarkError', () => {
    const bad = [
      { fftSize: 256 },
      { fftSize: 500 },
      { hopMs: 0 },
      { numMelBins: 400 },
      { preemphasis: 2 },
    ];
    for (const options of bad) {
      let caught: unknown;
      try {
        computeLogMel(new Float32Array(1600), options);
      } catch (error) {
        caught = error;
      }
      expect(isHarkError(caught), JSON.stringify(options)).toBe(true);
    }
  });
});

describe('normalizePerFeature', () => {
  it('gives every bin mean 0 and (biased) std 1 over time', () => {
    const noise = seededNoise(11);
    const samples = new Float32Array(16000).map(
      (_, i) => 0.3 * Math.sin(i / 9) * noise() + 0.01 * noise(),
    );
    const features = computeLogMel(samples);
    normalizePerFeature(features);
    const T = features.numFrames;
    for (let b = 0; b < features.numBins; b++) {
      const row = Array.from(features.data.subarray(b * T, (b + 1) * T));
      const mean = row.reduce((s, v) => s + v, 0) / T;
      const std = Math.sqrt(row.reduce((s, v) => s + (v - mean) ** 2, 0) / T);
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(std).toBeCloseTo(1, 3);
    }
  });

  it('divides by the biased std plus 1e-5 and maps a constant bin to 0', () => {
    const features = { data: Float32Array.from([1, 3, 5, 5]), numFrames: 2, numBins: 2 };
    normalizePerFeature(features);
    // Bin 0: mean 2, biased std 1 → ±1 / (1 + 1e-5); the unbiased std (√2) would give ±0.707.
    expect(features.data[0]).toBeCloseTo(-1 / (1 + 1e-5), 6);
    expect(features.data[1]).toBeCloseTo(1 / (1 + 1e-5), 6);
    expect(Array.from(features.data.subarray(2))).toEqual([0, 0]);
  });

  it('rejects data whose size does not match its shape', () => {
    expect(() =>
      normalizePerFeature({ data: new Float32Array(5), numFrames: 2, numBins: 2 }),
    ).toThrow(/expected 2 bins/);
  });
});
