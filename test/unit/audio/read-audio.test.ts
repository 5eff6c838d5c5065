import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { once } from 'node:events';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { HarkError } from '../../../src-main/engine/errors';
import {
  MAX_READ_BYTES,
  probeAudio,
  readAudio,
  readAudioWhole,
  resample,
  type AudioInfo,
} from '../../../src-main/engine/audio';
import { buildRiff, fmtBody, makeTempDir, testSignal, writeWithWavefile } from './wav-test-files';

const temp = makeTempDir('read');
afterAll(() => temp.remove());
afterEach(() => vi.restoreAllMocks());

/** Records the length of every FileHandle.read, and how many opened handles are still open. */
async function spyOnFileHandles(): Promise<{
  readLengths: number[];
  opened: () => number;
  openHandles: () => number;
}> {
  const probe = await fs.open(import.meta.filename, 'r');
  const prototype = Object.getPrototypeOf(probe) as fs.FileHandle;
  await probe.close();
  const readLengths: number[] = [];
  const originalRead = prototype.read;
  vi.spyOn(prototype, 'read').mockImplementation(function (
    this: fs.FileHandle,
    ...args: unknown[]
  ) {
    if (typeof args[2] === 'number') readLengths.push(args[2]);
    return (originalRead as (...a: unknown[]) => ReturnType<fs.FileHandle['read']>).apply(
      this,
      args,
    );
  } as fs.FileHandle['read']);
  // close() is an own property of each handle, so wrap it on the handles fs.open returns.
  let open = 0;
  let opened = 0;
  const originalOpen = fs.open;
  vi.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof fs.open>) => {
    const handle = await originalOpen(...args);
    open++;
    opened++;
    const close = handle.close.bind(handle);
    handle.close = async () => {
      open--;
      return close();
    };
    return handle;
  });
  return { readLengths, opened: () => opened, openHandles: () => open };
}

/** Writes a long 44.1 kHz stereo 16-bit WAV in pieces, without holding it in memory. */
async function writeLongWav(path: string, seconds: number): Promise<number> {
  const sampleRate = 44100;
  const frames = seconds * sampleRate;
  const header = buildRiff([
    { id: 'fmt ', body: fmtBody({ formatTag: 1, channels: 2, sampleRate, bitsPerSample: 16 }) },
    { id: 'data', body: new Uint8Array(0), declaredSize: frames * 4 },
  ]);
  const stream = createWriteStream(path);
  stream.write(header);
  const block = new Int16Array(sampleRate * 2);
  for (let i = 0; i < sampleRate; i++) {
    block[2 * i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
    block[2 * i + 1] = -block[2 * i]! >> 1;
  }
  for (let second = 0; second < seconds; second++) {
    if (!stream.write(new Uint8Array(block.buffer))) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
  return header.length + frames * 4;
}

describe('readAudio', () => {
  const sampleRate = 44100;
  const frames = Math.round(25.3 * sampleRate);
  const path = temp.path('speechlike-44k-stereo.wav');
  const channels = [0, 1].map((channel) => testSignal({ sampleRate, frames, channel }));
  writeWithWavefile(path, { sampleRate, bitDepth: '16', channels });

  it('yields 16 kHz mono chunks of exactly chunkSec, then the rest, round(frames × 16000 / rate) in all', async () => {
    const sizes: number[] = [];
    for await (const chunk of readAudio(path, { chunkSec: 10 })) sizes.push(chunk.length);
    const total = Math.round((frames * 16000) / sampleRate);
    expect(sizes).toEqual([160000, 160000, total - 320000]);
  });

  it('streams the same samples as decoding whole and resampling in one go', async () => {
    const atOwnRate = (await readAudioWhole(path, { targetSampleRate: sampleRate })).samples;
    const expected = resample(atOwnRate, { inputRate: sampleRate, outputRate: 16000 });
    const streamed = new Float32Array(expected.length);
    let offset = 0;
    for await (const chunk of readAudio(path, { chunkSec: 3.3 })) {
      streamed.set(chunk, offset);
      offset += chunk.length;
    }
    expect(offset).toBe(expected.length);
    // Bit for bit.
    expect(Buffer.compare(Buffer.from(streamed.buffer), Buffer.from(expected.buffer))).toBe(0);
  });

  it('reports the header through onInfo before the first chunk, and returns it at the end', async () => {
    const events: string[] = [];
    let seen: AudioInfo | undefined;
    const reader = readAudio(path, {
      onInfo: (info) => {
        events.push('info');
        seen = info;
      },
    });
    let result = await reader.next();
    while (!result.done) {
      events.push('chunk');
      result = await reader.next();
    }
    expect(events[0]).toBe('info');
    expect(events.filter((event) => event === 'info')).toHaveLength(1);
    expect(result.value).toEqual(seen);
    expect(result.value).toEqual(await probeAudio(path));
    expect(result.value).toMatchObject({ format: 'pcm16', channels: 2, sampleRate, frames });
  });

  it('stops with CANCELLED once its signal is aborted, and closes the file', async () => {
    const spies = await spyOnFileHandles();
    const controller = new AbortController();
    const reader = readAudio(path, { chunkSec: 1, signal: controller.signal });
    expect((await reader.next()).done).toBe(false);
    controller.abort();
    const error = await reader.next().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HarkError);
    expect((error as HarkError).code).toBe('CANCELLED');
    expect(spies.opened()).toBe(1);
    expect(spies.openHandles()).toBe(0);

    const aborted = await readAudio(path, { signal: AbortSignal.abort() })
      .next()
      .catch((caught: unknown) => caught);
    expect((aborted as HarkError).code).toBe('CANCELLED');
  });

  it('closes the file when the consumer stops early', async () => {
    const spies = await spyOnFileHandles();
    for await (const chunk of readAudio(path, { chunkSec: 1 })) {
      expect(chunk.length).toBe(16000);
      break;
    }
    expect(spies.opened()).toBe(1);
    expect(spies.openHandles()).toBe(0);
  });

  it('refuses nonsense options', async () => {
    for (const options of [
      { chunkSec: 0 },
      { chunkSec: Number.NaN },
      { targetSampleRate: 15999.5 },
      { targetSampleRate: 0 },
    ]) {
      const error = await readAudio(path, options)
        .next()
        .catch((caught: unknown) => caught);
      expect((error as HarkError).code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('streaming a large file', () => {
  it('never reads more than MAX_READ_BYTES at once, and reads each byte once', async () => {
    const path = temp.path('long.wav');
    const fileBytes = await writeLongWav(path, 300); // 5 min, ~53 MB
    expect(fileBytes).toBeGreaterThan(40 * MAX_READ_BYTES);
    const spies = await spyOnFileHandles();
    let samples = 0;
    let chunks = 0;
    // At the file's own rate, so the test measures reading, not resampling.
    for await (const chunk of readAudio(path, { targetSampleRate: 44100, chunkSec: 30 })) {
      samples += chunk.length;
      chunks++;
    }
    expect(samples).toBe(300 * 44100);
    expect(chunks).toBe(10);
    expect(Math.max(...spies.readLengths)).toBeLessThanOrEqual(MAX_READ_BYTES);
    const totalRead = spies.readLengths.reduce((sum, length) => sum + length, 0);
    expect(totalRead).toBeGreaterThanOrEqual(fileBytes - 44);
    expect(totalRead).toBeLessThan(fileBytes + 1024); // header reads are a few small ones
  });
});
