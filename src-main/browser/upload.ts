import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { ApiError } from '../api/api-error';

/**
 * The picked file's own name, as the queue, history and exports will show it, with only what no
 * file system takes (or what could leave the folder) replaced: path separators, `< > : " | ? *`,
 * control characters, leading dots, trailing dots and spaces, Windows device names.
 */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = Array.from(
    base
      // eslint-disable-next-line no-control-regex
      .replace(/[<>:"|?*\u0000-\u001f\u007f]+/g, '_')
      .replace(/^\.+/, '')
      .replace(/[. ]+$/, '')
      .trim(),
  )
    .slice(0, 120)
    .join('');
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(cleaned)) return `_${cleaned}`;
  return cleaned || 'audio.wav';
}

/**
 * Stores a file the page uploaded (a dropped File in browser mode) in its own folder under
 * uploadsDir, so it can be transcribed - and played back later - like any local file.
 *
 * @example
 * const path = await receiveUpload(request, { uploadsDir, fileName: 'talk.wav', maxBytes: 2 ** 31 });
 */
export async function receiveUpload(
  request: IncomingMessage,
  options: { uploadsDir: string; fileName: string; maxBytes: number },
): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    throw new ApiError('INVALID_ARGUMENT', `the file is larger than ${options.maxBytes} bytes`, {
      file: options.fileName,
    });
  }
  const dir = join(options.uploadsDir, `${Date.now()}-${randomBytes(4).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  const path = join(dir, safeFileName(options.fileName));
  let received = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > options.maxBytes) callback(new Error('upload too large'));
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(request, limit, createWriteStream(path, { flags: 'wx' }));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new ApiError('FILE_UNREADABLE', 'the upload did not complete', {
      file: options.fileName,
      cause: error,
    });
  }
  return path;
}
