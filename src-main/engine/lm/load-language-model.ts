import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { HarkError, isHarkError } from '../errors';
import { parseArpa } from './arpa';
import { decodeLanguageModel } from './binary-format';
import type { NgramModel } from './ngram-model';

/** What a language-model folder may hold, in the order they are tried. */
export const LANGUAGE_MODEL_FILES = ['lm.bin', 'lm.arpa', 'lm.arpa.gz'] as const;

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new HarkError('MODEL_NOT_FOUND', 'no language model here', { file: path });
    }
    throw new HarkError('FILE_UNREADABLE', (error as Error).message, { file: path, cause: error });
  }
}

async function firstExisting(dir: string): Promise<string> {
  for (const name of LANGUAGE_MODEL_FILES) {
    const path = join(dir, name);
    try {
      if ((await stat(path)).isFile()) return path;
    } catch {
      // try the next name
    }
  }
  throw new HarkError(
    'MODEL_NOT_FOUND',
    `the folder holds none of ${LANGUAGE_MODEL_FILES.join(', ')}`,
    { file: dir },
  );
}

/**
 * Loads an n-gram language model from a folder (`lm.bin`, else `lm.arpa`, else `lm.arpa.gz`) or
 * from a file: Hark's binary format (recognised by its header), ARPA text, or gzipped ARPA.
 * HarkError MODEL_NOT_FOUND / MODEL_INVALID names the path.
 *
 * @example
 * const lm = await loadLanguageModel('models/lm-en'); // ~0.1 s for the shipped model
 * beamSearchDecode(logProbs, { ...options, lm });
 */
export async function loadLanguageModel(path: string): Promise<NgramModel> {
  const file = (await isDirectory(path)) ? await firstExisting(path) : path;
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new HarkError('FILE_UNREADABLE', (error as Error).message, { file, cause: error });
  }
  try {
    if (bytes.subarray(0, 8).toString('latin1') === 'HARK-LM1') {
      return decodeLanguageModel(bytes, file);
    }
    const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
    const text = (gzipped ? gunzipSync(bytes) : bytes).toString('utf8');
    return parseArpa(text, file);
  } catch (error) {
    if (isHarkError(error)) throw error;
    throw new HarkError('MODEL_INVALID', (error as Error).message, { file, cause: error });
  }
}

/** What `lm.json` says, as far as decoding needs it (the rest is free-form). */
export interface LanguageModelCard {
  name?: string;
  order?: number;
  /** Weights tuned for beam search with this LM (by scripts/lm/tune.ts), if any. */
  decoding?: { alpha?: number; beta?: number; beamWidth?: number };
  [key: string]: unknown;
}

/**
 * Reads the `lm.json` card beside a language model (`path` is its folder or one of its files),
 * or undefined when there is none. A card that is not JSON is MODEL_INVALID.
 *
 * @example
 * const card = await readLanguageModelCard('models/lm-en');
 * const alpha = card?.decoding?.alpha ?? DEFAULT_LM_WEIGHTS.alpha;
 */
export async function readLanguageModelCard(path: string): Promise<LanguageModelCard | undefined> {
  const dir = (await isDirectory(path)) ? path : dirname(path);
  const file = join(dir, 'lm.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const card = JSON.parse(text) as unknown;
    if (typeof card !== 'object' || card === null || Array.isArray(card)) {
      throw new Error('the card is not a JSON object');
    }
    return card as LanguageModelCard;
  } catch (error) {
    throw new HarkError('MODEL_INVALID', (error as Error).message, { file, cause: error });
  }
}
