/**
 * Hark's compact language-model file (`lm.bin`): the trie of `NgramModel` written as it lies in
 * memory, so that loading is a file read plus typed-array views (nothing is parsed per n-gram).
 *
 * Layout, little-endian, every section starting at a multiple of 8 bytes:
 * - header: magic "HARK-LM1", u32 format version (1), u32 order N, u32 vocabulary size V,
 *   u32 flags (bit 0: word ids are u16), u32 byte length of the vocabulary, u32 0,
 *   then u32 n-gram count per order;
 * - the vocabulary: the words in id (sorted) order, UTF-8, separated by "\n";
 * - per order n = 1..N: word ids (n ≥ 2; u16 or u32 per entry), log10 probabilities (float16),
 *   and for n < N the log10 backoff weights (float16) and count + 1 child offsets (u32).
 */
import { HarkError } from '../errors';
import { encodeHalves } from './float16';
import { HalfLogTable } from './log-table';
import { NgramModel, type NgramLevel } from './ngram-model';

const MAGIC = 'HARK-LM1';
const FORMAT_VERSION = 1;
const FLAG_U16_WORDS = 1;
const HEADER_BYTES = 32;

const align8 = (offset: number): number => Math.ceil(offset / 8) * 8;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface SectionPlan {
  vocabulary: number;
  levels: { words: number; prob: number; backoff: number; childStart: number }[];
  total: number;
}

/** Where each section goes, for writing and reading alike. */
function planSections(
  counts: readonly number[],
  vocabularyBytes: number,
  wordBytes: number,
): SectionPlan {
  let offset = align8(HEADER_BYTES + 4 * counts.length);
  const vocabulary = offset;
  offset = align8(offset + vocabularyBytes);
  const levels = counts.map((count, k) => {
    const last = k === counts.length - 1;
    const words = offset;
    if (k > 0) offset = align8(offset + count * wordBytes);
    const prob = offset;
    offset = align8(offset + count * 2);
    const backoff = offset;
    if (!last) offset = align8(offset + count * 2);
    const childStart = offset;
    if (!last) offset = align8(offset + (count + 1) * 4);
    return { words, prob, backoff, childStart };
  });
  return { vocabulary, levels, total: offset };
}

/**
 * Serialises a model to Hark's binary format (probabilities and backoffs as float16).
 *
 * @example
 * await writeFile('models/lm-en/lm.bin', encodeLanguageModel(model));
 */
export function encodeLanguageModel(model: NgramModel): Uint8Array {
  const size = model.vocabulary.length;
  const wordBytes = size <= 65536 ? 2 : 4;
  const vocabulary = new TextEncoder().encode(model.vocabulary.join('\n'));
  const counts = model.counts;
  const plan = planSections(counts, vocabulary.length, wordBytes);
  const bytes = new Uint8Array(plan.total);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, FORMAT_VERSION, true);
  view.setUint32(12, model.order, true);
  view.setUint32(16, size, true);
  view.setUint32(20, wordBytes === 2 ? FLAG_U16_WORDS : 0, true);
  view.setUint32(24, vocabulary.length, true);
  counts.forEach((count, k) => view.setUint32(HEADER_BYTES + 4 * k, count, true));
  bytes.set(vocabulary, plan.vocabulary);

  const put = (offset: number, values: ArrayLike<number>, byteWidth: 2 | 4): void => {
    for (let i = 0; i < values.length; i++) {
      if (byteWidth === 2) view.setUint16(offset + 2 * i, values[i]!, true);
      else view.setUint32(offset + 4 * i, values[i]!, true);
    }
  };
  model.levels.forEach((level, k) => {
    const at = plan.levels[k]!;
    if (level.words) put(at.words, level.words, wordBytes);
    const logs = (table: NgramLevel['prob']): number[] =>
      Array.from({ length: level.count }, (_, i) => table.get(i));
    put(at.prob, encodeHalves(logs(level.prob)), 2);
    if (level.backoff) put(at.backoff, encodeHalves(logs(level.backoff)), 2);
    if (level.childStart) put(at.childStart, level.childStart, 4);
  });
  return bytes;
}

/**
 * Opens a model from the bytes of an `lm.bin`, viewing them in place (the bytes must stay
 * unchanged while the model is used). HarkError MODEL_INVALID names `source` when the bytes are
 * not such a file or are cut short.
 *
 * @example
 * const model = decodeLanguageModel(await readFile('models/lm-en/lm.bin'), 'models/lm-en/lm.bin');
 */
export function decodeLanguageModel(input: Uint8Array, source: string): NgramModel {
  const fail = (message: string): never => {
    throw new HarkError('MODEL_INVALID', message, { file: source });
  };
  if (!littleEndian) fail('binary language models need a little-endian machine');
  if (input.length < HEADER_BYTES || new TextDecoder().decode(input.subarray(0, 8)) !== MAGIC) {
    fail('not a Hark language model (no HARK-LM1 header)');
  }
  // Typed-array views need aligned offsets: copy the rare buffer that does not start at one.
  const bytes = input.byteOffset % 8 === 0 ? input : input.slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== FORMAT_VERSION) fail(`format version ${version} is not supported`);
  const order = view.getUint32(12, true);
  const size = view.getUint32(16, true);
  const flags = view.getUint32(20, true);
  const vocabularyBytes = view.getUint32(24, true);
  if (order < 1 || order > 16) fail(`bad order ${order}`);
  if (bytes.length < HEADER_BYTES + 4 * order) fail('the file is cut short');
  const counts = Array.from({ length: order }, (_, k) =>
    view.getUint32(HEADER_BYTES + 4 * k, true),
  );
  const wordBytes = flags & FLAG_U16_WORDS ? 2 : 4;
  const plan = planSections(counts, vocabularyBytes, wordBytes);
  if (bytes.length < plan.total) {
    fail(`the file is cut short: ${bytes.length} bytes, ${plan.total} expected`);
  }

  const vocabulary = new TextDecoder()
    .decode(bytes.subarray(plan.vocabulary, plan.vocabulary + vocabularyBytes))
    .split('\n');
  if (vocabulary.length !== size) fail(`${vocabulary.length} words where ${size} were declared`);
  const at = (offset: number): number => bytes.byteOffset + offset;
  const levels: NgramLevel[] = counts.map((count, k) => {
    const last = k === order - 1;
    const sections = plan.levels[k]!;
    const words =
      k === 0
        ? undefined
        : wordBytes === 2
          ? new Uint16Array(bytes.buffer, at(sections.words), count)
          : new Uint32Array(bytes.buffer, at(sections.words), count);
    return {
      count,
      words,
      prob: new HalfLogTable(new Uint16Array(bytes.buffer, at(sections.prob), count)),
      backoff: last
        ? undefined
        : new HalfLogTable(new Uint16Array(bytes.buffer, at(sections.backoff), count)),
      childStart: last
        ? undefined
        : new Uint32Array(bytes.buffer, at(sections.childStart), count + 1),
    };
  });
  return new NgramModel(vocabulary, levels, source);
}
