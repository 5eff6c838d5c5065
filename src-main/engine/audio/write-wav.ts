import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { HarkError } from '../errors';
import { fileErrorToHarkError } from './open-audio-file';

/**
 * Writes mono samples in [-1, 1] as a 16-bit PCM WAV file, atomically: the bytes go to a
 * temporary file beside the target, are flushed to disk, then renamed over it, so a crash never
 * leaves a half-written file (and an existing file stays intact until the new one is complete).
 * Samples outside [-1, 1] are clipped; NaN or infinite samples are refused.
 *
 * @example
 * await writeWav16k('profile/clips/0001.wav', samples, 16000);
 */
export async function writeWav16k(
  path: string,
  samples: Float32Array,
  sampleRate = 16000,
): Promise<void> {
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 0xffffffff / 2) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `sample rate must be a positive integer, got ${sampleRate}`,
      { file: path },
    );
  }
  const bytes = encodeWav16(samples, sampleRate, path);
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const handle = await fs.open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw fileErrorToHarkError(error, path);
  }
}

/** The bytes of a 16-bit mono PCM WAV file (44-byte header + samples). */
function encodeWav16(samples: Float32Array, sampleRate: number, path: string): Uint8Array {
  const dataBytes = samples.length * 2;
  if (44 + dataBytes > 0xffffffff) {
    throw new HarkError('INVALID_ARGUMENT', 'too many samples for one WAV file (over 4 GiB)', {
      file: path,
    });
  }
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const writeAscii = (offset: number, text: string): void => {
    for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  writeAscii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  writeAscii(8, 'WAVE');
  writeAscii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  writeAscii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    if (!Number.isFinite(sample)) {
      throw new HarkError(
        'INVALID_ARGUMENT',
        `sample ${i} is ${sample}; cannot write it to a WAV file`,
        { file: path },
      );
    }
    const scaled = Math.round(sample * 32768);
    view.setInt16(44 + 2 * i, scaled > 32767 ? 32767 : scaled < -32768 ? -32768 : scaled, true);
  }
  return bytes;
}
