/**
 * A profile as one file (`.harkprofile`), to move it to another machine or keep a backup:
 *
 *   "HARKPROF" · u32 LE version (1) · u32 LE header length · UTF-8 JSON header
 *   { profile: <profile.json>, files: [{ path, size, sha256 }] } · the files' bytes, in order
 *
 * It holds profile.json, data/ (the manifest and its WAVs) and model/ (the kept model); a run in
 * progress is not exported. Reading checks the magic, the version, every path (no escaping the
 * profile folder), the sizes against the file's length and every file's SHA-256.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { HarkError } from '../errors';
import { fileSha256 } from './base-model';
import { fileError, hiddenSibling, readJson, removeTree } from './profile-files';
import { readProfileManifest } from './profile-manifest';
import { DATA_DIR, MANIFEST_FILE, MODEL_DIR, PROFILE_FILE, profilePaths } from './profile-paths';
import { parseProfileRecord, type ProfileRecord } from './profile-record';

const MAGIC = 'HARKPROF';
const VERSION = 1;
/** Headers larger than this are not a profile archive. */
const MAX_HEADER_BYTES = 64 << 20;
const ALLOWED_PATH = /^(profile\.json|(data|model)\/[A-Za-z0-9][A-Za-z0-9._-]*)$/;

interface ArchiveFile {
  path: string;
  size: number;
  sha256: string;
}

interface ArchiveHeader {
  profile: ProfileRecord;
  files: ArchiveFile[];
}

/** The files of a profile folder that belong in its archive, relative paths. */
async function archivedFiles(folder: string): Promise<string[]> {
  const paths = profilePaths(folder);
  const files = [PROFILE_FILE];
  const recordings = await readProfileManifest(paths.manifestFile);
  if (recordings.length > 0 || (await stat(paths.manifestFile).catch(() => null))) {
    files.push(`${DATA_DIR}/${MANIFEST_FILE}`);
  }
  for (const r of recordings) files.push(`${DATA_DIR}/${r.audioPath.split(/[\\/]/).pop()!}`);
  const modelFiles = await readdir(paths.modelDir).catch(() => [] as string[]);
  for (const name of modelFiles.sort()) {
    if (!name.startsWith('.') && ALLOWED_PATH.test(`${MODEL_DIR}/${name}`)) {
      files.push(`${MODEL_DIR}/${name}`);
    }
  }
  return files;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

/**
 * Writes a profile folder to one archive file, atomically (a temporary file renamed at the end).
 *
 * @example
 * await exportProfileFolder('profiles/Ada', '/media/usb/Ada.harkprofile');
 */
export async function exportProfileFolder(folder: string, file: string): Promise<void> {
  const profileFile = join(folder, PROFILE_FILE);
  const profile = parseProfileRecord(await readJson(profileFile), profileFile);
  const files: ArchiveFile[] = [];
  for (const path of await archivedFiles(folder)) {
    const absolute = join(folder, path);
    const info = await stat(absolute).catch((error: unknown) => {
      throw fileError(error, absolute, 'exporting the profile');
    });
    files.push({ path, size: info.size, sha256: await fileSha256(absolute) });
  }
  const header = new TextEncoder().encode(JSON.stringify({ profile, files } as ArchiveHeader));
  const prefix = new Uint8Array(16);
  prefix.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(prefix.buffer);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, header.length, true);

  const temporary = hiddenSibling(file, 'export');
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx');
    await writeAll(handle, prefix);
    await writeAll(handle, header);
    for (const entry of files) {
      for await (const chunk of createReadStream(join(folder, entry.path))) {
        await writeAll(handle, chunk as Buffer);
      }
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await removeTree(temporary);
    throw fileError(error, file, 'exporting the profile');
  }
}

