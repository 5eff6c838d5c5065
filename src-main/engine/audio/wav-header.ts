import type { FileHandle } from 'node:fs/promises';
import { HarkError } from '../errors';
import { ascii, isFourCC, printable, readAt, scanRiffChunks, type Fail } from './riff-chunks';
import {
  imaFramesInBlock,
  resolveCodec,
  type ResolvedCodec,
  type SampleEncoding,
} from './wav-codecs';

export type WavContainer = 'RIFF' | 'RIFX' | 'RF64';

/** Everything needed to decode a WAV file's samples, found by reading its header region only. */
export interface WavLayout {
  container: WavContainer;
  /** False only for RIFX files. */
  littleEndian: boolean;
  encoding: SampleEncoding;
  /** 'pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32', 'float64', 'alaw', 'mulaw' or 'ima-adpcm'. */
  formatName: string;
  channels: number;
  sampleRate: number;
  /** Significant bits per sample (the valid bits of WAVE_FORMAT_EXTENSIBLE). */
  bitsPerSample: number;
  /** Bytes that hold one sample of one channel (0 for IMA ADPCM). */
  bytesPerSample: number;
  /** Bytes of one decoding unit: a frame, or a whole IMA ADPCM block. */
  blockAlign: number;
  /** Frames in one decoding unit: 1, or the samples per channel of an IMA ADPCM block. */
  framesPerBlock: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Bytes of sample data present in the file and worth decoding. */
  dataBytes: number;
  /** Sample frames (one sample per channel) that `dataBytes` decode to. */
  frames: number;
  /** Problems that were worked around, each one readable line. */
  warnings: string[];
}

const UINT32_MAX = 0xffffffff;
/**
 * Writers that stream (espeak-ng --stdout writes 0x7FFFF000, others 0x7FFFFFFF or 0xFFFFFFFF)
 * put a huge size in the data chunk because they can't go back to fix it.
 */
const STREAMING_PLACEHOLDER_BYTES = 0x7fff0000;

/**
 * Reads the RIFF chunk list of a WAV file (only chunk headers and the small fmt/fact/ds64 chunks,
 * never the samples), validates it and says where the samples are and how to decode them.
 * Accepts RIFF, RIFX (big-endian) and RF64 containers; unknown chunks (LIST, JUNK, bext, ...) are
 * skipped, odd-sized chunks are padded (and a missing pad byte is tolerated).
 *
 * @example
 * const file = await openAudioFile('talk.wav');
 * const layout = await readWavLayout(file.handle, file.sizeBytes, file.path);
 * layout.formatName; // 'pcm16'
 */
