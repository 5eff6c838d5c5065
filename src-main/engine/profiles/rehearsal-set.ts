/**
 * Speech that is not the user's, which a base model may carry for fine-tuning (both made by
 * `npm run rehearsal-set`):
 * - the rehearsal set, `<base model>/rehearsal/manifest.jsonl`: synthetic voices from the base
 *   model's own training corpus. Fine-tuning feeds it alongside the user's recordings and pulls
 *   the profile's posteriors on it towards the base model's (finetune-graphs.ts, `distill`), so a
 *   profile keeps working for other voices.
 * - the short rehearsal set, `<base model>/rehearsal-short/manifest.jsonl`: the same corpus's
 *   short utterances (a lone word, two or three words, digits), distilled on as well by runs whose
 *   recordings are mostly single words (`rehearseShortUtterances`).
 * - the forgetting check, `<base model>/forgetting-check/manifest.jsonl`: held-out synthetic
 *   voices and sentences (the corpus's test split), never trained on nor distilled. Fine-tuning
 *   measures a profile's WER on it against the base model's and refuses weights that lose more
 *   than the recipe's `maxForgettingPoints`, when it sets one (finetune.ts).
 */
import { join } from 'node:path';
import { readManifest, type ManifestEntry } from '../dataset/manifest';
import { HarkError } from '../errors';
import { pathExists } from './profile-files';

/** Where a base model folder keeps its rehearsal set. */
export const REHEARSAL_MANIFEST = join('rehearsal', 'manifest.jsonl');
/** Where a base model folder keeps its short utterances of other voices. */
export const SHORT_REHEARSAL_MANIFEST = join('rehearsal-short', 'manifest.jsonl');
/** Where a base model folder keeps its forgetting check. */
export const FORGETTING_CHECK_MANIFEST = join('forgetting-check', 'manifest.jsonl');

/**
 * The rehearsal set of the base model in `baseDir`: [] when it carries none (runs then train on
 * the user's recordings alone); MODEL_INVALID when it carries a broken one.
 *
 * @example
 * const rehearsal = await readRehearsalSet('models/base-en'); // 128 entries, 5.5 minutes
 */
export async function readRehearsalSet(baseDir: string): Promise<ManifestEntry[]> {
  return readOtherVoices(join(baseDir, REHEARSAL_MANIFEST), 'rehearsal set');
}

/**
 * The short rehearsal set of the base model in `baseDir`: [] when it carries none;
 * MODEL_INVALID when it carries a broken one.
 *
 * @example
 * const shorts = await readShortRehearsalSet('models/base-en'); // 128 entries, 1.9 minutes
 */
export async function readShortRehearsalSet(baseDir: string): Promise<ManifestEntry[]> {
  return readOtherVoices(join(baseDir, SHORT_REHEARSAL_MANIFEST), 'short rehearsal set');
}

/**
 * The forgetting check of the base model in `baseDir`: [] when it carries none (runs then cannot
 * measure forgetting, and do not refuse weights for it); MODEL_INVALID when it carries a broken one.
 *
 * @example
 * const check = await readForgettingCheck('models/base-en'); // 64 entries, 2.5 minutes
 */
export async function readForgettingCheck(baseDir: string): Promise<ManifestEntry[]> {
  return readOtherVoices(join(baseDir, FORGETTING_CHECK_MANIFEST), 'forgetting check');
}

async function readOtherVoices(file: string, what: string): Promise<ManifestEntry[]> {
  if (!(await pathExists(file))) return [];
  try {
    return await readManifest(file);
  } catch (error) {
    throw new HarkError(
      'MODEL_INVALID',
      `the base model's ${what} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      { file, cause: error },
    );
  }
}

/**
 * The rehearsal utterances that join training batch `step` (1-based): `count` of them, walking
 * the set in a fixed order so a resumed run picks what the uninterrupted one would have.
 */
export function rehearsalIndices(step: number, count: number, setSize: number): number[] {
  if (setSize === 0 || count <= 0) return [];
  const first = ((step - 1) * count) % setSize;
  return Array.from({ length: Math.min(count, setSize) }, (_, i) => (first + i) % setSize);
}
