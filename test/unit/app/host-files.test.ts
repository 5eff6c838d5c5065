import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readJsonOrUndefined,
  SerialWriter,
  writeFileAtomic,
} from '../../../src-main/engine-host/atomic-file';
import { expandDroppedPaths } from '../../../src-main/engine-host/expand-paths';
import { sanitizeSettings } from '../../../src-main/engine-host/settings-store';
import { defaultUserDataDir } from '../../../src-main/engine/user-data-dir';
import { WaveformPeaks } from '../../../src-main/engine-host/waveform-peaks';
import { DEFAULT_DECODING } from '../../../src-main/engine/transcribe/decoding-defaults';

describe('WaveformPeaks', () => {
  it('finds the loudest sample of each slice across chunk boundaries, scaled to the loudest', () => {
    // 1 s of a 0.25-amplitude sine at 1 kHz, then 1 s at 0.5, in odd-sized chunks.
    const rate = 8000;
    const samples = new Float32Array(rate * 2);
    for (let i = 0; i < samples.length; i++) {
      samples[i] = (i < rate ? 0.25 : 0.5) * Math.sin((2 * Math.PI * 1000 * i) / rate + 0.3);
    }
    const peaks = new WaveformPeaks({ bucketCount: 4, totalSamples: samples.length });
    for (let start = 0; start < samples.length; start += 999)
      peaks.push(samples.subarray(start, start + 999));
    const result = peaks.result();
    expect(result).toHaveLength(4);
    expect(result[0]).toBeCloseTo(0.5, 1);
    expect(result[1]).toBeCloseTo(0.5, 1);
    expect(result[2]).toBe(1);
    expect(result[3]).toBe(1);
  });

  it('gives zeros for silence and keeps extra samples in the last bucket', () => {
    const peaks = new WaveformPeaks({ bucketCount: 3, totalSamples: 30 });
    peaks.push(new Float32Array(30));
    peaks.push(Float32Array.from([0, 0.2]));
    expect(peaks.result()).toEqual([0, 0, 1]);
    expect(new WaveformPeaks({ bucketCount: 2, totalSamples: 10 }).result()).toEqual([0, 0]);
  });
});

describe('expandDroppedPaths', () => {
  it('keeps files, expands folders to their WAVs in natural order, and explains what it skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-drop-'));
    mkdirSync(join(dir, 'day', 'sub'), { recursive: true });
    mkdirSync(join(dir, 'empty'));
    for (const name of [
      'day/take10.wav',
      'day/take2.WAV',
      'day/notes.txt',
      'day/sub/x.wave',
      'day/.hidden.wav',
      'one.mp3',
    ]) {
      writeFileSync(join(dir, name), 'x');
    }
    const { files, skipped } = await expandDroppedPaths([
      join(dir, 'day'),
      join(dir, 'one.mp3'),
      join(dir, 'empty'),
      join(dir, 'nothing.wav'),
      'relative.wav',
    ]);
    expect(files).toEqual([
      join(dir, 'day', 'sub', 'x.wave'),
      join(dir, 'day', 'take2.WAV'),
      join(dir, 'day', 'take10.wav'),
      join(dir, 'one.mp3'),
    ]);
    expect(skipped).toEqual([
      {
        code: 'FILE_NOT_FOUND',
        message: 'the folder holds no WAV files',
        file: join(dir, 'empty'),
      },
      {
        code: 'FILE_NOT_FOUND',
        message: 'the file does not exist',
        file: join(dir, 'nothing.wav'),
      },
      { code: 'INVALID_ARGUMENT', message: 'the path is not absolute', file: 'relative.wav' },
    ]);
  });
});

