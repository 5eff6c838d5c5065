/**
 * One training run per profile at a time, across processes (the app and the CLI): a lock file
 * holding the owner's process id. A lock left by a process that no longer runs (killed, crashed)
 * is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HarkError } from '../errors';

export const RUN_LOCK_FILE = '.run.lock';

/** Whether a process with this id runs (one of another user's counts). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the run lock of a profile folder; PROFILE_BUSY when a live process holds it.
 *
 * @example
 * const lock = await acquireRunLock('profiles/Ada');
 * try { await train(); } finally { await lock.release(); }
 */
export async function acquireRunLock(folder: string): Promise<{ release: () => Promise<void> }> {
  const file = join(folder, RUN_LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && processIsAlive(owner)) {
      throw new HarkError('PROFILE_BUSY', `the profile is being trained (process ${owner})`, {
        file: folder,
      });
    }
    await rm(file, { force: true });
  }
  throw new HarkError('PROFILE_BUSY', 'could not take the training lock', { file: folder });
}

/** Whether a live process holds the run lock of a profile folder. */
export async function runLockHeld(folder: string): Promise<boolean> {
  const owner = Number(
    (await readFile(join(folder, RUN_LOCK_FILE), 'utf8').catch(() => '')).trim(),
  );
  return Number.isInteger(owner) && owner > 0 && processIsAlive(owner);
}
