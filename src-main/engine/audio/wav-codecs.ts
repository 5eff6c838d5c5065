import type { Fail, FmtChunk } from './riff-chunks';

/** WAVE format tags (the `wFormatTag` of the fmt chunk) that Hark decodes or names. */
export const WAVE_FORMAT = {
  PCM: 0x0001,
  IEEE_FLOAT: 0x0003,
  ALAW: 0x0006,
  MULAW: 0x0007,
  IMA_ADPCM: 0x0011,
  EXTENSIBLE: 0xfffe,
} as const;

/** Codecs that can sit inside a WAV file but that Hark does not decode, by format tag. */
const UNSUPPORTED_CODEC_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0002, 'Microsoft ADPCM'],
  [0x0031, 'GSM 6.10'],
  [0x0050, 'MPEG audio (MP2)'],
  [0x0055, 'MP3 (MPEG Layer III)'],
  [0x00ff, 'AAC'],
  [0x0161, 'Windows Media Audio'],
  [0x2000, 'Dolby AC-3'],
]);

/**
 * A human name for a WAVE format tag, for error messages.
 *
 * @example
 * describeFormatTag(0x0055); // 'MP3 (MPEG Layer III), format tag 0x0055'
 */
export function describeFormatTag(formatTag: number): string {
  const hex = `0x${formatTag.toString(16).padStart(4, '0')}`;
  const name = UNSUPPORTED_CODEC_NAMES.get(formatTag);
  return name ? `${name}, format tag ${hex}` : `format tag ${hex}`;
}

