import { describe, expect, it } from 'vitest';
import { HarkError } from '../../../src-main/engine/errors';
import { Resampler, resample } from '../../../src-main/engine/audio';
import {
  besselI0,
  designPolyphaseFilter,
  kaiserBeta,
} from '../../../src-main/engine/audio/kaiser-sinc';
import { seededRandom } from './wav-test-files';

function tone(options: {
  frequencyHz: number;
  sampleRate: number;
  seconds: number;
  amplitude?: number;
}): Float32Array {
  const { frequencyHz, sampleRate, seconds, amplitude = 0.5 } = options;
  const out = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < out.length; i++)
    out[i] = amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate);
  return out;
}

/** A logarithmic sine sweep with 20 ms raised-cosine fades at both ends. */
function sweep(options: {
  fromHz: number;
  toHz: number;
  sampleRate: number;
  seconds: number;
}): Float32Array {
  const { fromHz, toHz, sampleRate, seconds } = options;
  const n = Math.round(seconds * sampleRate);
  const out = new Float32Array(n);
  const k = Math.log(toHz / fromHz);
  const fade = Math.round(0.02 * sampleRate);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const phase = ((2 * Math.PI * fromHz * seconds) / k) * (Math.exp((t / seconds) * k) - 1);
    const edge = Math.min(i, n - 1 - i);
    const gain = edge < fade ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / fade) : 1;
    out[i] = 0.5 * gain * Math.sin(phase);
  }
  return out;
}

function rms(samples: Float32Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i]! ** 2;
  return Math.sqrt(sum / (to - from));
}

const dB = (ratio: number): number => 20 * Math.log10(ratio);

/** Level of `output` relative to `input`, ignoring `edgeSec` at each end of both. */
function gainDb(
  input: Float32Array,
  inputRate: number,
  output: Float32Array,
  outputRate: number,
  edgeSec = 0.05,
): number {
  const inEdge = Math.round(edgeSec * inputRate);
  const outEdge = Math.round(edgeSec * outputRate);
  return dB(
    rms(output, outEdge, output.length - outEdge) / rms(input, inEdge, input.length - inEdge),
  );
}

/** RMS of output minus the ideal tone sampled at the output rate (no delay allowed), in dB re the tone. */
function residualDb(
  output: Float32Array,
  options: { frequencyHz: number; sampleRate: number; amplitude: number },
): number {
  const { frequencyHz, sampleRate, amplitude } = options;
  const edge = Math.round(0.05 * sampleRate);
  let sum = 0;
  for (let i = edge; i < output.length - edge; i++) {
    sum += (output[i]! - amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate)) ** 2;
  }
  return dB(Math.sqrt(sum / (output.length - 2 * edge)) / (amplitude / Math.SQRT2));
}

describe('Resampler: measured anti-aliasing', () => {
  for (const inputRate of [44100, 48000]) {
    it(`suppresses tones above 8 kHz in a ${inputRate} Hz input by at least 60 dB`, () => {
      for (const frequencyHz of [8100, 8500, 9000, 11000, 15000, 20000]) {
        const input = tone({ frequencyHz, sampleRate: inputRate, seconds: 0.5 });
        const output = resample(input, { inputRate, outputRate: 16000 });
        expect(gainDb(input, inputRate, output, 16000), `${frequencyHz} Hz`).toBeLessThan(-60);
      }
    });

    it(`suppresses a sweep from 8 kHz to ${(0.49 * inputRate) / 1000} kHz in a ${inputRate} Hz input by at least 60 dB`, () => {
      const input = sweep({
        fromHz: 8000,
        toHz: 0.49 * inputRate,
        sampleRate: inputRate,
        seconds: 2,
      });
      const output = resample(input, { inputRate, outputRate: 16000 });
      expect(gainDb(input, inputRate, output, 16000)).toBeLessThan(-60);
    });

    it(`keeps a 1 kHz tone in a ${inputRate} Hz input within 0.1 dB and in time`, () => {
      const input = tone({ frequencyHz: 1000, sampleRate: inputRate, seconds: 0.5 });
      const output = resample(input, { inputRate, outputRate: 16000 });
      expect(Math.abs(gainDb(input, inputRate, output, 16000))).toBeLessThan(0.1);
      expect(
        residualDb(output, { frequencyHz: 1000, sampleRate: 16000, amplitude: 0.5 }),
      ).toBeLessThan(-60);
    });
  }

  it('keeps speech-band tones (100 Hz – 6.5 kHz) at 22.05 and 96 kHz within 0.1 dB', () => {
    for (const inputRate of [22050, 96000]) {
      for (const frequencyHz of [100, 1000, 3000, 6500]) {
        const input = tone({ frequencyHz, sampleRate: inputRate, seconds: 0.3 });
        const output = resample(input, { inputRate, outputRate: 16000 });
        expect(
          Math.abs(gainDb(input, inputRate, output, 16000)),
          `${inputRate} Hz, ${frequencyHz} Hz`,
        ).toBeLessThan(0.1);
      }
    }
  });
});

