import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes a file so that a crash or kill at any moment leaves either the old content or the new,
 * never half of it: write a temporary file beside it, flush it to disk, then rename it over.
 *
 * @example
 * await writeFileAtomic('/data/settings.json', JSON.stringify(settings));
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Writes a value as pretty JSON, atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(value, null, 1)}\n`);
}

/** Reads a JSON file; undefined when it does not exist or does not parse (a corrupt file is not fatal). */
export async function readJsonOrUndefined(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Runs async writes to one file one after another, and keeps only the latest pending value: many
 * quick updates (queue changes) cost at most one write in flight plus one waiting.
 */
export class SerialWriter {
  private running: Promise<void> = Promise.resolve();
  private pending: (() => Promise<void>) | undefined;
  private scheduled = false;

  write(task: () => Promise<void>): Promise<void> {
    this.pending = task;
    if (this.scheduled) return this.running;
    this.scheduled = true;
    const run = this.running.then(async () => {
      this.scheduled = false;
      const next = this.pending;
      this.pending = undefined;
      if (next) await next();
    });
    // A failed write must not stop the ones after it.
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Resolves when every write asked for so far is on disk. */
  flush(): Promise<void> {
    return this.running;
  }
}
