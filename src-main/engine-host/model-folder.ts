import { randomBytes } from 'node:crypto';
import { cp, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ApiError } from '../api/api-error';
import { HarkError } from '../engine/errors';

const REQUIRED_FILES = ['model.onnx', 'tokens.txt'];

/**
 * Checks that a folder looks like a Hark model (model.onnx + tokens.txt) before anything loads it.
 *
 * @example
 * await checkModelFolderLayout('/home/me/models/my-model'); // throws MODEL_NOT_FOUND / MODEL_INVALID
 */
export async function checkModelFolderLayout(dir: string): Promise<void> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new HarkError('MODEL_NOT_FOUND', 'the model folder does not exist', { file: dir });
  }
  if (!info.isDirectory()) {
    throw new HarkError('MODEL_INVALID', 'a model is a folder holding model.onnx and tokens.txt', {
      file: dir,
    });
  }
  for (const name of REQUIRED_FILES) {
    try {
      const file = await stat(join(dir, name));
      if (!file.isFile() || file.size === 0) throw new Error('empty');
    } catch {
      throw new HarkError('MODEL_INVALID', `the model folder has no ${name}`, { file: dir });
    }
  }
}

/** Copies an imported model into the user-data folder, so moving the original breaks nothing. */
export async function copyModelFolder(options: {
  sourceDir: string;
  userDataDir: string;
}): Promise<{ dir: string; name: string }> {
  const name = basename(options.sourceDir) || 'model';
  const safeName = name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'model';
  const dir = join(options.userDataDir, 'models', `${safeName}-${randomBytes(3).toString('hex')}`);
  try {
    await cp(options.sourceDir, dir, { recursive: true, errorOnExist: true });
  } catch (error) {
    throw new ApiError('FILE_UNREADABLE', 'the model folder could not be copied', {
      file: options.sourceDir,
      cause: error,
    });
  }
  return { dir, name };
}
