import { renameSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';

/**
 * Writes JSON as the repository's Prettier formats it (so `npm run lint` stays clean), atomically:
 * a temporary file renamed over the target.
 *
 * @example
 * await writeFormattedJson('models/lm-en/lm.json', card);
 */
export async function writeFormattedJson(path: string, value: unknown): Promise<void> {
  const options = (await resolveConfig(path)) ?? {};
  const text = await format(JSON.stringify(value, null, 2), { ...options, parser: 'json' });
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}
