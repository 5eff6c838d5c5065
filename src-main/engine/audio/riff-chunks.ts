/**
 * The RIFF chunk list of a WAV file, walked by reading only chunk headers and the few small chunks
 * that describe the samples (fmt, fact, ds64) — never the samples themselves.
 */
import type { FileHandle } from 'node:fs/promises';
import type { HarkError } from '../errors';
import { readFully } from './open-audio-file';
import { parseSubFormat } from './wav-codecs';

/** Builds the HarkError for a problem in the file being read (the file name is added). */
export type Fail = (code: ConstructorParameters<typeof HarkError>[0], message: string) => HarkError;

/** A file with more chunks than this before its samples is not a WAV file anyone wrote. */
const MAX_CHUNKS = 10000;
/** The fmt chunk bytes we look at; anything after the extensible part is ignored. */
const FMT_BYTES_READ = 64;

/** The fields of a fmt chunk, as written. */
export interface FmtChunk {
  formatTag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  /** From the extension (cbSize >= 2): valid bits for EXTENSIBLE, samples per block for ADPCM. */
  extensionWord: number | undefined;
  subFormat: { formatTag: number | undefined; guid: string } | undefined;
}

/** What the walk over the chunk list found. */
export interface ChunkScan {
  fmt: FmtChunk | undefined;
  data: { offset: number; declaredBytes: number } | undefined;
  factFrames: number | undefined;
  ds64DataBytes: number | undefined;
  /** Set when the file ends inside a chunk, or inside a chunk header, before fmt and data. */
  endedInside: string | undefined;
  warnings: string[];
}

/**
 * Walks the chunk list from byte 12 until both 'fmt ' and 'data' are found or the file ends.
 *
 * @example
 * const scan = await scanRiffChunks(handle, sizeBytes, true, fail);
 * scan.fmt?.sampleRate; // 44100
 */
export async function scanRiffChunks(
  handle: FileHandle,
  fileBytes: number,
  littleEndian: boolean,
  fail: Fail,
): Promise<ChunkScan> {
  const scan: ChunkScan = {
    fmt: undefined,
    data: undefined,
    factFrames: undefined,
    ds64DataBytes: undefined,
    endedInside: undefined,
    warnings: [],
  };
  let offset = 12;
  for (let count = 0; offset < fileBytes; count++) {
    if (count >= MAX_CHUNKS) {
      throw fail('WAV_BAD_HEADER', `more than ${MAX_CHUNKS} chunks before the samples`);
    }
    if (offset + 8 > fileBytes) {
      scan.endedInside = `inside a chunk header at byte ${offset}`;
      break;
    }
    const header = await readAt(handle, offset, 8);
    const id = ascii(header, 0, 4);
    if (!isFourCC(header)) {
      throw fail(
        'WAV_BAD_HEADER',
        `no valid chunk header at byte ${offset} (found bytes ${hexBytes(header.subarray(0, 4))})`,
      );
    }
    const size = new DataView(header.buffer, header.byteOffset, 8).getUint32(4, littleEndian);
    const bodyOffset = offset + 8;
    const bodyEnd = bodyOffset + size;

    if (id === 'data') {
      scan.data = { offset: bodyOffset, declaredBytes: size };
      if (scan.fmt) break;
    } else if (id === 'fmt ') {
      if (bodyEnd > fileBytes) {
        scan.endedInside = `inside the 'fmt ' chunk (it needs ${size} bytes, ${fileBytes - bodyOffset} are left)`;
        break;
      }
      if (size < 16) {
        throw fail('WAV_BAD_HEADER', `the 'fmt ' chunk is ${size} bytes; it needs at least 16`);
      }
      scan.fmt = parseFmt(
        await readAt(handle, bodyOffset, Math.min(size, FMT_BYTES_READ)),
        littleEndian,
      );
      if (scan.data) break;
    } else if (id === 'fact' && size >= 4 && bodyOffset + 4 <= fileBytes) {
      scan.factFrames = view(await readAt(handle, bodyOffset, 4)).getUint32(0, littleEndian);
    } else if (id === 'ds64' && size >= 24 && bodyOffset + 24 <= fileBytes) {
      const ds64 = view(await readAt(handle, bodyOffset, 24));
      scan.ds64DataBytes = readUint64(ds64, 8, littleEndian);
    }

    if (bodyEnd > fileBytes && id !== 'data') {
      scan.endedInside = `inside the '${printable(id)}' chunk (it needs ${size} bytes, ${fileBytes - bodyOffset} are left)`;
      break;
    }
    offset = await nextChunkOffset(handle, fileBytes, id, bodyEnd, size, scan.warnings);
  }
  return scan;
}

