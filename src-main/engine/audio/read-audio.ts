import { HarkError } from '../errors';
import { openAudioFile, readFully, type OpenedFile } from './open-audio-file';
import { Resampler } from './resampler';
import { createMonoDecoder } from './sample-decoders';
import { readWavLayout, type WavContainer, type WavLayout } from './wav-header';

/** What a WAV file holds, read from its header. */
export interface AudioInfo {
  path: string;
  /** 'pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32', 'float64', 'alaw', 'mulaw' or 'ima-adpcm'. */
  format: string;
  container: WavContainer;
  sampleRate: number;
  channels: number;
  /** Significant bits per sample (4 for IMA ADPCM, 8 for A-law/µ-law). */
  bitsPerSample: number;
  /** Samples per channel that will be decoded. */
  frames: number;
  durationSec: number;
  /** Problems in the file that were worked around (e.g. a data size larger than the file). */
  warnings: string[];
}

export interface ReadAudioOptions {
  /** Output sample rate, Hz. Default 16000. */
  targetSampleRate?: number;
  /** Length of each yielded chunk, seconds of output (the last one may be shorter). Default 10. */
  chunkSec?: number;
  /** Aborting stops the read with a CANCELLED error before the next block. */
  signal?: AbortSignal;
  /** Called once with the header's information, before the first chunk. */
  onInfo?: (info: AudioInfo) => void;
}

/** The most bytes read from the file at once: memory stays flat whatever the file's size. */
export const MAX_READ_BYTES = 1 << 20;
const DEFAULT_TARGET_RATE = 16000;
const DEFAULT_CHUNK_SEC = 10;

/**
 * Reads a WAV file's header (never its samples) and says what it holds.
 * Throws a HarkError naming the file for anything Hark cannot decode.
 *
 * @example
 * const info = await probeAudio('talk.wav');
 * console.log(info.format, info.sampleRate, info.durationSec, info.warnings);
 */
export async function probeAudio(path: string): Promise<AudioInfo> {
  const file = await openAudioFile(path);
  try {
    return toAudioInfo(path, await readWavLayout(file.handle, file.sizeBytes, path));
  } finally {
    await file.handle.close();
  }
}

/**
 * Streams a WAV file as mono Float32 chunks at `targetSampleRate` (channels averaged, band-limited
 * resampling), reading at most MAX_READ_BYTES at a time. Every chunk but the last holds exactly
 * round(chunkSec × targetSampleRate) samples; all of them together hold
 * round(frames × targetSampleRate / sampleRate). The first `next()` opens the file and validates
 * the header; the generator's return value is the AudioInfo.
 *
 * @example
 * for await (const chunk of readAudio('talk.wav', { chunkSec: 30, signal })) features.accept(chunk);
 */
export async function* readAudio(
  path: string,
  options: ReadAudioOptions = {},
): AsyncGenerator<Float32Array, AudioInfo, undefined> {
  const { targetSampleRate = DEFAULT_TARGET_RATE, chunkSec = DEFAULT_CHUNK_SEC, signal } = options;
  validateReadOptions(targetSampleRate, chunkSec);
  throwIfAborted(signal, path);
  const file = await openAudioFile(path);
  try {
    const layout = await readWavLayout(file.handle, file.sizeBytes, path);
    const info = toAudioInfo(path, layout);
    options.onInfo?.(info);
    const chunkSamples = Math.max(1, Math.round(chunkSec * targetSampleRate));
    const resampler = new Resampler({ inputRate: layout.sampleRate, outputRate: targetSampleRate });
    let pending = new Float32Array(chunkSamples);
    let pendingLength = 0;
    for await (const decoded of decodeBlocks(file, layout, signal)) {
      const resampled = resampler.process(decoded);
      for (let offset = 0; offset < resampled.length;) {
        const take = Math.min(resampled.length - offset, chunkSamples - pendingLength);
        pending.set(resampled.subarray(offset, offset + take), pendingLength);
        pendingLength += take;
        offset += take;
        if (pendingLength === chunkSamples) {
          yield pending;
          throwIfAborted(signal, path);
          pending = new Float32Array(chunkSamples);
          pendingLength = 0;
        }
      }
    }
    const tail = resampler.flush();
    const last = new Float32Array(pendingLength + tail.length);
    last.set(pending.subarray(0, pendingLength));
    last.set(tail, pendingLength);
    for (let offset = 0; offset < last.length; offset += chunkSamples) {
      yield last.slice(offset, offset + chunkSamples);
    }
    return info;
  } finally {
    await file.handle.close();
  }
}

