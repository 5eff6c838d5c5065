import { endianness } from 'node:os';
import { HarkError } from '../errors';
import { ALAW_TABLE, MULAW_TABLE } from './g711';
import { addImaBlock } from './ima-adpcm';
import { imaFramesInBlock } from './wav-codecs';
import type { WavLayout } from './wav-header';

/**
 * Turns raw bytes of a WAV data chunk into mono samples (channels averaged) in [-1, 1].
 * `bytes` must start on a unit boundary (a frame, or an IMA ADPCM block) and hold whole units,
 * except on the last call, which may end with a partial IMA ADPCM block.
 */
export interface MonoDecoder {
  /** How many mono samples `byteLength` bytes decode to. */
  framesIn(byteLength: number): number;
  /**
   * Decodes `bytes` into `out` from index 0 and returns how many samples it wrote.
   * `firstFrame` is the index of the first frame in the file, for error messages.
   */
  decode(bytes: Uint8Array, out: Float32Array, firstFrame: number): number;
}

/**
 * Picks the decoder for a WAV layout: integer PCM (8-bit unsigned, 16/24/32-bit signed, left
 * justified), IEEE float 32/64 (NaN/Inf refused), A-law, µ-law or IMA ADPCM.
 *
 * @example
 * const decoder = createMonoDecoder(layout, 'talk.wav');
 * const out = new Float32Array(decoder.framesIn(bytes.length));
 * decoder.decode(bytes, out, 0);
 */
export function createMonoDecoder(layout: WavLayout, path: string): MonoDecoder {
  const { channels, blockAlign } = layout;
  if (layout.encoding === 'ima-adpcm') return imaDecoder(layout);
  const framesIn = (byteLength: number): number => Math.floor(byteLength / blockAlign);
  const decodeFrames = frameDecoder(layout, path);
  return {
    framesIn,
    decode(bytes, out, firstFrame) {
      const frames = framesIn(bytes.length);
      decodeFrames(
        new DataView(bytes.buffer, bytes.byteOffset, frames * blockAlign),
        out,
        frames,
        firstFrame,
      );
      if (channels > 1) {
        const scale = 1 / channels;
        for (let i = 0; i < frames; i++) out[i]! *= scale;
      }
      return frames;
    },
  };
}

/** Writes the per-frame sum over channels of `frames` frames into `out`. */
type FrameDecoder = (data: DataView, out: Float32Array, frames: number, firstFrame: number) => void;

function frameDecoder(layout: WavLayout, path: string): FrameDecoder {
  const { channels, bytesPerSample, blockAlign, littleEndian } = layout;
  switch (layout.encoding) {
    case 'alaw':
      return tableDecoder(ALAW_TABLE, channels, blockAlign);
    case 'mulaw':
      return tableDecoder(MULAW_TABLE, channels, blockAlign);
    case 'float':
      return floatDecoder(layout, path);
    case 'pcm':
      if (bytesPerSample === 1) return unsigned8Decoder(channels, blockAlign);
      if (
        bytesPerSample === 2 &&
        littleEndian &&
        blockAlign === 2 * channels &&
        endianness() === 'LE'
      ) {
        return native16Decoder(channels);
      }
      return signedDecoder(channels, blockAlign, bytesPerSample, littleEndian);
    default:
      throw new HarkError('INTERNAL', `no frame decoder for ${layout.encoding}`, { file: path });
  }
}

function tableDecoder(table: Float32Array, channels: number, blockAlign: number): FrameDecoder {
  return (data, out, frames) => {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (let frame = 0, at = 0; frame < frames; frame++, at += blockAlign) {
      let sum = 0;
      for (let channel = 0; channel < channels; channel++) sum += table[bytes[at + channel]!]!;
      out[frame] = sum;
    }
  };
}

function unsigned8Decoder(channels: number, blockAlign: number): FrameDecoder {
  return (data, out, frames) => {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    for (let frame = 0, at = 0; frame < frames; frame++, at += blockAlign) {
      let sum = 0;
      for (let channel = 0; channel < channels; channel++) sum += bytes[at + channel]! - 128;
      out[frame] = sum / 128;
    }
  };
}

