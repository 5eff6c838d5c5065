import { describe, expect, it } from 'vitest';
import {
  PeakHold,
  TakeStats,
  chunkLevel,
  meterFraction,
  toDb,
} from '../../src-renderer/lib/audio-levels';
import { linePath, linearScale, niceMax, ticks } from '../../src-renderer/lib/chart-scale';
import { float32ToBase64, joinChunks } from '../../src-renderer/lib/microphone';
import { StreamResampler } from '../../src-renderer/lib/stream-resampler';
import {
  MAX_TAKE_SAMPLES,
  MAX_TAKE_SEC,
  samplesFittingBase64,
} from '../../src-renderer/lib/take-length';
import { MAX_CLIP_BASE64_CHARS } from '../../src-main/api/contract';
import {
  editDistance,
  heardWords,
  promptWords,
  readsOffPrompt,
  wordKey,
  wordsMatch,
} from '../../src-renderer/lib/prompt-alignment';

function sine(amplitude: number, seconds: number, rate = 16000): Float32Array {
  const samples = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < samples.length; i++) {
    samples[i] = amplitude * Math.sin((2 * Math.PI * 220 * i) / rate);
  }
  return samples;
}

describe('prompt words lighting up', () => {
  it('splits a prompt into shown words and compared keys', () => {
    expect(promptWords('  Don’t stop, Mr. Smith!  ')).toEqual([
      { display: 'Don’t', key: "don't" },
      { display: 'stop,', key: 'stop' },
      { display: 'Mr.', key: 'mr' },
      { display: 'Smith!', key: 'smith' },
    ]);
    expect(wordKey('"Hello"')).toBe('hello');
  });

  it('measures edit distance and accepts near-misses only for longer words', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(wordsMatch('quick', 'quik')).toBe(true);
    expect(wordsMatch('the', 'a')).toBe(false);
    expect(wordsMatch('cat', 'cut')).toBe(false);
    expect(wordsMatch('brown', 'crown')).toBe(true);
    expect(wordsMatch('brown', 'green')).toBe(false);
  });

  it('lights the prompt words found in the hypothesis, in order', () => {
    expect(heardWords('The quick brown fox', 'the quik fox jumps')).toEqual([
      true,
      true,
      false,
      true,
    ]);
    // A growing take: only the start has been heard so far.
    expect(heardWords('She sells sea shells by the shore', 'she sels')).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(heardWords('one two three', '')).toEqual([false, false, false]);
  });

  it('does not light a word heard out of order or a word that was never said', () => {
    // "fox" comes before "quick" in the hypothesis: only one of them can align in order.
    const lit = heardWords('quick brown fox', 'fox quick');
    expect(lit.filter(Boolean)).toHaveLength(1);
    expect(heardWords('a cat sat', 'a dog stood')).toEqual([true, false, false]);
  });

  it('prefers the exact match when a word repeats', () => {
    // "the" appears twice in the prompt; a hypothesis with one "the" then "end" lights the second.
    expect(heardWords('the start and the end', 'the end')).toEqual([
      true,
      false,
      false,
      false,
      true,
    ]);
  });
});

describe('a take read off its prompt', () => {
  it('is told from a poorly recognised reading of the prompt', () => {
    const prompt = 'There, John, fasten the chain.';
    expect(readsOffPrompt(prompt, 'she had a beutiful warm collearing')).toBe(true);
    expect(readsOffPrompt(prompt, '')).toBe(true);
    // The base model's greedy reading of a real voice is often this far off, and still the prompt.
    expect(readsOffPrompt(prompt, 'there jon fason the chane')).toBe(false);
    expect(readsOffPrompt(prompt, 'the fast in the chain')).toBe(false);
    // Too short a prompt to judge.
    expect(readsOffPrompt('Yes, sir.', 'no')).toBe(false);
  });
});