/**
 * Reads a whole WAV file into one mono Float32Array at `targetSampleRate` (default 16000).
 * For short files; long ones should stream with readAudio.
 *
 * @example
 * const { info, samples } = await readAudioWhole('prompt-01.wav');
 */
export async function readAudioWhole(
  path: string,
  options: Omit<ReadAudioOptions, 'onInfo' | 'chunkSec'> = {},
): Promise<{ info: AudioInfo; samples: Float32Array }> {
  const targetSampleRate = options.targetSampleRate ?? DEFAULT_TARGET_RATE;
  const chunks: Float32Array[] = [];
  let total = 0;
  const reader = readAudio(path, { ...options, targetSampleRate, chunkSec: 60 });
  for (;;) {
    const next = await reader.next();
    if (next.done) {
      const samples = new Float32Array(total);
      let offset = 0;
      for (const chunk of chunks) {
        samples.set(chunk, offset);
        offset += chunk.length;
      }
      return { info: next.value, samples };
    }
    chunks.push(next.value);
    total += next.value.length;
  }
}

/** Reads the data chunk block by block and yields each block decoded to mono at the file's rate. */
async function* decodeBlocks(
  file: OpenedFile,
  layout: WavLayout,
  signal: AbortSignal | undefined,
): AsyncGenerator<Float32Array> {
  const decoder = createMonoDecoder(layout, file.path);
  const unitsPerRead = Math.max(1, Math.floor(MAX_READ_BYTES / layout.blockAlign));
  const readBytes = unitsPerRead * layout.blockAlign;
  const buffer = new Uint8Array(readBytes);
  const dataEnd = layout.dataOffset + layout.dataBytes;
  let framesDone = 0;
  for (
    let offset = layout.dataOffset;
    offset < dataEnd && framesDone < layout.frames;
    offset += readBytes
  ) {
    throwIfAborted(signal, file.path);
    const wanted = Math.min(readBytes, dataEnd - offset);
    const got = await readFully(file.handle, buffer, wanted, offset);
    if (got < wanted) {
      throw new HarkError(
        'WAV_TRUNCATED',
        `the file shrank while it was being read (at byte ${offset + got})`,
        {
          file: file.path,
        },
      );
    }
    const out = new Float32Array(decoder.framesIn(got));
    const frames = decoder.decode(buffer.subarray(0, got), out, framesDone);
    const kept = Math.min(frames, layout.frames - framesDone);
    framesDone += kept;
    yield kept === out.length ? out : out.subarray(0, kept);
  }
}

function toAudioInfo(path: string, layout: WavLayout): AudioInfo {
  return {
    path,
    format: layout.formatName,
    container: layout.container,
    sampleRate: layout.sampleRate,
    channels: layout.channels,
    bitsPerSample: layout.bitsPerSample,
    frames: layout.frames,
    durationSec: layout.frames / layout.sampleRate,
    warnings: layout.warnings,
  };
}

function validateReadOptions(targetSampleRate: number, chunkSec: number): void {
  if (!Number.isInteger(targetSampleRate) || targetSampleRate < 1000 || targetSampleRate > 768000) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `targetSampleRate must be an integer in 1000..768000 Hz, got ${targetSampleRate}`,
    );
  }
  if (!(chunkSec > 0) || !Number.isFinite(chunkSec)) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `chunkSec must be a positive number of seconds, got ${chunkSec}`,
    );
  }
}

function throwIfAborted(signal: AbortSignal | undefined, path: string): void {
  if (signal?.aborted) throw new HarkError('CANCELLED', 'reading was cancelled', { file: path });
}
