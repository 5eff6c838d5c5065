/**
 * Just enough WAV for the corpus: read the 16-bit PCM files the synthesizers write, write 16 kHz
 * mono 16-bit files atomically, and check a finished file without decoding it.
 */
import { closeSync, openSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { HarkError } from '../../src-main/engine/errors';

export interface PcmAudio {
  sampleRate: number;
  /** Mono samples in [-1, 1] (channels averaged). */
  samples: Float32Array;
}

/**
 * Decodes a RIFF/WAVE buffer of 16-bit PCM. Tolerates a data size larger than the file (as
 * written by streaming synthesizers) by reading what is there.
 *
 * @example
 * const { sampleRate, samples } = decodePcm16Wav(readFileSync('espeak.wav'), 'espeak.wav');
 */
export function decodePcm16Wav(buffer: Buffer, file: string): PcmAudio {
  if (
    buffer.length < 12 ||
    buffer.toString('ascii', 0, 4) !== 'RIFF' ||
    buffer.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new HarkError('WAV_NOT_RIFF', 'not a RIFF/WAVE file', { file });
  }
  let offset = 12;
  let channels = 0;
  let sampleRate = 0;
  let bitsPerSample = 0;
  let format = 0;
  while (offset + 8 <= buffer.length) {
    const id = buffer.toString('ascii', offset, offset + 4);
    const size = buffer.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (body + 16 > buffer.length)
        throw new HarkError('WAV_TRUNCATED', 'the fmt chunk is cut short', { file });
      format = buffer.readUInt16LE(body);
      channels = buffer.readUInt16LE(body + 2);
      sampleRate = buffer.readUInt32LE(body + 4);
      bitsPerSample = buffer.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (format !== 1 || bitsPerSample !== 16) {
        throw new HarkError(
          'WAV_UNSUPPORTED_CODEC',
          `format ${format}, ${bitsPerSample} bits: only 16-bit PCM is read here`,
          { file },
        );
      }
      if (channels < 1 || sampleRate < 1)
        throw new HarkError('WAV_BAD_HEADER', 'no channels or no sample rate', { file });
      const available = Math.min(size, buffer.length - body);
      const frames = Math.floor(available / (2 * channels));
      const samples = new Float32Array(frames);
      for (let frame = 0; frame < frames; frame += 1) {
        let sum = 0;
        for (let channel = 0; channel < channels; channel += 1) {
          sum += buffer.readInt16LE(body + 2 * (frame * channels + channel));
        }
        samples[frame] = sum / channels / 32768;
      }
      return { sampleRate, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new HarkError('WAV_NO_SAMPLES', 'no data chunk', { file });
}

const HEADER_BYTES = 44;

/** Encodes mono samples as 16-bit PCM WAV (clipped to full scale). */
export function encodePcm16Wav(samples: Float32Array, sampleRate: number): Buffer {
  const buffer = Buffer.alloc(HEADER_BYTES + samples.length * 2);
  buffer.write('RIFF', 0, 'ascii');
  buffer.writeUInt32LE(36 + samples.length * 2, 4);
  buffer.write('WAVE', 8, 'ascii');
  buffer.write('fmt ', 12, 'ascii');
  buffer.writeUInt32LE(16, 16);
  buffer.writeUInt16LE(1, 20);
  buffer.writeUInt16LE(1, 22);
  buffer.writeUInt32LE(sampleRate, 24);
  buffer.writeUInt32LE(sampleRate * 2, 28);
  buffer.writeUInt16LE(2, 32);
  buffer.writeUInt16LE(16, 34);
  buffer.write('data', 36, 'ascii');
  buffer.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i += 1) {
    const value = Math.max(-1, Math.min(1, samples[i] as number));
    buffer.writeInt16LE(Math.round(value * 32767), HEADER_BYTES + 2 * i);
  }
  return buffer;
}

/**
 * Writes a WAV atomically: to a temporary name beside the target, then renamed over it, so a
 * killed run never leaves a partial file under the final name.
 */
export function writeWavAtomic(path: string, samples: Float32Array, sampleRate: number): void {
  const temporary = `${path}.partial-${process.pid}`;
  writeFileSync(temporary, encodePcm16Wav(samples, sampleRate));
  renameSync(temporary, path);
}

/**
 * The duration of a finished corpus WAV (16-bit mono at `sampleRate`, canonical 44-byte header,
 * sizes consistent with the file), or undefined when the file is missing or not such a file.
 */
export function probeCorpusWav(path: string, sampleRate: number): number | undefined {
  let descriptor: number | undefined;
  try {
    const size = statSync(path).size;
    if (size < HEADER_BYTES) return undefined;
    descriptor = openSync(path, 'r');
    const header = Buffer.alloc(HEADER_BYTES);
    if (readSync(descriptor, header, 0, HEADER_BYTES, 0) !== HEADER_BYTES) return undefined;
    const dataBytes = header.readUInt32LE(40);
    const valid =
      header.toString('ascii', 0, 4) === 'RIFF' &&
      header.toString('ascii', 8, 12) === 'WAVE' &&
      header.toString('ascii', 36, 40) === 'data' &&
      header.readUInt16LE(20) === 1 &&
      header.readUInt16LE(22) === 1 &&
      header.readUInt32LE(24) === sampleRate &&
      header.readUInt16LE(34) === 16 &&
      header.readUInt32LE(4) === size - 8 &&
      dataBytes === size - HEADER_BYTES &&
      dataBytes > 0;
    return valid ? dataBytes / 2 / sampleRate : undefined;
  } catch {
    return undefined;
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}
