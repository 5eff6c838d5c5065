import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodePcm16Wav,
  encodePcm16Wav,
  probeCorpusWav,
  writeWavAtomic,
} from '../../../scripts/corpus/wav';
import { HarkError } from '../../../src-main/engine/errors';

const dir = mkdtempSync(join(tmpdir(), 'hark-wav-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('corpus WAV files', () => {
  const samples = Float32Array.from({ length: 16000 }, (_, i) => 0.5 * Math.sin(i / 10));

  it('round-trips 16-bit samples', () => {
    const decoded = decodePcm16Wav(encodePcm16Wav(samples, 16000), 'x.wav');
    expect(decoded.sampleRate).toBe(16000);
    expect(decoded.samples).toHaveLength(samples.length);
    for (let i = 0; i < samples.length; i += 97)
      expect(decoded.samples[i]).toBeCloseTo(samples[i] as number, 4);
  });

  it('clips instead of wrapping around', () => {
    const decoded = decodePcm16Wav(encodePcm16Wav(Float32Array.from([2, -2]), 16000), 'x.wav');
    expect(decoded.samples[0]).toBeCloseTo(1, 3);
    expect(decoded.samples[1]).toBeCloseTo(-1, 3);
  });

  it('writes atomically and probes the duration', () => {
    const path = join(dir, 'a.wav');
    writeWavAtomic(path, samples, 16000);
    expect(readdirSync(dir)).toEqual(['a.wav']);
    expect(probeCorpusWav(path, 16000)).toBe(1);
    expect(probeCorpusWav(path, 22050)).toBeUndefined();
  });

  it('rejects a truncated or missing file', () => {
    const path = join(dir, 'b.wav');
    writeWavAtomic(path, samples, 16000);
    truncateSync(path, 10000);
    expect(probeCorpusWav(path, 16000)).toBeUndefined();
    expect(probeCorpusWav(join(dir, 'missing.wav'), 16000)).toBeUndefined();
  });

  it('reads a streamed file whose header overstates the data, and averages channels', () => {
    const stereo = encodePcm16Wav(Float32Array.from([0.5, 0.25, -0.5, -0.25]), 8000);
    stereo.writeUInt16LE(2, 22); // two channels: frames (0.5, 0.25) and (-0.5, -0.25)
    stereo.writeUInt32LE(0xffffffff, 40);
    const decoded = decodePcm16Wav(stereo, 'stream.wav');
    expect(Array.from(decoded.samples).map((v) => Math.round(v * 1000) / 1000)).toEqual([
      0.375, -0.375,
    ]);
  });

  it('names the file when it is not a WAV', () => {
    const path = join(dir, 'text.wav');
    writeFileSync(path, 'hello, not audio at all');
    expect(() => decodePcm16Wav(readFileSync(path), path)).toThrow(HarkError);
    expect(() => decodePcm16Wav(readFileSync(path), path)).toThrow(path);
  });
});
