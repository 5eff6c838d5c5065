import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { HarkError } from '../errors';
import { CARD_FILE, MODEL_FILE } from '../model/model-folder';

/** Which base model a profile fine-tunes: enough to tell two versions of it apart. */
export interface BaseModelRef {
  /** The card's name (`base-en`), or the folder's name. */
  id: string;
  /** Absolute path of the model folder. */
  dir: string;
  /** First 16 hex digits of model.onnx's SHA-256. */
  sha256: string;
  /** The card's training.globalStep, when it has one (Hark's own models). */
  globalStep: number | null;
}

/** SHA-256 of a file, streamed. */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (error) {
    throw new HarkError('MODEL_NOT_FOUND', 'cannot read the model', { file, cause: error });
  }
  return hash.digest('hex');
}

/**
 * Identifies a base model folder (reads model.json and hashes model.onnx).
 *
 * @example
 * const base = await describeBaseModel('models/base-en'); // { id: 'base-en', sha256: '3f…', … }
 */
export async function describeBaseModel(dir: string): Promise<BaseModelRef> {
  const folder = resolve(dir);
  const sha256 = (await fileSha256(join(folder, MODEL_FILE))).slice(0, 16);
  let card: { name?: unknown; training?: { globalStep?: unknown } } = {};
  try {
    card = JSON.parse(await readFile(join(folder, CARD_FILE), 'utf8')) as typeof card;
  } catch {
    // No card (a model from elsewhere): the folder's name identifies it.
  }
  return {
    id: typeof card.name === 'string' ? card.name : basename(folder),
    dir: folder,
    sha256,
    globalStep: typeof card.training?.globalStep === 'number' ? card.training.globalStep : null,
  };
}
