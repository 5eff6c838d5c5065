/**
 * Where profiles live and what a profile folder holds. A profile is a folder named after the
 * profile inside a root folder (the app's user-data folder, or the CLI's default below):
 *
 *   <root>/<name>/profile.json          name, dates, base model, status, metrics
 *   <root>/<name>/data/manifest.jsonl   NeMo manifest of the recordings
 *   <root>/<name>/data/*.wav            16 kHz mono 16-bit recordings
 *   <root>/<name>/model/                the kept fine-tuned model (model.onnx, tokens.txt, model.json)
 *   <root>/<name>/training/             the run in progress or awaiting keep/discard
 */
import { join } from 'node:path';
import { HarkError } from '../errors';
import { defaultUserDataDir } from '../user-data-dir';

/** The app's name as Electron knows it (its user-data folder's name). */
const APP_NAME = 'Hark';

export const PROFILE_FILE = 'profile.json';
export const DATA_DIR = 'data';
export const MANIFEST_FILE = 'manifest.jsonl';
export const MODEL_DIR = 'model';
export const TRAINING_DIR = 'training';

/** The paths inside one profile folder. */
export interface ProfilePaths {
  root: string;
  profileFile: string;
  dataDir: string;
  manifestFile: string;
  modelDir: string;
  trainingDir: string;
}

export function profilePaths(folder: string): ProfilePaths {
  return {
    root: folder,
    profileFile: join(folder, PROFILE_FILE),
    dataDir: join(folder, DATA_DIR),
    manifestFile: join(folder, DATA_DIR, MANIFEST_FILE),
    modelDir: join(folder, MODEL_DIR),
    trainingDir: join(folder, TRAINING_DIR),
  };
}

/**
 * The CLI's profile root: `$HARK_DATA_DIR/profiles` when set, else the desktop app's own
 * (`profiles` in its user-data folder: `~/.config/Hark` on Linux, `~/Library/Application
 * Support/Hark` on macOS, `%APPDATA%\\Hark` on Windows), so a profile trained in the app
 * transcribes from the CLI and the other way round.
 *
 * @example
 * const store = await ProfileStore.open({ root: defaultProfilesRoot() });
 */
export function defaultProfilesRoot(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.HARK_DATA_DIR) return join(env.HARK_DATA_DIR, 'profiles');
  return join(defaultUserDataDir(APP_NAME, env, platform), 'profiles');
}

/** The longest profile name, in characters. */
export const MAX_NAME_LENGTH = 64;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

/**
 * Checks a profile name and returns it trimmed. A name is also its folder's name, so it must be a
 * portable file name: 1–64 letters, digits, spaces and `_ - . '`, starting with a letter or digit,
 * not ending with a dot, not a Windows device name.
 *
 * @example
 * validateProfileName('  Ada  '); // 'Ada'
 * validateProfileName('../etc'); // throws INVALID_ARGUMENT
 */
export function validateProfileName(name: string): string {
  const trimmed = name.trim();
  const fail = (why: string) => new HarkError('INVALID_ARGUMENT', `profile name "${name}" ${why}`);
  if (trimmed.length === 0) throw fail('is empty');
  if (trimmed.length > MAX_NAME_LENGTH) throw fail(`is longer than ${MAX_NAME_LENGTH} characters`);
  if (!/^[\p{L}\p{N}][\p{L}\p{N} _.'-]*$/u.test(trimmed)) {
    throw fail(
      "may hold only letters, digits, spaces and _ - . ' (starting with a letter or digit)",
    );
  }
  if (trimmed.endsWith('.')) throw fail('may not end with a dot');
  if (WINDOWS_RESERVED.test(trimmed)) throw fail('is a reserved device name on Windows');
  return trimmed;
}

/** Two names that one case-insensitive file system would treat as one folder. */
export function sameProfileName(a: string, b: string): boolean {
  return a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase();
}