describe('audio levels', () => {
  it('measures RMS, peak and full-scale samples of a block', () => {
    const level = chunkLevel(sine(0.5, 0.1));
    expect(level.peak).toBeCloseTo(0.5, 2);
    expect(level.rms).toBeCloseTo(0.5 / Math.SQRT2, 2);
    expect(level.clipped).toBe(0);
    expect(chunkLevel(Float32Array.from([1, -1, 0.2])).clipped).toBe(2);
    expect(toDb(0.5)).toBeCloseTo(-6.02, 2);
    expect(toDb(0)).toBe(-Infinity);
  });

  it('maps dBFS to the meter from -60 to 0', () => {
    expect(meterFraction(-Infinity)).toBe(0);
    expect(meterFraction(-60)).toBe(0);
    expect(meterFraction(-30)).toBeCloseTo(0.5);
    expect(meterFraction(3)).toBe(1);
  });

  it('holds the peak, then lets it fall', () => {
    const hold = new PeakHold(1000, 20);
    expect(hold.update(-6, 0)).toBe(-6);
    expect(hold.update(-20, 500)).toBe(-6);
    expect(hold.level(1000)).toBe(-6);
    expect(hold.level(1500)).toBeCloseTo(-16);
    expect(hold.update(-3, 1600)).toBe(-3);
    hold.reset();
    expect(hold.level(0)).toBe(-Infinity);
  });

  it('warns about a silent, a clipped and a short take, and passes a good one', () => {
    const good = new TakeStats(16000);
    good.add(sine(0.3, 1));
    good.add(sine(0.3, 1));
    const summary = good.summary();
    expect(summary.warnings).toEqual([]);
    expect(summary.durationSec).toBeCloseTo(2);
    expect(summary.speechLevelDb).toBeCloseTo(toDb(0.3 / Math.SQRT2), 0);

    const silent = new TakeStats(16000);
    silent.add(sine(0.001, 2));
    expect(silent.summary().warnings).toEqual(['silent']);

    const clipped = new TakeStats(16000);
    const loud = sine(2, 2).map((value) => Math.max(-1, Math.min(1, value)));
    clipped.add(loud);
    expect(clipped.summary().warnings).toEqual(['clipped']);

    // Clipping measured before resampling counts, even if the 16 kHz samples look clean.
    const native = new TakeStats(16000);
    native.add(sine(0.3, 2), { peak: 1, clipped: 5000, frames: 96000 });
    expect(native.summary().warnings).toEqual(['clipped']);
    expect(native.summary().peakDb).toBe(0);

    const short = new TakeStats(16000);
    short.add(sine(0.3, 0.2));
    expect(short.summary().warnings).toEqual(['too-short']);
    expect(new TakeStats(16000).summary().warnings).toEqual(['too-short', 'silent']);
  });
});

describe('clip encoding', () => {
  it('joins chunks and encodes Float32 little-endian as base64', () => {
    const joined = joinChunks([Float32Array.from([1, 0.5]), Float32Array.from([-1])]);
    expect(Array.from(joined)).toEqual([1, 0.5, -1]);
    const encoded = float32ToBase64(joined);
    const bytes = Buffer.from(encoded, 'base64');
    const decoded = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expect(Array.from(decoded)).toEqual([1, 0.5, -1]);
    const long = sine(0.5, 3);
    const round = Buffer.from(float32ToBase64(long), 'base64');
    expect(round.equals(Buffer.from(long.buffer))).toBe(true);
  });
});

describe('training chart scales', () => {
  it('rounds axis maxima up and spaces ticks evenly', () => {
    expect(niceMax(0.83)).toBe(1);
    expect(niceMax(3.2)).toBe(4);
    expect(niceMax(27)).toBe(30);
    expect(niceMax(0)).toBe(1);
    expect(niceMax(Number.NaN)).toBe(1);
    expect(ticks(2, 4)).toEqual([0, 0.5, 1, 1.5, 2]);
  });

  it('maps data to the box, y upwards, and skips points that are not numbers', () => {
    const box = { left: 10, top: 0, width: 100, height: 50 };
    expect(
      linePath(
        [
          { x: 0, y: 0 },
          { x: 5, y: 1 },
          { x: 10, y: Number.NaN },
        ],
        [0, 10],
        [0, 2],
        box,
      ),
    ).toBe('M10.0,50.0 L60.0,25.0');
    expect(linearScale([3, 3], [0, 10])(3)).toBe(5);
  });
});

