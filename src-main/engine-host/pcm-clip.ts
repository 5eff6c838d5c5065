/**
 * Audio clips from the renderer (PcmClip: base64 of little-endian Float32 samples) turned back into
 * samples, and resampled to the engine's 16 kHz where a check or the recogniser needs it.
 */
import { ApiError } from '../api/api-error';
import type { PcmClip } from '../api/contract';
import { resample } from '../engine/audio';

export const ENGINE_SAMPLE_RATE = 16_000;

/**
 * The clip's samples at its own rate. INVALID_ARGUMENT when the bytes are not whole Float32
 * samples or hold values that are not finite numbers.
 *
 * @example
 * const samples = decodeClip({ sampleRate: 16000, float32Base64 }); // Float32Array
 */
export function decodeClip(clip: PcmClip): Float32Array {
  const bytes = Buffer.from(clip.float32Base64, 'base64');
  if (bytes.length % 4 !== 0) {
    throw new ApiError(
      'INVALID_ARGUMENT',
      `the audio clip holds ${bytes.length} bytes, not a whole number of 4-byte Float32 samples`,
    );
  }
  const samples = new Float32Array(bytes.length / 4);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readFloatLE(i * 4);
  if (!samples.every(Number.isFinite)) {
    throw new ApiError('INVALID_ARGUMENT', 'the audio clip holds samples that are not numbers');
  }
  return samples;
}

/** The clip at 16 kHz (a copy only when it must be resampled). */
export function clipAt16k(clip: PcmClip): Float32Array {
  const samples = decodeClip(clip);
  return clip.sampleRate === ENGINE_SAMPLE_RATE
    ? samples
    : resample(samples, { inputRate: clip.sampleRate, outputRate: ENGINE_SAMPLE_RATE });
}

/** Encodes samples as a PcmClip (tests and tools; the renderer does the same in the page). */
export function encodeClip(samples: Float32Array, sampleRate = ENGINE_SAMPLE_RATE): PcmClip {
  const bytes = Buffer.alloc(samples.length * 4);
  for (let i = 0; i < samples.length; i++) bytes.writeFloatLE(samples[i]!, i * 4);
  return { sampleRate, float32Base64: bytes.toString('base64') };
}
