import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { ApiErrorInfo } from '../api/contract';

const AUDIO_EXTENSIONS = ['.wav', '.wave'];
const MAX_DEPTH = 8;
const MAX_FILES = 5000;

function isAudioName(name: string): boolean {
  const lower = name.toLowerCase();
  return AUDIO_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

async function collectAudio(dir: string, depth: number, into: string[]): Promise<void> {
  if (depth > MAX_DEPTH || into.length >= MAX_FILES) return;
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await collectAudio(path, depth + 1, into);
    else if (entry.isFile() && isAudioName(entry.name)) into.push(path);
    if (into.length >= MAX_FILES) return;
  }
}

/**
 * Turns what the user dropped or chose into the files to transcribe: files as they are (a bad one
 * gets its own clear error later), folders expanded to the WAV files inside them, in name order.
 *
 * @example
 * const { files, skipped } = await expandDroppedPaths(['/rec/day1', '/rec/extra.wav']);
 */
export async function expandDroppedPaths(
  paths: string[],
): Promise<{ files: string[]; skipped: ApiErrorInfo[] }> {
  const files: string[] = [];
  const skipped: ApiErrorInfo[] = [];
  for (const given of paths) {
    if (!isAbsolute(given)) {
      skipped.push({ code: 'INVALID_ARGUMENT', message: 'the path is not absolute', file: given });
      continue;
    }
    const path = resolve(given);
    let info;
    try {
      info = await stat(path);
    } catch {
      skipped.push({ code: 'FILE_NOT_FOUND', message: 'the file does not exist', file: path });
      continue;
    }
    if (info.isDirectory()) {
      const found: string[] = [];
      try {
        await collectAudio(path, 0, found);
      } catch {
        skipped.push({ code: 'FILE_UNREADABLE', message: 'the folder cannot be read', file: path });
        continue;
      }
      if (found.length === 0) {
        skipped.push({
          code: 'FILE_NOT_FOUND',
          message: 'the folder holds no WAV files',
          file: path,
        });
      }
      files.push(...found);
    } else {
      files.push(path);
    }
  }
  return { files: [...new Set(files)], skipped };
}
