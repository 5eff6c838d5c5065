/**
 * Training checkpoints: named float32 tensors (parameters and optimizer moments), the step count
 * and free-form JSON metadata, in a small binary file written atomically.
 *
 * Layout: "HARKCKPT" · u32 version (1) · u32 header length · UTF-8 JSON header
 * { step, meta, tensors: [{ name, dims, offset }] } · zero padding to a multiple of 4 · the
 * float32 data (little-endian), each tensor at `offset` bytes from the start of the data.
 */

import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HarkError } from '../errors';

const MAGIC = 'HARKCKPT';
const VERSION = 1;

export interface CheckpointTensor {
  dims: number[];
  data: Float32Array;
}

export interface Checkpoint {
  /** Optimizer steps taken. */
  step: number;
  /** Parameters by name, moments as `adam.m/<name>` and `adam.v/<name>`. */
  tensors: Map<string, CheckpointTensor>;
  /** Anything else the training loop needs to resume (schedule, data position, metrics). */
  meta: Record<string, unknown>;
}

interface HeaderTensor {
  name: string;
  dims: number[];
  offset: number;
}

/**
 * Serialises a checkpoint.
 *
 * @example
 * const bytes = encodeCheckpoint({ step: 10, tensors, meta: { epoch: 1 } });
 */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const entries: HeaderTensor[] = [];
  let offset = 0;
  for (const [name, tensor] of checkpoint.tensors) {
    const count = tensor.dims.reduce((a, b) => a * b, 1);
    if (count !== tensor.data.length) {
      throw new HarkError('INVALID_ARGUMENT', `checkpoint tensor ${name} does not match its dims`);
    }
    entries.push({ name, dims: tensor.dims, offset });
    offset += tensor.data.byteLength;
  }
  const header = new TextEncoder().encode(
    JSON.stringify({ step: checkpoint.step, meta: checkpoint.meta, tensors: entries }),
  );
  const dataStart = align4(16 + header.length);
  const out = new Uint8Array(dataStart + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, header.length, true);
  out.set(header, 16);
  let position = dataStart;
  for (const tensor of checkpoint.tensors.values()) {
    out.set(
      new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength),
      position,
    );
    position += tensor.data.byteLength;
  }
  return out;
}

/**
 * Parses a checkpoint; the tensors are copies, independent of `bytes`. Throws
 * CHECKPOINT_INVALID (naming `file`) for anything malformed.
 */
export function decodeCheckpoint(bytes: Uint8Array, file?: string): Checkpoint {
  const fail = (problem: string) =>
    new HarkError('CHECKPOINT_INVALID', problem, file === undefined ? {} : { file });
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw fail('not a Hark checkpoint');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== VERSION) throw fail(`checkpoint version ${version} is not supported`);
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length) throw fail('the header runs past the end of the file');
  let header: { step: number; meta: Record<string, unknown>; tensors: HeaderTensor[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength)));
  } catch (error) {
    throw new HarkError('CHECKPOINT_INVALID', 'the header is not valid JSON', {
      ...(file === undefined ? {} : { file }),
      cause: error,
    });
  }
  const dataStart = align4(16 + headerLength);
  const tensors = new Map<string, CheckpointTensor>();
  for (const entry of header.tensors) {
    const count = entry.dims.reduce((a, b) => a * b, 1);
    const start = dataStart + entry.offset;
    const end = start + count * 4;
    if (!Number.isInteger(count) || count < 0 || end > bytes.length) {
      throw fail(`tensor ${entry.name} runs past the end of the file (truncated?)`);
    }
    // A fresh, aligned copy (Buffer.slice would return a view of Node's shared pool).
    const data = new Float32Array(new Uint8Array(bytes.subarray(start, end)).buffer);
    tensors.set(entry.name, { dims: entry.dims, data });
  }
  return { step: header.step, tensors, meta: header.meta ?? {} };
}

/**
 * Writes a file atomically: a temporary file in the same folder, flushed to disk, then renamed
 * over the target. A crash leaves the old file or the new one, never half of one.
 *
 * @example
 * await writeFileAtomic('run/checkpoint.bin', encodeCheckpoint(checkpoint));
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  // Make the rename itself durable (best effort: not every platform can open a folder).
  const folder = await open(dirname(file), 'r').catch(() => undefined);
  await folder?.sync().catch(() => undefined);
  await folder?.close();
}

/** Saves a checkpoint atomically. */
export async function saveCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  await writeFileAtomic(file, encodeCheckpoint(checkpoint));
}

/** Loads a checkpoint (FILE_NOT_FOUND / CHECKPOINT_INVALID name the file). */
export async function loadCheckpoint(file: string): Promise<Checkpoint> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new HarkError('FILE_NOT_FOUND', 'no such checkpoint', { file });
    }
    throw new HarkError('FILE_UNREADABLE', String(error), { file, cause: error });
  }
  return decodeCheckpoint(bytes, file);
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
