import fs from 'node:fs/promises';
import { HarkError } from '../errors';

/** An open audio file: its handle and its size in bytes, read once at open time. */
export interface OpenedFile {
  path: string;
  handle: fs.FileHandle;
  sizeBytes: number;
}

/**
 * Opens a file for reading and turns every way that can fail into a HarkError naming the file:
 * missing → FILE_NOT_FOUND, no permission → FILE_UNREADABLE, a directory → FILE_IS_DIRECTORY.
 * The caller closes `handle`.
 *
 * @example
 * const file = await openAudioFile('talk.wav');
 * try { console.log(file.sizeBytes); } finally { await file.handle.close(); }
 */
export async function openAudioFile(path: string): Promise<OpenedFile> {
  // stat before open: opening a FIFO would block, and a directory only fails later, on read.
  const stats = await fs.stat(path).catch((error: unknown) => {
    throw fileErrorToHarkError(error, path);
  });
  if (stats.isDirectory()) {
    throw new HarkError('FILE_IS_DIRECTORY', 'is a directory, not a WAV file', { file: path });
  }
  if (!stats.isFile()) {
    throw new HarkError('FILE_UNREADABLE', 'is not a regular file', { file: path });
  }
  const handle = await fs.open(path, 'r').catch((error: unknown) => {
    throw fileErrorToHarkError(error, path);
  });
  return { path, handle, sizeBytes: stats.size };
}

/**
 * Maps a Node file-system error (ENOENT, EACCES, EISDIR, ...) to the HarkError a user should see.
 *
 * @example
 * fileErrorToHarkError(Object.assign(new Error('x'), { code: 'EACCES' }), 'a.wav').code; // 'FILE_UNREADABLE'
 */
export function fileErrorToHarkError(error: unknown, path: string): HarkError {
  if (error instanceof HarkError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const options = { file: path, cause: error };
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new HarkError('FILE_NOT_FOUND', 'file not found', options);
    case 'EACCES':
    case 'EPERM':
      return new HarkError(
        'FILE_UNREADABLE',
        'permission denied: the file cannot be read',
        options,
      );
    case 'EISDIR':
      return new HarkError('FILE_IS_DIRECTORY', 'is a directory, not a WAV file', options);
    default: {
      const reason = error instanceof Error ? error.message : String(error);
      return new HarkError('FILE_UNREADABLE', `cannot be read (${reason})`, options);
    }
  }
}

/**
 * Reads exactly `length` bytes at `position` into `target` (from its start), unless the file
 * ends first. Returns the number of bytes read.
 */
export async function readFully(
  handle: fs.FileHandle,
  target: Uint8Array,
  length: number,
  position: number,
): Promise<number> {
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(target, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}
