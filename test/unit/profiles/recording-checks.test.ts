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
  });

  it('words its advice for a take at the microphone or for an imported file', () => {
    const message = (samples: Float32Array, text: string, kind: 'take' | 'file') =>
      checkRecording(samples, text, { kind }).map((p) => p.message)[0];
    // No sound at all: the microphone; a quiet voice: closer, or more gain.
    expect(message(tone(2, 0.0001), 'hello', 'take')).toMatch(
      /^The take is silent or nearly so .*: check that the microphone is on/,
    );
    expect(message(tone(2, 10 ** (-52 / 20)), 'hello', 'take')).toMatch(
      /^The take is too quiet \(speech level -5\d\.\d dBFS; at least -45 dBFS is needed\): speak closer/,
    );
    expect(message(tone(2, 10 ** (-52 / 20)), 'hello', 'file')).toMatch(
      /^The recording is too quiet \(speech level -5\d\.\d dBFS; at least -45 dBFS is needed\)\.$/,
    );
    // A take stopped early against a file whose text is not its own; no model frames named.
    const early = message(tone(0.7, 0.3), 'There, John, fasten the chain.', 'take');
    expect(early).toBe(
      'The take is too short for its prompt (0.7 s; reading it takes at least 1.1 s): ' +
        'read the whole sentence before stopping.',
    );
    expect(message(tone(0.7, 0.3), 'There, John, fasten the chain.', 'file')).toMatch(
      /^The text is too long for 0\.70 s of audio \(its letters need at least 1\.1 s\): is it the right text\?$/,
    );
    expect(message(tone(1, 0.3), '', 'file')).not.toMatch(/type/);
    const clipped = tone(2, 1.5).map((x) => Math.max(-1, Math.min(1, x)));
    expect(message(clipped, 'hello', 'take')).toMatch(/lower the input level/);
    expect(message(clipped, 'hello', 'file')).toMatch(/its loudest sounds are cut off\.$/);
  });
});