describe('atomic files', () => {
  it('replaces content whole and leaves no temporary files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-atomic-'));
    const path = join(dir, 'nested', 'state.json');
    await writeFileAtomic(path, '{"a":1}');
    await writeFileAtomic(path, '{"a":2}');
    expect(readFileSync(path, 'utf8')).toBe('{"a":2}');
    expect(readdirSync(join(dir, 'nested'))).toEqual(['state.json']);
    writeFileSync(join(dir, 'broken.json'), '{"a":');
    await expect(readJsonOrUndefined(join(dir, 'broken.json'))).resolves.toBeUndefined();
    await expect(readJsonOrUndefined(join(dir, 'missing.json'))).resolves.toBeUndefined();
  });

  it('runs queued writes one after another, skipping values overtaken before their turn', async () => {
    const writer = new SerialWriter();
    const written: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const task = (value: number) => async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      written.push(value);
      inFlight--;
    };
    void writer.write(task(1));
    await new Promise((resolve) => setTimeout(resolve, 1));
    void writer.write(task(2));
    void writer.write(task(3));
    await writer
      .write(async () => {
        throw new Error('disk full');
      })
      .catch(() => undefined);
    void writer.write(task(4));
    await writer.flush();
    expect(maxInFlight).toBe(1);
    expect(written[0]).toBe(1);
    expect(written.at(-1)).toBe(4);
    expect(written).not.toContain(2);
  });
});

describe('settings and folders', () => {
  it('keeps valid stored settings and replaces invalid ones with defaults', () => {
    expect(
      sanitizeSettings(
        { device: 'cuda', threads: 4, model: { kind: 'imported', dir: '/m', name: 'mine' } },
        '/b',
      ),
    ).toEqual({
      device: 'cuda',
      threads: 4,
      model: { kind: 'imported', dir: '/m', name: 'mine' },
      activeModel: { kind: 'base' },
      decoding: { method: DEFAULT_DECODING.method, beamWidth: 16, hotwords: [] },
    });
    expect(
      sanitizeSettings({ device: 'tpu', threads: -1, model: { kind: 'imported' } }, '/b'),
    ).toEqual({
      device: 'auto',
      threads: 0,
      model: { kind: 'bundled', dir: '/b' },
      activeModel: { kind: 'base' },
      decoding: { method: DEFAULT_DECODING.method, beamWidth: 16, hotwords: [] },
    });
    expect(
      sanitizeSettings({ activeModel: { kind: 'profile', name: 'Ada' } }, '/b').activeModel,
    ).toEqual({ kind: 'profile', name: 'Ada' });
    for (const activeModel of [
      { kind: 'profile' },
      { kind: 'profile', name: '' },
      'Ada',
      { kind: 'x' },
    ]) {
      expect(sanitizeSettings({ activeModel }, '/b').activeModel).toEqual({ kind: 'base' });
    }
    expect(sanitizeSettings('garbage', '/b').device).toBe('auto');
    expect(
      sanitizeSettings(
        {
          decoding: {
            method: 'beam',
            beamWidth: 32,
            hotwords: ['Siobhan', 7, '', 'x'.repeat(101)],
          },
        },
        '/b',
      ).decoding,
    ).toEqual({ method: 'beam', beamWidth: 32, hotwords: ['Siobhan'] });
    expect(
      sanitizeSettings({ decoding: { method: 'viterbi', beamWidth: 0, hotwords: 'a' } }, '/b')
        .decoding,
    ).toEqual({ method: DEFAULT_DECODING.method, beamWidth: 16, hotwords: [] });
  });

  it('shares the user-data folder with Electron on each platform', () => {
    expect(defaultUserDataDir('Hark', { XDG_CONFIG_HOME: '/x' }, 'linux')).toBe('/x/Hark');
    expect(defaultUserDataDir('Hark', { APPDATA: 'C:/Users/me/AppData/Roaming' }, 'win32')).toBe(
      join('C:/Users/me/AppData/Roaming', 'Hark'),
    );
    expect(defaultUserDataDir('Hark', {}, 'darwin')).toMatch(/Library\/Application Support\/Hark$/);
  });
});