describe('the capture worklet’s resampler', () => {
  const tone = (frequency: number, rate: number, seconds: number) =>
    Float32Array.from(
      { length: Math.round(rate * seconds) },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * frequency * i) / rate),
    );
  const inBlocks = (resampler: StreamResampler, input: Float32Array, block: number) =>
    joinChunks(
      Array.from({ length: Math.ceil(input.length / block) }, (_, i) =>
        resampler.push(input.subarray(i * block, (i + 1) * block)),
      ),
    );
  /** Amplitude of `frequency` in the middle of the output (away from the start-up edge). */
  const amplitudeAt = (samples: Float32Array, frequency: number, rate: number) => {
    let sin = 0;
    let cos = 0;
    const from = 2000;
    const to = samples.length - 2000;
    for (let i = from; i < to; i++) {
      sin += samples[i]! * Math.sin((2 * Math.PI * frequency * i) / rate);
      cos += samples[i]! * Math.cos((2 * Math.PI * frequency * i) / rate);
    }
    return (2 * Math.hypot(sin, cos)) / (to - from);
  };

  it('keeps speech frequencies, whatever the input rate', () => {
    for (const inRate of [48000, 44100, 22050]) {
      const out = inBlocks(new StreamResampler(inRate, 16000), tone(1000, inRate, 1), 4096);
      expect(Math.abs(out.length - 16000)).toBeLessThan(40);
      expect(amplitudeAt(out, 1000, 16000)).toBeCloseTo(0.5, 1);
      expect(Math.abs(amplitudeAt(out, 1000, 16000) - 0.5)).toBeLessThan(0.02);
    }
  });

  it('removes what 16 kHz cannot hold instead of folding it back', () => {
    // 12 kHz would alias to 4 kHz in a plain decimation.
    const out = inBlocks(new StreamResampler(48000, 16000), tone(12000, 48000, 1), 4096);
    expect(amplitudeAt(out, 4000, 16000)).toBeLessThan(0.01);
  });

  it('gives the same samples whatever the block size', () => {
    const input = tone(440, 48000, 0.5);
    const whole = inBlocks(new StreamResampler(48000, 16000), input, input.length);
    const blocks = inBlocks(new StreamResampler(48000, 16000), input, 128);
    expect(blocks.length).toBe(whole.length);
    let worst = 0;
    for (let i = 0; i < whole.length; i++) {
      worst = Math.max(worst, Math.abs(whole[i]! - blocks[i]!));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(new StreamResampler(16000, 16000).push(input)).toEqual(input);
  });
});

describe('take length', () => {
  it('finds the most samples whose base64 fits a character limit', () => {
    for (const limit of [0, 5, 16, 17, 21, 22, 100, 1000, 4099]) {
      const fits = samplesFittingBase64(limit);
      expect(float32ToBase64(new Float32Array(fits)).length).toBeLessThanOrEqual(limit);
      expect(float32ToBase64(new Float32Array(fits + 1)).length).toBeGreaterThan(limit);
    }
  });

  it('keeps a full-length take within the contract clip limit', () => {
    expect(MAX_TAKE_SEC).toBe(60);
    expect(MAX_TAKE_SAMPLES).toBe(60 * 16000);
    expect(float32ToBase64(new Float32Array(MAX_TAKE_SAMPLES)).length).toBeLessThanOrEqual(
      MAX_CLIP_BASE64_CHARS,
    );
  });
});