/** The common case (16-bit little-endian on a little-endian machine) read through an Int16Array. */
function native16Decoder(channels: number): FrameDecoder {
  return (data, out, frames) => {
    if (data.byteOffset % 2 !== 0) {
      signedDecoder(channels, 2 * channels, 2, true)(data, out, frames, 0);
      return;
    }
    const samples = new Int16Array(data.buffer, data.byteOffset, frames * channels);
    if (channels === 1) {
      for (let i = 0; i < frames; i++) out[i] = samples[i]! / 32768;
    } else if (channels === 2) {
      for (let i = 0; i < frames; i++) out[i] = (samples[2 * i]! + samples[2 * i + 1]!) / 32768;
    } else {
      for (let frame = 0, at = 0; frame < frames; frame++) {
        let sum = 0;
        for (let channel = 0; channel < channels; channel++, at++) sum += samples[at]!;
        out[frame] = sum / 32768;
      }
    }
  };
}

/** Signed integers of 2, 3 or 4 bytes, left-justified: scaled by the width of their slot. */
function signedDecoder(
  channels: number,
  blockAlign: number,
  bytesPerSample: number,
  littleEndian: boolean,
): FrameDecoder {
  const scale = 1 / 2 ** (8 * bytesPerSample - 1);
  const readSample = sampleReader(bytesPerSample, littleEndian);
  return (data, out, frames) => {
    for (let frame = 0, at = 0; frame < frames; frame++, at += blockAlign) {
      let sum = 0;
      for (let channel = 0; channel < channels; channel++) {
        sum += readSample(data, at + channel * bytesPerSample);
      }
      out[frame] = sum * scale;
    }
  };
}

function sampleReader(
  bytesPerSample: number,
  littleEndian: boolean,
): (data: DataView, at: number) => number {
  switch (bytesPerSample) {
    case 2:
      return (data, at) => data.getInt16(at, littleEndian);
    case 3:
      return littleEndian
        ? (data, at) => data.getUint16(at, true) | (data.getInt8(at + 2) << 16)
        : (data, at) => data.getUint16(at + 1, false) | (data.getInt8(at) << 16);
    default:
      return (data, at) => data.getInt32(at, littleEndian);
  }
}

function floatDecoder(layout: WavLayout, path: string): FrameDecoder {
  const { channels, blockAlign, littleEndian, bytesPerSample, sampleRate } = layout;
  return (data, out, frames, firstFrame) => {
    for (let frame = 0, at = 0; frame < frames; frame++, at += blockAlign) {
      let sum = 0;
      for (let channel = 0; channel < channels; channel++) {
        const offset = at + channel * bytesPerSample;
        const sample =
          bytesPerSample === 4
            ? data.getFloat32(offset, littleEndian)
            : data.getFloat64(offset, littleEndian);
        if (!Number.isFinite(sample)) {
          throw badSampleError(path, sample, firstFrame + frame, channel, sampleRate);
        }
        sum += sample;
      }
      out[frame] = sum;
    }
  };
}

function badSampleError(
  path: string,
  sample: number,
  frame: number,
  channel: number,
  sampleRate: number,
): HarkError {
  const kind = Number.isNaN(sample) ? 'NaN' : sample > 0 ? '+Infinity' : '-Infinity';
  const timeSec = (frame / sampleRate).toFixed(3);
  return new HarkError(
    'WAV_BAD_SAMPLES',
    `the float data holds a ${kind} sample at ${timeSec} s (frame ${frame}, channel ${channel + 1}); the file is corrupt`,
    { file: path },
  );
}

function imaDecoder(layout: WavLayout): MonoDecoder {
  const { channels, blockAlign, framesPerBlock } = layout;
  const gain = 1 / (32768 * channels);
  const framesIn = (byteLength: number): number => {
    const whole = Math.floor(byteLength / blockAlign);
    return whole * framesPerBlock + imaFramesInBlock(byteLength - whole * blockAlign, channels);
  };
  return {
    framesIn,
    decode(bytes, out) {
      const frames = framesIn(bytes.length);
      out.fill(0, 0, frames);
      for (let at = 0, written = 0; written < frames; at += blockAlign) {
        const block = bytes.subarray(at, at + blockAlign);
        const blockFrames = Math.min(framesPerBlock, imaFramesInBlock(block.length, channels));
        addImaBlock(block, { channels, frames: blockFrames, gain }, out, written);
        written += blockFrames;
      }
      return frames;
    },
  };
}
