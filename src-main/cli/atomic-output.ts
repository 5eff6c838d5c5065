/**
 * Writes output files atomically (a temporary file beside the target, then a rename), and keeps
 * track of the temporary files in flight so that an interrupted process can delete them: no
 * half-written transcript is ever left behind, whatever moment Ctrl-C comes.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

const inFlight = new Set<string>();

/** The temporary name used for `target`: hidden, in the same folder (so rename is atomic). */
export function temporaryPathFor(target: string): string {
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  return path.join(path.dirname(target), `.${path.basename(target)}.${suffix}.tmp`);
}

/**
 * @example
 * await writeOutputAtomic('out/talk.srt', srtText);
 */
export async function writeOutputAtomic(target: string, content: string): Promise<void> {
  const temporary = temporaryPathFor(target);
  inFlight.add(temporary);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  } finally {
    inFlight.delete(temporary);
  }
}

/** Deletes every temporary file still being written (synchronously: for exit paths). */
export function removeTemporaryOutputs(): void {
  for (const temporary of inFlight) rmSync(temporary, { force: true });
  inFlight.clear();
}