async function readExactly(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let offset = 0;
  while (offset < length) {
    const { bytesRead } = await handle.read(buffer, offset, length - offset, position + offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  return buffer.subarray(0, offset);
}

/** Reads and checks an archive's header; the data starts at `dataStart`. */
async function readHeader(
  handle: FileHandle,
  file: string,
): Promise<{ header: ArchiveHeader; dataStart: number }> {
  const fail = (problem: string) => new HarkError('PROFILE_INVALID', problem, { file });
  const { size } = await handle.stat();
  const prefix = await readExactly(handle, 16, 0);
  if (prefix.length < 16 || prefix.subarray(0, 8).toString('latin1') !== MAGIC) {
    throw fail('is not a Hark profile archive');
  }
  const version = prefix.readUInt32LE(8);
  if (version !== VERSION) throw fail(`is a profile archive of version ${version}, not ${VERSION}`);
  const headerLength = prefix.readUInt32LE(12);
  if (headerLength > MAX_HEADER_BYTES || 16 + headerLength > size) {
    throw fail('is truncated (the header runs past the end)');
  }
  let header: ArchiveHeader;
  try {
    header = JSON.parse((await readExactly(handle, headerLength, 16)).toString('utf8'));
  } catch (error) {
    throw new HarkError('PROFILE_INVALID', 'has a header that is not JSON', { file, cause: error });
  }
  if (!Array.isArray(header.files)) throw fail('lists no files');
  const seen = new Set<string>();
  let total = 0;
  for (const entry of header.files) {
    if (typeof entry.path !== 'string' || !ALLOWED_PATH.test(entry.path)) {
      throw fail(`holds a file outside a profile folder: ${String(entry.path)}`);
    }
    if (seen.has(entry.path)) throw fail(`holds ${entry.path} twice`);
    seen.add(entry.path);
    if (!Number.isSafeInteger(entry.size) || entry.size < 0 || typeof entry.sha256 !== 'string') {
      throw fail(`has a bad size or checksum for ${entry.path}`);
    }
    total += entry.size;
  }
  if (!seen.has(PROFILE_FILE)) throw fail('has no profile.json');
  const dataStart = 16 + headerLength;
  if (dataStart + total !== size) {
    throw fail(
      dataStart + total > size
        ? 'is truncated (its files run past the end)'
        : 'has bytes after its last file',
    );
  }
  header.profile = parseProfileRecord(header.profile, file);
  return { header, dataStart };
}

/**
 * Unpacks an archive into a new hidden folder beside `targetFolder` and checks every file; the
 * caller renames it into place. Returns the folder and the archived profile record.
 *
 * @example
 * const { folder, profile } = await unpackProfileArchive('Ada.harkprofile', 'profiles/Ada');
 */
export async function unpackProfileArchive(
  file: string,
  targetFolder: string,
): Promise<{ folder: string; profile: ProfileRecord }> {
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw fileError(error, file, 'importing the profile');
  });
  const folder = hiddenSibling(targetFolder, 'import');
  try {
    const { header, dataStart } = await readHeader(handle, file);
    let position = dataStart;
    for (const entry of header.files) {
      const target = join(folder, entry.path);
      await mkdir(dirname(target), { recursive: true });
      const out = await open(target, 'wx');
      const hash = createHash('sha256');
      try {
        const chunkSize = 1 << 20;
        for (let done = 0; done < entry.size; done += chunkSize) {
          const chunk = await readExactly(
            handle,
            Math.min(chunkSize, entry.size - done),
            position + done,
          );
          hash.update(chunk);
          await writeAll(out, chunk);
        }
        await out.sync();
      } finally {
        await out.close();
      }
      if (hash.digest('hex') !== entry.sha256) {
        throw new HarkError('PROFILE_INVALID', `${entry.path} is damaged (checksum mismatch)`, {
          file,
        });
      }
      position += entry.size;
    }
    await mkdir(join(folder, DATA_DIR), { recursive: true });
    return { folder, profile: header.profile };
  } catch (error) {
    await removeTree(folder);
    throw fileError(error, file, 'importing the profile');
  } finally {
    await handle.close();
  }
}
