/**
 * The rehearsal set a base model may carry: speech that is not the user's (synthetic voices from
 * the base model's own training corpus), in `<base model>/rehearsal/manifest.jsonl`. Fine-tuning
 * feeds it alongside the user's recordings and pulls the profile's posteriors on it towards the
 * base model's (finetune-graphs.ts, `distill`), so a profile keeps working for other voices.
 */
import { join } from 'node:path';
import { readManifest, type ManifestEntry } from '../dataset/manifest';
import { HarkError } from '../errors';
import { pathExists } from './profile-files';

/** Where a base model folder keeps its rehearsal set. */
export const REHEARSAL_MANIFEST = join('rehearsal', 'manifest.jsonl');

/**
 * The rehearsal set of the base model in `baseDir`: [] when it carries none (runs then train on
 * the user's recordings alone); MODEL_INVALID when it carries a broken one.
 *
 * @example
 * const rehearsal = await readRehearsalSet('models/base-en'); // 128 entries, 5.5 minutes
 */
export async function readRehearsalSet(baseDir: string): Promise<ManifestEntry[]> {
  const file = join(baseDir, REHEARSAL_MANIFEST);
  if (!(await pathExists(file))) return [];
  try {
    return await readManifest(file);
  } catch (error) {
    throw new HarkError(
      'MODEL_INVALID',
      `the base model's rehearsal set cannot be read: ${error instanceof Error ? error.message : String(error)}`,
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