describe('Resampler: upsampling and other ratios', () => {
  it('upsamples 8 kHz to 16 kHz: the tone stays, in time, and its image at 5 kHz is removed', () => {
    const input = tone({ frequencyHz: 3000, sampleRate: 8000, seconds: 0.5 });
    const output = resample(input, { inputRate: 8000, outputRate: 16000 });
    expect(output.length).toBe(2 * input.length);
    // The residual against the ideal 3 kHz tone holds the 5 kHz image: it must be 60 dB down.
    expect(
      residualDb(output, { frequencyHz: 3000, sampleRate: 16000, amplitude: 0.5 }),
    ).toBeLessThan(-60);
    // Zero delay: every other output sample is (nearly) an input sample.
    for (let i = 400; i < 410; i++) expect(output[2 * i]).toBeCloseTo(input[i]!, 3);
  });

  it('converts between arbitrary rates, including ones whose ratio needs rounded phases', () => {
    const pairs: [number, number][] = [
      [16000, 44100],
      [44100, 48000],
      [48000, 44100],
      [44101, 16000], // 16000/44101 is irreducible: more phases than the table holds
      [11025, 16000],
      [192000, 16000],
    ];
    for (const [inputRate, outputRate] of pairs) {
      const input = tone({ frequencyHz: 1000, sampleRate: inputRate, seconds: 0.4 });
      const output = resample(input, { inputRate, outputRate });
      const label = `${inputRate} → ${outputRate}`;
      expect(Math.abs(gainDb(input, inputRate, output, outputRate)), label).toBeLessThan(0.1);
      expect(
        residualDb(output, { frequencyHz: 1000, sampleRate: outputRate, amplitude: 0.5 }),
        label,
      ).toBeLessThan(-60);
    }
  });

  it('returns the input unchanged when the rates are equal', () => {
    const input = tone({ frequencyHz: 440, sampleRate: 16000, seconds: 0.1 });
    expect(Array.from(resample(input, { inputRate: 16000, outputRate: 16000 }))).toEqual(
      Array.from(input),
    );
  });
});

describe('Resampler: streaming', () => {
  it('gives bit-identical output whatever the chunking', () => {
    const random = seededRandom(7);
    const input = Float32Array.from({ length: 30000 }, () => random() * 2 - 1);
    for (const [inputRate, outputRate] of [
      [44100, 16000],
      [8000, 16000],
      [44101, 16000],
    ] as const) {
      const whole = resample(input, { inputRate, outputRate });
      const resampler = new Resampler({ inputRate, outputRate });
      const parts: number[] = [];
      for (let offset = 0; offset < input.length;) {
        const size = [0, 1, 7, 300, 4096][Math.floor(random() * 5)]!;
        parts.push(...resampler.process(input.subarray(offset, offset + size)));
        offset += size;
      }
      parts.push(...resampler.flush());
      expect(parts.length).toBe(whole.length);
      expect(parts).toEqual(Array.from(whole));
    }
  });

  it('outputs round(n × out / in) samples in total', () => {
    for (const [inputRate, outputRate] of [
      [44100, 16000],
      [48000, 16000],
      [8000, 16000],
      [22050, 16000],
      [192000, 16000],
      [16000, 44100],
      [44101, 16000],
    ] as const) {
      for (const n of [1, 2, 3, 5, 100, 441, 12345]) {
        const output = resample(new Float32Array(n).fill(0.1), { inputRate, outputRate });
        expect(output.length, `${n} samples ${inputRate} → ${outputRate}`).toBe(
          Math.round((n * outputRate) / inputRate),
        );
      }
    }
  });

  it('can be reused after flush', () => {
    const input = tone({ frequencyHz: 500, sampleRate: 48000, seconds: 0.1 });
    const resampler = new Resampler({ inputRate: 48000, outputRate: 16000 });
    const first = [...resampler.process(input), ...resampler.flush()];
    const second = [...resampler.process(input), ...resampler.flush()];
    expect(second).toEqual(first);
  });

  it('refuses rates that are not positive integers', () => {
    for (const [inputRate, outputRate] of [
      [0, 16000],
      [44100.5, 16000],
      [44100, -1],
      [Number.NaN, 16000],
    ]) {
      expect(() => new Resampler({ inputRate: inputRate!, outputRate: outputRate! })).toThrow(
        HarkError,
      );
    }
  });
});

describe('Kaiser windowed-sinc design', () => {
  it('computes I0 and Kaiser β from their published values', () => {
    expect(besselI0(0)).toBe(1);
    expect(besselI0(1)).toBeCloseTo(1.2660658777520082, 14);
    expect(besselI0(5)).toBeCloseTo(27.239871823604442, 11);
    expect(kaiserBeta(70)).toBeCloseTo(0.1102 * 61.3, 12);
    expect(kaiserBeta(40)).toBeCloseTo(0.5842 * 19 ** 0.4 + 0.07886 * 19, 12);
  });

  it('makes every phase of the table sum to one, and phase 0 a symmetric sinc sampled at integers', () => {
    const halfTaps = 8;
    const { coefficients, tapsPerPhase } = designPolyphaseFilter({
      phases: 4,
      cutoff: 0.2,
      halfTaps,
      beta: 6,
    });
    expect(tapsPerPhase).toBe(16);
    for (let phase = 0; phase < 4; phase++) {
      const row = coefficients.subarray(phase * tapsPerPhase, (phase + 1) * tapsPerPhase);
      expect(row.reduce((sum, c) => sum + c, 0)).toBeCloseTo(1, 6);
    }
    // Phase 0: tap j sits at distance halfTaps - 1 - j; the centre tap (distance 0) is the largest
    // and the taps at ±d are equal.
    const zero = coefficients.subarray(0, tapsPerPhase);
    const centre = halfTaps - 1;
    expect(Math.max(...zero)).toBe(zero[centre]);
    for (let d = 1; d < halfTaps; d++) expect(zero[centre - d]).toBeCloseTo(zero[centre + d]!, 7);
  });
});
