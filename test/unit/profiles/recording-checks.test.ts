import { describe, expect, it } from 'vitest';
import { checkRecording, measureLevels } from '../../../src-main/engine/profiles/recording-checks';

const tone = (seconds: number, amplitude: number, hz = 220) =>
  Float32Array.from(
    { length: Math.round(seconds * 16000) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / 16000),
  );
const codes = (samples: Float32Array, text: string) =>
  checkRecording(samples, text).map((p) => p.code);

describe('recording checks', () => {
  it('measures the speech level on the loudest frames, not the silence around them', () => {
    const clip = new Float32Array(16000 * 3);
    clip.set(tone(0.5, 0.5), 16000); // half a second of sound in three seconds of silence
    const levels = measureLevels(clip);
    // RMS of a sine of amplitude 0.5 is 0.354: -9 dBFS.
    expect(levels.speechLevelDb).toBeCloseTo(20 * Math.log10(0.5 / Math.SQRT2), 0);
    expect(levels.peakDb).toBeCloseTo(20 * Math.log10(0.5), 1);
    expect(levels.durationSec).toBe(3);
    expect(codes(clip, 'hello there')).toEqual([]);
  });

  it('flags silence below the floor and passes quiet speech above it', () => {
    expect(codes(tone(2, 10 ** (-50 / 20)), 'hello')).toEqual(['silent']);
    expect(codes(tone(2, 10 ** (-35 / 20)), 'hello')).toEqual([]);
    expect(codes(new Float32Array(32000), 'hello')).toEqual(['silent']);
  });

  it('flags clipping by the share of samples at full scale', () => {
    const clipped = tone(2, 1.5).map((x) => Math.max(-1, Math.min(1, x)));
    expect(measureLevels(clipped).clippedFraction).toBeGreaterThan(0.3);
    expect(codes(clipped, 'hello')).toEqual(['clipped']);
    const touch = tone(2, 0.5);
    touch[100] = 1; // one sample at full scale is not clipping
    expect(codes(touch, 'hello')).toEqual([]);
  });

  it('checks that CTC can align the text: frames >= letters + repeats at 4x subsampling', () => {
    // 0.4 s = 40 feature frames = 10 output frames.
    expect(codes(tone(0.4, 0.3), 'abcdefghij')).toEqual([]);
    expect(codes(tone(0.4, 0.3), 'abcdefghijk')).toEqual(['text-too-long']);
    // "aa" needs a blank between the letters: 10 letters with one repeat need 11 frames.
    expect(codes(tone(0.4, 0.3), 'aabcdefghi')).toEqual(['text-too-long']);
    expect(codes(tone(0.4, 0.3), 'abcdefghi')).toEqual([]);
  });

  it('flags empty text, too short and too long audio, and text too short for its audio', () => {
    expect(codes(tone(1, 0.3), '...')).toEqual(['empty-text']);
    expect(codes(tone(0.1, 0.3), 'a')).toEqual(['too-short']);
    expect(codes(tone(31, 0.3), 'a long story '.repeat(40))).toEqual(['too-long']);
    expect(codes(tone(8, 0.3), 'yes')).toEqual(['text-too-short']);
    const problem = checkRecording(tone(2, 0.001), 'x')[0]!;
    expect(problem.message).toMatch(/silent .* check the microphone/);
  });
});