/** Chunk ids common in WAV files, to tell where the next chunk starts when a pad byte is missing. */
const KNOWN_CHUNK_IDS = new Set([
  'data',
  'fmt ',
  'fact',
  'LIST',
  'JUNK',
  'junk',
  'PAD ',
  'bext',
  'iXML',
  'cue ',
  'smpl',
  'inst',
  'ds64',
  'id3 ',
  'ID3 ',
  '_PMX',
  'acid',
  'cart',
  'axml',
  'plst',
  'levl',
  'umid',
  'DISP',
]);

/** Odd-sized chunks are followed by a pad byte; some writers forget it, so look before leaping. */
async function nextChunkOffset(
  handle: FileHandle,
  fileBytes: number,
  id: string,
  bodyEnd: number,
  size: number,
  warnings: string[],
): Promise<number> {
  if (size % 2 === 0) return bodyEnd;
  const padded = bodyEnd + 1;
  if (padded + 4 > fileBytes || bodyEnd + 4 > fileBytes) return padded;
  const [afterPad, withoutPad] = [
    await readAt(handle, padded, 4),
    await readAt(handle, bodyEnd, 4),
  ];
  if (!KNOWN_CHUNK_IDS.has(ascii(afterPad, 0, 4)) && KNOWN_CHUNK_IDS.has(ascii(withoutPad, 0, 4))) {
    warnings.push(`the odd-sized '${printable(id)}' chunk lacks its pad byte`);
    return bodyEnd;
  }
  return padded;
}

function parseFmt(bytes: Uint8Array, littleEndian: boolean): FmtChunk {
  const fmtView = view(bytes);
  const cbSize = bytes.length >= 18 ? fmtView.getUint16(16, littleEndian) : 0;
  const hasExtensionWord = cbSize >= 2 && bytes.length >= 20;
  const hasSubFormat = cbSize >= 22 && bytes.length >= 40;
  return {
    formatTag: fmtView.getUint16(0, littleEndian),
    channels: fmtView.getUint16(2, littleEndian),
    sampleRate: fmtView.getUint32(4, littleEndian),
    blockAlign: fmtView.getUint16(12, littleEndian),
    bitsPerSample: fmtView.getUint16(14, littleEndian),
    extensionWord: hasExtensionWord ? fmtView.getUint16(18, littleEndian) : undefined,
    subFormat: hasSubFormat
      ? parseSubFormat(new DataView(bytes.buffer, bytes.byteOffset + 24, 16), littleEndian)
      : undefined,
  };
}

/** Reads up to `length` bytes at `position` (fewer at the end of the file). */
export async function readAt(
  handle: FileHandle,
  position: number,
  length: number,
): Promise<Uint8Array> {
  const target = new Uint8Array(length);
  const read = await readFully(handle, target, length, position);
  return target.subarray(0, read);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function readUint64(dataView: DataView, offset: number, littleEndian: boolean): number {
  const low = dataView.getUint32(offset + (littleEndian ? 0 : 4), littleEndian);
  const high = dataView.getUint32(offset + (littleEndian ? 4 : 0), littleEndian);
  return high * 2 ** 32 + low;
}

/** `length` bytes from `start` as Latin-1 text (chunk ids, form types). */
export function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

/** A chunk id is four printable ASCII characters. */
export function isFourCC(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  for (let i = 0; i < 4; i++) {
    const byte = bytes[i] ?? 0;
    if (byte < 0x20 || byte > 0x7e) return false;
  }
  return true;
}

/** Replaces non-printable characters, so chunk ids from broken files can go into messages. */
export function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