/** The fixed tail of every KSDATAFORMAT_SUBTYPE GUID that wraps a plain WAVE format tag. */
const SUBTYPE_GUID_TAIL = [0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

export interface SubFormat {
  /** The format tag the GUID stands for, or undefined for a GUID outside the WAVE family. */
  formatTag: number | undefined;
  /** The GUID in its usual text form, for messages. */
  guid: string;
}

/**
 * Reads the 16-byte SubFormat GUID of a WAVE_FORMAT_EXTENSIBLE fmt chunk. GUIDs of the form
 * `0000XXXX-0000-0010-8000-00AA00389B71` stand for the plain format tag `XXXX`.
 *
 * @example
 * parseSubFormat(new DataView(fmtBytes.buffer, 24, 16), true).formatTag; // 1 for PCM
 */
export function parseSubFormat(view: DataView, littleEndian: boolean): SubFormat {
  const data1 = view.getUint32(0, littleEndian);
  const data2 = view.getUint16(4, littleEndian);
  const data3 = view.getUint16(6, littleEndian);
  const tail = Array.from({ length: 8 }, (_, i) => view.getUint8(8 + i));
  const hex = (value: number, digits: number): string => value.toString(16).padStart(digits, '0');
  const tailHex = tail.map((byte) => hex(byte, 2)).join('');
  const guid = `${hex(data1, 8)}-${hex(data2, 4)}-${hex(data3, 4)}-${tailHex.slice(0, 4)}-${tailHex.slice(4)}`;
  const isWaveFamily =
    data1 <= 0xffff &&
    data2 === 0 &&
    data3 === 0x0010 &&
    tail.every((byte, i) => byte === SUBTYPE_GUID_TAIL[i]);
  return { formatTag: isWaveFamily ? data1 : undefined, guid: guid.toUpperCase() };
}

export type SampleEncoding = 'pcm' | 'float' | 'alaw' | 'mulaw' | 'ima-adpcm';

export const MIN_SAMPLE_RATE = 8000;
export const MAX_SAMPLE_RATE = 192000;

/** How to decode a file's samples, derived from its fmt chunk. */
export interface ResolvedCodec {
  encoding: SampleEncoding;
  formatName: string;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  bytesPerSample: number;
  blockAlign: number;
  framesPerBlock: number;
}

/**
 * Turns a fmt chunk into a decodable codec description (resolving WAVE_FORMAT_EXTENSIBLE to its
 * SubFormat), or throws a HarkError saying why it can't be decoded. Problems it works around are
 * pushed onto `warnings`.
 *
 * @example
 * resolveCodec(scan.fmt, warnings, fail).formatName; // 'pcm24'
 */
export function resolveCodec(fmt: FmtChunk, warnings: string[], fail: Fail): ResolvedCodec {
  let formatTag = fmt.formatTag;
  let bitsPerSample = fmt.bitsPerSample;
  const containerBits = fmt.bitsPerSample;
  if (formatTag === WAVE_FORMAT.EXTENSIBLE) {
    if (!fmt.subFormat) {
      throw fail(
        'WAV_BAD_HEADER',
        'the WAVE_FORMAT_EXTENSIBLE fmt chunk is too short (under 40 bytes)',
      );
    }
    if (fmt.subFormat.formatTag === undefined) {
      throw fail(
        'WAV_UNSUPPORTED_CODEC',
        `unsupported codec: WAVE_FORMAT_EXTENSIBLE with SubFormat GUID {${fmt.subFormat.guid}}`,
      );
    }
    formatTag = fmt.subFormat.formatTag;
    if (fmt.extensionWord && fmt.extensionWord <= containerBits) bitsPerSample = fmt.extensionWord;
  }

  const encoding = encodingOf(formatTag);
  if (!encoding) {
    throw fail('WAV_UNSUPPORTED_CODEC', `unsupported codec: ${describeFormatTag(formatTag)}`);
  }
  const { channels, sampleRate } = fmt;
  if (channels === 0) throw fail('WAV_BAD_HEADER', 'the fmt chunk declares 0 channels');
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw fail(
      'WAV_BAD_SAMPLE_RATE',
      `sample rate ${sampleRate} Hz is outside the supported ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz`,
    );
  }

  if (encoding === 'ima-adpcm') {
    if (containerBits !== 4) {
      throw fail(
        'WAV_UNSUPPORTED_CODEC',
        `unsupported codec: ${containerBits}-bit IMA ADPCM (only 4-bit is)`,
      );
    }
    const headerBytes = 4 * channels;
    const blockAlign = fmt.blockAlign;
    const validBlock =
      blockAlign > headerBytes &&
      (channels === 1 || (blockAlign - headerBytes) % headerBytes === 0);
    if (!validBlock) {
      throw fail(
        'WAV_BAD_HEADER',
        `IMA ADPCM block size ${blockAlign} bytes does not fit ${channels} channel(s)`,
      );
    }
    const framesPerBlock = imaFramesInBlock(blockAlign, channels);
    if (fmt.extensionWord !== undefined && fmt.extensionWord !== framesPerBlock) {
      warnings.push(
        `the header says ${fmt.extensionWord} samples per IMA ADPCM block, the block size gives ${framesPerBlock}; using ${framesPerBlock}`,
      );
    }
    return {
      encoding,
      formatName: 'ima-adpcm',
      channels,
      sampleRate,
      bitsPerSample: 4,
      bytesPerSample: 0,
      blockAlign,
      framesPerBlock,
    };
  }

  const widths: Record<Exclude<SampleEncoding, 'ima-adpcm'>, number[]> = {
    pcm: [1, 2, 3, 4],
    float: [4, 8],
    alaw: [1],
    mulaw: [1],
  };
  const bytesPerSample = Math.ceil(containerBits / 8);
  if (
    !widths[encoding].includes(bytesPerSample) ||
    (encoding === 'float' && containerBits % 32 !== 0) ||
    (encoding === 'pcm' && containerBits < 8)
  ) {
    const kind = { pcm: 'integer PCM', float: 'floating-point', alaw: 'A-law', mulaw: 'µ-law' }[
      encoding
    ];
    throw fail('WAV_UNSUPPORTED_CODEC', `unsupported codec: ${containerBits}-bit ${kind}`);
  }
  let blockAlign = channels * bytesPerSample;
  let storedBytes = bytesPerSample;
  if (fmt.blockAlign !== blockAlign) {
    // Some writers store e.g. 24-bit samples in 32-bit slots and say so only through blockAlign.
    const slot = fmt.blockAlign / channels;
    if (encoding === 'pcm' && Number.isInteger(slot) && slot > bytesPerSample && slot <= 4) {
      storedBytes = slot;
      blockAlign = fmt.blockAlign;
    } else {
      warnings.push(
        `the header's block size (${fmt.blockAlign} bytes) does not match ${channels} channel(s) of ${containerBits}-bit samples; using ${blockAlign}`,
      );
    }
  }
  const formatName =
    encoding === 'pcm'
      ? `pcm${storedBytes * 8}`
      : encoding === 'float'
        ? `float${containerBits}`
        : encoding;
  return {
    encoding,
    formatName,
    channels,
    sampleRate,
    bitsPerSample: encoding === 'pcm' || encoding === 'float' ? bitsPerSample : 8,
    bytesPerSample: storedBytes,
    blockAlign,
    framesPerBlock: 1,
  };
}

function encodingOf(formatTag: number): SampleEncoding | undefined {
  switch (formatTag) {
    case WAVE_FORMAT.PCM:
      return 'pcm';
    case WAVE_FORMAT.IEEE_FLOAT:
      return 'float';
    case WAVE_FORMAT.ALAW:
      return 'alaw';
    case WAVE_FORMAT.MULAW:
      return 'mulaw';
    case WAVE_FORMAT.IMA_ADPCM:
      return 'ima-adpcm';
    default:
      return undefined;
  }
}

/** Samples per channel in an IMA ADPCM block of `blockBytes` (a whole or a final partial block). */
export function imaFramesInBlock(blockBytes: number, channels: number): number {
  const headerBytes = 4 * channels;
  if (blockBytes < headerBytes) return 0;
  if (channels === 1) return 1 + (blockBytes - headerBytes) * 2;
  return 1 + Math.floor((blockBytes - headerBytes) / headerBytes) * 8;
}