export async function readWavLayout(
  handle: FileHandle,
  fileBytes: number,
  path: string,
): Promise<WavLayout> {
  const fail: Fail = (code, message) => new HarkError(code, message, { file: path });
  if (fileBytes === 0) throw fail('WAV_TRUNCATED', 'the file is empty (0 bytes)');

  const head = await readAt(handle, 0, Math.min(12, fileBytes));
  const riffId = ascii(head, 0, 4);
  const container = containerOf(riffId);
  if (!container) {
    throw fail('WAV_NOT_RIFF', `not a WAV file: ${sniffContent(head)} (no RIFF header)`);
  }
  if (head.length < 12) {
    throw fail('WAV_TRUNCATED', `the file ends inside the RIFF header (${fileBytes} bytes)`);
  }
  const formType = ascii(head, 8, 4);
  if (formType !== 'WAVE') {
    throw fail('WAV_NOT_RIFF', `a RIFF file of type '${printable(formType)}', not a WAV file`);
  }
  const littleEndian = container !== 'RIFX';

  const scan = await scanRiffChunks(handle, fileBytes, littleEndian, fail);
  if (!scan.fmt) {
    if (scan.endedInside) {
      throw fail('WAV_TRUNCATED', `the header is cut short: the file ends ${scan.endedInside}`);
    }
    throw fail('WAV_BAD_HEADER', "no 'fmt ' chunk: the sample format is unknown");
  }
  if (!scan.data) {
    if (scan.endedInside) {
      throw fail('WAV_TRUNCATED', `the header is cut short: the file ends ${scan.endedInside}`);
    }
    throw fail('WAV_NO_SAMPLES', "no 'data' chunk: the file holds no samples");
  }

  const warnings = [...scan.warnings];
  const codec = resolveCodec(scan.fmt, warnings, fail);

  const { offset: dataOffset } = scan.data;
  let declaredBytes = scan.data.declaredBytes;
  if (container === 'RF64' && declaredBytes === UINT32_MAX && scan.ds64DataBytes !== undefined) {
    declaredBytes = scan.ds64DataBytes;
  }
  const presentBytes = Math.max(0, fileBytes - dataOffset);
  let dataBytes = Math.min(declaredBytes, presentBytes);

  if (declaredBytes === 0) {
    // A recorder that was killed before finishing its header leaves size 0 and samples after it.
    const next = presentBytes >= 4 ? await readAt(handle, dataOffset, 4) : new Uint8Array(0);
    if (presentBytes >= codec.blockAlign && !isFourCC(next)) {
      warnings.push(
        `the data chunk declares 0 bytes but ${presentBytes} bytes of samples follow it (the header was never finished); decoding them`,
      );
      dataBytes = presentBytes;
    } else {
      throw fail('WAV_NO_SAMPLES', 'the data chunk is empty (0 bytes): the file holds no samples');
    }
  } else if (declaredBytes > presentBytes) {
    warnings.push(
      declaredBytes >= STREAMING_PLACEHOLDER_BYTES
        ? `the data chunk has a placeholder size (0x${declaredBytes.toString(16).toUpperCase()}), as a writer that streams leaves it; decoding the ${presentBytes} bytes up to the end of the file`
        : `the data chunk declares ${declaredBytes} bytes but the file holds only ${presentBytes} (it was cut short); decoding what is present`,
    );
  }

  const frames = countFrames(codec, dataBytes, scan.factFrames, warnings);
  if (frames === 0) {
    const why =
      declaredBytes > presentBytes
        ? presentBytes === 0
          ? `the file holds no audio: it ends right after its header, though the header announces ${declaredBytes} bytes of it (the file was cut short)`
          : `the file holds no audio: it was cut short ${presentBytes} byte${presentBytes === 1 ? '' : 's'} into it, before the first whole sample`
        : `the data chunk (${dataBytes} bytes) holds no whole sample frame`;
    throw fail('WAV_NO_SAMPLES', why);
  }
  const usedBytes =
    codec.encoding === 'ima-adpcm' ? dataBytes : Math.min(dataBytes, frames * codec.blockAlign);

  return {
    container,
    littleEndian,
    ...codec,
    dataOffset,
    dataBytes: usedBytes,
    frames,
    warnings,
  };
}

function countFrames(
  codec: ResolvedCodec,
  dataBytes: number,
  factFrames: number | undefined,
  warnings: string[],
): number {
  if (codec.encoding !== 'ima-adpcm') {
    const frames = Math.floor(dataBytes / codec.blockAlign);
    const leftover = dataBytes - frames * codec.blockAlign;
    if (leftover > 0 && frames > 0) {
      warnings.push(`the data ends with a partial sample frame (${leftover} bytes); it is ignored`);
    }
    return frames;
  }
  const wholeBlocks = Math.floor(dataBytes / codec.blockAlign);
  const tailFrames = imaFramesInBlock(dataBytes - wholeBlocks * codec.blockAlign, codec.channels);
  const frames = wholeBlocks * codec.framesPerBlock + tailFrames;
  // The fact chunk says how many of the last block's samples are real; trust it only downwards.
  return factFrames !== undefined && factFrames > 0 && factFrames < frames ? factFrames : frames;
}

function containerOf(id: string): WavContainer | undefined {
  if (id === 'RIFF' || id === 'RIFX' || id === 'RF64') return id;
  if (id === 'BW64') return 'RF64';
  return undefined;
}

/** Guesses what a non-WAV file is from its first bytes, for the error message. */
function sniffContent(head: Uint8Array): string {
  const text = ascii(head, 0, 4);
  const [b0 = 0, b1 = 0] = head;
  if (text.startsWith('ID3') || (b0 === 0xff && (b1 & 0xe0) === 0xe0))
    return 'it looks like an MP3 file';
  if (text === 'fLaC') return 'it looks like a FLAC file';
  if (text === 'OggS') return 'it looks like an Ogg file';
  if (text === 'FORM') return 'it looks like an AIFF file';
  if (ascii(head, 4, 4) === 'ftyp') return 'it looks like an MP4/M4A file';
  const isText = head.every(
    (byte) => byte === 0x09 || byte === 0x0a || byte === 0x0d || (byte >= 0x20 && byte < 0x7f),
  );
  return isText ? 'it looks like a text file' : 'its content is not audio Hark knows';
}
