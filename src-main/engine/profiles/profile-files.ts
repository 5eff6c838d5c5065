/**
 * File operations of the profile store, all crash-safe: whole files are written to a temporary
 * file and renamed over the target (the old content stays until the new one is complete), and a
 * full disk or a permission problem becomes a HarkError naming the file.
 */
import { randomBytes } from 'node:crypto';
import { access, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { HarkError, isHarkError } from '../errors';
import { writeFileAtomic } from '../train/checkpoint';

/** Turns a Node file-system error into a HarkError naming `file` (DISK_FULL for ENOSPC). */
export function fileError(error: unknown, file: string, doing: string): HarkError {
  if (isHarkError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new HarkError('DISK_FULL', `the disk is full while ${doing}`, { file, cause: error });
  }
  if (code === 'ENOENT') {
    return new HarkError('FILE_NOT_FOUND', `not found while ${doing}`, { file, cause: error });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new HarkError('FILE_UNREADABLE', `${doing} failed: ${detail}`, { file, cause: error });
}

/**
 * Writes text atomically.
 *
 * @example
 * await writeTextAtomic('profile/data/manifest.jsonl', lines.join(''));
 */
export async function writeTextAtomic(file: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(file, new TextEncoder().encode(text));
  } catch (error) {
    throw fileError(error, file, 'writing');
  }
}

/**
 * Writes a value as pretty JSON atomically.
 *
 * @example
 * await writeJsonAtomic('profile/profile.json', { name: 'Ada' });
 */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeTextAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Reads and parses a JSON file; PROFILE_INVALID naming the file when it is not JSON. */
export async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw fileError(error, file, 'reading');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HarkError('PROFILE_INVALID', 'is not valid JSON', { file, cause: error });
  }
}

/**
 * A hidden sibling path for work in progress (`.name.<tag>-<pid>-<random>`), ignored by listings.
 * The process id tells recovery whether the work is another live process's (the app and a CLI
 * share the folder) or a crash's leftover.
 */
export function hiddenSibling(path: string, tag: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

/**
 * The tag and owner of a hidden sibling's name (`.name.<tag>-<pid>-<random>`; names from before
 * the pid was added have none), or null for any other name.
 *
 * @example
 * parseHiddenSibling('.Ada.renaming-4242-0a1b2c3d'); // { name: 'Ada', tag: 'renaming', pid: 4242 }
 */
export function parseHiddenSibling(
  entry: string,
): { name: string; tag: string; pid: number | undefined } | null {
  const match = /^\.(.+)\.([a-z]+)-(?:(\d+)-)?[0-9a-f]{8}$/.exec(entry);
  if (!match) return null;
  return {
    name: match[1]!,
    tag: match[2]!,
    pid: match[3] === undefined ? undefined : Number(match[3]),
  };
}

/** Removes a file or folder tree; missing is fine. */
export async function removeTree(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Whether a path exists. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
