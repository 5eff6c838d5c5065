import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { WaveFile } from 'wavefile';
import { HarkError } from '../../../src-main/engine/errors';
import { readAudioWhole, writeWav16k } from '../../../src-main/engine/audio';
import { makeTempDir, maxAbsDifference, testSignal } from './wav-test-files';

const temp = makeTempDir('write');
afterAll(() => temp.remove());
afterEach(() => vi.restoreAllMocks());

describe('writeWav16k', () => {
  it('writes a 16-bit mono PCM WAV that reads back within half a 16-bit step', async () => {
    const samples = Float32Array.from(testSignal({ sampleRate: 16000, frames: 8000, channel: 0 }));
    const path = temp.path('clip.wav');
    await writeWav16k(path, samples, 16000);

    const wav = new WaveFile(readFileSync(path));
    expect(wav.fmt).toMatchObject({
      audioFormat: 1,
      numChannels: 1,
      sampleRate: 16000,
      bitsPerSample: 16,
      blockAlign: 2,
    });
    const { info, samples: decoded } = await readAudioWhole(path);
    expect(info).toMatchObject({ format: 'pcm16', frames: 8000, warnings: [] });
    expect(maxAbsDifference(decoded, samples)).toBeLessThanOrEqual(0.5 / 32768);
  });

  it('keeps the given sample rate and clips samples outside [-1, 1]', async () => {
    const path = temp.path('loud.wav');
    await writeWav16k(path, Float32Array.from([2, -2, 1, -1, 0.5]), 8000);
    const { info, samples } = await readAudioWhole(path, { targetSampleRate: 8000 });
    expect(info.sampleRate).toBe(8000);
    expect(Array.from(samples)).toEqual([32767 / 32768, -1, 32767 / 32768, -1, 0.5]);
  });

  it('replaces a file atomically: after a failed write the old file is intact and no temporary is left', async () => {
    const path = temp.path('existing.wav');
    writeFileSync(path, 'old content');
    const probe = await fs.open(path, 'r');
    const prototype = Object.getPrototypeOf(probe) as fs.FileHandle;
    await probe.close();
    vi.spyOn(prototype, 'writeFile').mockRejectedValue(
      Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }),
    );

    const error = await writeWav16k(path, new Float32Array(100)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HarkError);
    expect((error as HarkError).file).toBe(path);
    expect((error as HarkError).message).toMatch(/no space left/);
    expect(readFileSync(path, 'utf8')).toBe('old content');
    expect(readdirSync(temp.dir).filter((name) => name.includes('existing.wav'))).toEqual([
      'existing.wav',
    ]);

    vi.restoreAllMocks();
    await writeWav16k(path, new Float32Array(100));
    expect((await readAudioWhole(path)).samples.length).toBe(100);
    expect(readdirSync(temp.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses NaN samples and bad rates without creating the file', async () => {
    const path = temp.path('never.wav');
    const nan = await writeWav16k(path, Float32Array.from([0, Number.NaN])).catch(
      (caught: unknown) => caught,
    );
    expect((nan as HarkError).code).toBe('INVALID_ARGUMENT');
    const rate = await writeWav16k(path, new Float32Array(4), 0).catch((caught: unknown) => caught);
    expect((rate as HarkError).code).toBe('INVALID_ARGUMENT');
    expect(existsSync(path)).toBe(false);
  });

  it('names the file when its folder does not exist', async () => {
    const path = temp.path('missing-folder/clip.wav');
    const error = await writeWav16k(path, new Float32Array(4)).catch((caught: unknown) => caught);
    expect((error as HarkError).code).toBe('FILE_NOT_FOUND');
    expect((error as HarkError).file).toBe(path);
  });
});
