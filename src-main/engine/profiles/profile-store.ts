/**
 * The voice profiles in one root folder: create, list, rename, delete, export and import them, add
 * recordings, fine-tune, and keep or discard the result. Every change is crash-safe: files are
 * replaced atomically, folders appear and disappear by a single rename, and the kept model is
 * swapped for a new one in a way that `open()` completes or undoes after a crash.
 */
import { mkdir, readdir, rename, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { HarkError, isHarkError } from '../errors';
import { CARD_FILE, MODEL_FILE } from '../model/model-folder';
import { describeBaseModel, type BaseModelRef } from './base-model';
import {
  fineTuneLockedProfile,
  hasInterruptedRun,
  readPendingResult,
  runFiles,
  type FineTuneOptions,
  type FineTuneResult,
} from './finetune';
import { profileModelName } from './profile-model-name';
import { exportProfileFolder, unpackProfileArchive } from './profile-archive';
import {
  addCorrection,
  addRecording,
  importFolder,
  importManifest,
  removeRecording,
  type Correction,
  type ImportReport,
  type NewRecording,
} from './profile-dataset';
import {
  fileError,
  hiddenSibling,
  parseHiddenSibling,
  pathExists,
  readJson,
  removeTree,
  writeJsonAtomic,
  writeTextAtomic,
} from './profile-files';
import { readProfileManifest, type ProfileRecording } from './profile-manifest';
import {
  defaultProfilesRoot,
  MAX_NAME_LENGTH,
  profilePaths,
  sameProfileName,
  validateProfileName,
  type ProfilePaths,
} from './profile-paths';
import {
  parseProfileRecord,
  type KeptModelMetrics,
  type ProfileRecord,
  type ProfileStatus,
} from './profile-record';
import type { RecordingCheckOptions } from './recording-checks';
import { acquireRunLock, processIsAlive, runLockHeld } from './run-lock';

/** What the app shows for a profile. */
export interface ProfileSummary {
  name: string;
  /** Absolute path of the profile's folder. */
  folder: string;
  createdAt: string;
  updatedAt: string;
  status: ProfileStatus;
  /** A live process is training it right now. */
  trainingNow: boolean;
  baseModel: BaseModelRef;
  recordings: number;
  speechSec: number;
  /** The kept model folder (what transcribes with this profile), or null. */
  modelDir: string | null;
  metrics: KeptModelMetrics | null;
  /** A finished run waiting to be kept or discarded. */
  pendingResult: FineTuneResult | null;
}

/** Beside model/ while a kept model is swapped for a new one. */
const PREVIOUS_MODEL = '.model-previous';

/**
 * @example
 * const store = await ProfileStore.open({ root: join(app.getPath('userData'), 'profiles') });
 * await store.create('Ada', { baseModelDir: 'models/base-en' });
 * await store.addRecording('Ada', { samples, sampleRate: 48000, text: 'the prompt she read' });
 * const result = await store.fineTune('Ada', { onProgress: console.log });
 * if (result.werAfter < result.werBefore) await store.keepResult('Ada');
 * const modelDir = (await store.get('Ada')).modelDir; // transcribe with Engine.create({ modelDir })
 */
export class ProfileStore {
  readonly root: string;
  /** Every change, one after another (see exclusive). */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(root: string) {
    this.root = root;
  }

  /**
   * Opens (creating it if needed) a profile root, `defaultProfilesRoot()` when none is given, and
   * finishes or undoes whatever a crash interrupted. `recover: false` opens it as it is, touching
   * nothing (a reader such as `transcribe --profile`, beside a running app): the root is not even
   * created. Recovery leaves alone what a live process is doing: temporary files named with its
   * process id, and a profile whose run lock it holds (a training run, a keep in progress).
   */
  static async open(options: { root?: string; recover?: boolean } = {}): Promise<ProfileStore> {
    const root = resolve(options.root ?? defaultProfilesRoot());
    const store = new ProfileStore(root);
    if (options.recover === false) return store;
    try {
      await mkdir(root, { recursive: true });
    } catch (error) {
      throw fileError(error, root, 'creating the profiles folder');
    }
    for (const entry of await readdir(root)) {
      const staged = parseHiddenSibling(entry);
      if (staged) {
        // Another live process's create, rename, delete or import: it finishes its own work. (Not
        // this process's: it has started nothing in a store it is only opening; the pid is an
        // earlier process's, reused, as happens in sandboxes.)
        if (staged.pid !== undefined && staged.pid !== process.pid && processIsAlive(staged.pid)) {
          continue;
        }
        if (staged.tag === 'renaming') {
          // A rename that stopped half-way: finish it (a user's profile is never thrown away).
          const target = join(root, staged.name);
          if (!(await pathExists(target))) await rename(join(root, entry), target);
        } else if (['creating', 'deleting', 'import'].includes(staged.tag)) {
          await removeTree(join(root, entry));
        }
      } else if (!entry.startsWith('.')) {
        await recoverProfileFolder(join(root, entry)).catch(() => undefined);
      }
    }
    return store;
  }

  /** Every readable profile, by name. Folders that are not profiles are left out. */
  async list(): Promise<ProfileSummary[]> {
    const summaries: ProfileSummary[] = [];
    for (const entry of (await readdir(this.root)).sort()) {
      if (entry.startsWith('.')) continue;
      const folder = join(this.root, entry);
      if (!(await pathExists(profilePaths(folder).profileFile))) continue;
      try {
        summaries.push(await summarize(folder));
      } catch (error) {
        if (!isHarkError(error)) throw error;
      }
    }
    return summaries;
  }

  /** One profile; PROFILE_NOT_FOUND when there is none by that name. */
  async get(name: string): Promise<ProfileSummary> {
    return summarize(await this.folderOf(name));
  }

  /**
   * Creates an empty profile that fine-tunes `baseModelDir`. PROFILE_EXISTS when the name is taken
   * (case-insensitively), INVALID_ARGUMENT for a name that cannot be a folder name.
   */
  async create(name: string, options: { baseModelDir: string }): Promise<ProfileSummary> {
    const clean = validateProfileName(name);
    const baseModel = await describeBaseModel(options.baseModelDir);
    return this.exclusive(async () => {
      await this.assertFree(clean);
      const target = join(this.root, clean);
      const staging = hiddenSibling(target, 'creating');
      try {
        const paths = profilePaths(staging);
        await mkdir(paths.dataDir, { recursive: true });
        const now = new Date().toISOString();
        const record: ProfileRecord = {
          format: 1,
          name: clean,
          createdAt: now,
          updatedAt: now,
          baseModel,
          status: 'collecting',
          metrics: null,
        };
        await writeJsonAtomic(paths.profileFile, record);
        await writeTextAtomic(paths.manifestFile, '');
        await rename(staging, target);
      } catch (error) {
        await removeTree(staging);
        throw fileError(error, target, 'creating the profile');
      }
      return summarize(target);
    });
  }

  /** Renames a profile (its folder and profile.json). PROFILE_BUSY while it trains. */
  async rename(name: string, newName: string): Promise<ProfileSummary> {
    const clean = validateProfileName(newName);
    return this.exclusive(async () => {
      const folder = await this.folderOf(name);
      if (await runLockHeld(folder)) {
        throw new HarkError('PROFILE_BUSY', 'cannot rename a profile while it trains', {
          file: folder,
        });
      }
      const target = join(this.root, clean);
      const existing = await this.findFolder(clean);
      if (existing !== undefined && existing !== folder) {
        throw new HarkError('PROFILE_EXISTS', `a profile named "${clean}" already exists`, {
          file: existing,
        });
      }
      if (folder !== target && existing === folder) {
        // Only the case differs: go through a hidden name, as case-insensitive file systems need.
        const staging = hiddenSibling(target, 'renaming');
        await rename(folder, staging).catch((error: unknown) => {
          throw fileError(error, folder, 'renaming the profile');
        });
        await rename(staging, target).catch(async (error: unknown) => {
          await rename(staging, folder).catch(() => undefined);
          throw fileError(error, target, 'renaming the profile');
        });
      } else if (folder !== target) {
        await rename(folder, target).catch((error: unknown) => {
          throw fileError(error, folder, 'renaming the profile');
        });
      }
      await updateRecord(profilePaths(target), (record) => ({ ...record, name: clean }));
      await renameModelCard(profilePaths(target), clean);
      return summarize(target);
    });
  }

  /** Deletes a profile and everything in it. PROFILE_BUSY while it trains. */
  async delete(name: string): Promise<void> {
    await this.exclusive(async () => {
      const folder = await this.folderOf(name);
      if (await runLockHeld(folder)) {
        throw new HarkError('PROFILE_BUSY', 'cannot delete a profile while it trains', {
          file: folder,
        });
      }
      // It disappears at once; the files go after (a crash leaves a hidden folder open() removes).
      const doomed = hiddenSibling(folder, 'deleting');
      await rename(folder, doomed).catch((error: unknown) => {
        throw fileError(error, folder, 'deleting the profile');
      });
      await removeTree(doomed);
    });
  }

  /**
   * Writes a profile (settings, recordings, kept model) to one archive file.
   *
   * @example
   * await store.exportProfile('Ada', '/media/usb/Ada.harkprofile');
   */
  async exportProfile(name: string, file: string): Promise<void> {
    await this.exclusive(async () => exportProfileFolder(await this.folderOf(name), resolve(file)));
  }

  /**
   * Imports an archive written by exportProfile, under its own name or `options.name`.
   * PROFILE_EXISTS when that name is taken, unless `renameIfTaken`: then under "NAME 2" (or the
   * next number free); PROFILE_INVALID for a damaged archive.
   */
  async importProfile(
    file: string,
    options: { name?: string; renameIfTaken?: boolean } = {},
  ): Promise<ProfileSummary> {
    return this.exclusive(async () => {
      const provisional = join(
        this.root,
        options.name ? validateProfileName(options.name) : 'import',
      );
      const { folder: staging, profile } = await unpackProfileArchive(resolve(file), provisional);
      try {
        const wanted = validateProfileName(options.name ?? profile.name);
        const clean = options.renameIfTaken ? await this.freeName(wanted) : wanted;
        await this.assertFree(clean);
        const paths = profilePaths(staging);
        const hasModel = await pathExists(join(paths.modelDir, MODEL_FILE));
        await writeJsonAtomic(paths.profileFile, {
          ...profile,
          name: clean,
          status: hasModel ? 'ready' : 'collecting',
          metrics: hasModel ? profile.metrics : null,
          updatedAt: new Date().toISOString(),
        } satisfies ProfileRecord);
        if (!(await pathExists(paths.manifestFile))) await writeTextAtomic(paths.manifestFile, '');
        await renameModelCard(paths, clean);
        const target = join(this.root, clean);
        await rename(staging, target);
        return await summarize(target);
      } catch (error) {
        await removeTree(staging);
        throw error;
      }
    });
  }

  /** The recordings of a profile, in the order they were added. */
  async recordings(name: string): Promise<ProfileRecording[]> {
    return readProfileManifest(profilePaths(await this.folderOf(name)).manifestFile);
  }

  /**
   * Checks and adds one recording. RECORDING_REJECTED (a RecordingRejectedError listing the
   * problems: silent, clipped, text that cannot fit the audio, ...) when it should not be kept.
   */
  async addRecording(name: string, recording: NewRecording): Promise<ProfileRecording> {
    return this.exclusive(async () => addRecording(await this.pathsOf(name), recording));
  }

  /** Removes a recording and its audio. PROFILE_BUSY while a run (of any process) trains on it. */
  async removeRecording(name: string, id: string): Promise<void> {
    await this.exclusive(async () => {
      const paths = await this.pathsOf(name);
      if (await runLockHeld(paths.root)) {
        throw new HarkError(
          'PROFILE_BUSY',
          `cannot remove a recording of "${profileNameOf(paths.root)}" while it trains`,
          { file: paths.root },
        );
      }
      await removeRecording(paths, id);
    });
  }

  /** Imports a folder of WAV + .txt pairs; bad pairs are skipped with their reason. */
  async importFolder(
    name: string,
    folder: string,
    options: { checks?: Partial<RecordingCheckOptions>; signal?: AbortSignal } = {},
  ): Promise<ImportReport> {
    return this.exclusive(async () => importFolder(await this.pathsOf(name), folder, options));
  }

  /** Imports the utterances of a NeMo manifest; bad ones are skipped with their reason. */
  async importManifest(
    name: string,
    manifestFile: string,
    options: { checks?: Partial<RecordingCheckOptions>; signal?: AbortSignal; limit?: number } = {},
  ): Promise<ImportReport> {
    return this.exclusive(async () =>
      importManifest(await this.pathsOf(name), manifestFile, options),
    );
  }

  /** Adds a corrected stretch of a transcribed file (the audio cut out, the corrected text). */
  async addCorrection(name: string, correction: Correction): Promise<ProfileRecording> {
    return this.exclusive(async () => addCorrection(await this.pathsOf(name), correction));
  }

  /**
   * Fine-tunes the profile (see finetune.ts), resuming an interrupted run, or returns the finished
   * result that still waits to be kept or discarded. The base model is the profile's unless
   * `options.baseModelDir` names another.
   */
  async fineTune(name: string, options: FineTuneOptions = {}): Promise<FineTuneResult> {
    // The run lock is taken in the store's queue, before the status changes: a rename or delete
    // queued meanwhile waits for it and is then refused, and a profile another process trains
    // (PROFILE_BUSY) keeps the status that process gave it.
    const { paths, lock } = await this.exclusive(async () => {
      const paths = await this.pathsOf(name);
      const lock = await acquireRunLock(paths.root);
      try {
        await updateRecord(paths, (r) => ({ ...r, status: 'training' }));
      } catch (error) {
        await lock.release();
        throw error;
      }
      return { paths, lock };
    });
    try {
      const record = await readRecord(paths);
      const baseModelDir = options.baseModelDir ?? record.baseModel.dir;
      const result = await fineTuneLockedProfile(paths, baseModelDir, options);
      await updateRecord(paths, (r) => ({ ...r, status: 'review' }));
      return result;
    } catch (error) {
      await updateRecord(paths, async (r) => ({ ...r, status: await deriveStatus(paths) })).catch(
        () => undefined,
      );
      throw error;
    } finally {
      await lock.release();
    }
  }

  /**
   * Makes the finished run's model the profile's model. The previous kept model stays in place
   * until the new one is complete, and a crash in between is undone or completed by open().
   */
  async keepResult(name: string): Promise<ProfileSummary> {
    return this.exclusive(async () => {
      const paths = await this.pathsOf(name);
      const lock = await acquireRunLock(paths.root);
      try {
        const result = await readPendingResult(paths);
        if (!result) {
          throw new HarkError('INVALID_ARGUMENT', 'there is no finished training run to keep', {
            file: paths.root,
          });
        }
        const previous = join(paths.root, PREVIOUS_MODEL);
        await removeTree(previous);
        if (await pathExists(paths.modelDir)) await rename(paths.modelDir, previous);
        await rename(runFiles(paths).candidate, paths.modelDir);
        await finishKeep(paths, result);
        return await summarize(paths.root);
      } finally {
        await lock.release();
      }
    });
  }

  /** Throws away the finished (or interrupted) run; the kept model, if any, stays. */
  async discardResult(name: string): Promise<ProfileSummary> {
    return this.exclusive(async () => {
      const paths = await this.pathsOf(name);
      const lock = await acquireRunLock(paths.root);
      try {
        const doomed = hiddenSibling(paths.trainingDir, 'deleting');
        if (await pathExists(paths.trainingDir)) await rename(paths.trainingDir, doomed);
        await removeTree(doomed);
        await updateRecord(paths, async (r) => ({ ...r, status: await deriveStatus(paths) }));
        return await summarize(paths.root);
      } finally {
        await lock.release();
      }
    });
  }

  /** The folder of a profile; PROFILE_NOT_FOUND when there is none. */
  async folderOf(name: string): Promise<string> {
    const folder = await this.findFolder(name.trim());
    if (folder === undefined) {
      throw new HarkError('PROFILE_NOT_FOUND', `there is no profile named "${name}"`, {
        file: this.root,
      });
    }
    return folder;
  }

  private async pathsOf(name: string): Promise<ProfilePaths> {
    return profilePaths(await this.folderOf(name));
  }

  private async findFolder(name: string): Promise<string | undefined> {
    // A profile is a folder directly in the root: a name that is a path never leaves it.
    if (name === '' || name === '.' || name === '..' || /[\\/]/.test(name)) return undefined;
    const exact = join(this.root, name);
    if (await pathExists(profilePaths(exact).profileFile)) return exact;
    // A root that does not exist yet (opened with recover: false) holds no profile.
    for (const entry of await readdir(this.root).catch(() => [])) {
      if (entry.startsWith('.') || !sameProfileName(entry, name)) continue;
      const folder = join(this.root, entry);
      if (await pathExists(profilePaths(folder).profileFile)) return folder;
    }
    return undefined;
  }

  /** The folder that holds `name` already (its profile's, or any folder of that name). */
  private async clashOf(name: string): Promise<string | undefined> {
    const existing = await this.findFolder(name);
    return (
      existing ?? ((await pathExists(join(this.root, name))) ? join(this.root, name) : undefined)
    );
  }

  /** `name`, or the first of "name 2", "name 3", … that no profile holds. */
  private async freeName(name: string): Promise<string> {
    if ((await this.clashOf(name)) === undefined) return name;
    for (let copy = 2; copy < 1000; copy++) {
      const candidate = validateProfileName(`${name.slice(0, MAX_NAME_LENGTH - 4)} ${copy}`);
      if ((await this.clashOf(candidate)) === undefined) return candidate;
    }
    return name;
  }

  private async assertFree(name: string): Promise<void> {
    const clash = await this.clashOf(name);
    if (clash !== undefined) {
      throw new HarkError('PROFILE_EXISTS', `a profile named "${name}" already exists`, {
        file: clash,
      });
    }
  }

  /**
   * Runs `task` after every change asked for before it. One queue for the whole store (it has a
   * process of its own): a rename or delete never overlaps an import or a keep on that profile,
   * and each task finds its profile's folder only when its turn comes.
   */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

async function readRecord(paths: ProfilePaths): Promise<ProfileRecord> {
  return parseProfileRecord(await readJson(paths.profileFile), paths.profileFile);
}

async function updateRecord(
  paths: ProfilePaths,
  change: (record: ProfileRecord) => ProfileRecord | Promise<ProfileRecord>,
): Promise<ProfileRecord> {
  const next = { ...(await change(await readRecord(paths))), updatedAt: new Date().toISOString() };
  await writeJsonAtomic(paths.profileFile, next);
  return next;
}

/** Makes the kept model's card carry the profile's (new) name; transcripts record it. */
async function renameModelCard(paths: ProfilePaths, name: string): Promise<void> {
  for (const dir of [paths.modelDir, runFiles(paths).candidate]) {
    const file = join(dir, CARD_FILE);
    if (!(await pathExists(file))) continue;
    const card = (await readJson(file)) as Record<string, unknown>;
    await writeJsonAtomic(file, { ...card, name: profileModelName(name) });
  }
}

/** The status the files on disk say the profile is in. */
async function deriveStatus(paths: ProfilePaths): Promise<ProfileStatus> {
  if (await pathExists(runFiles(paths).result)) return 'review';
  if (await hasInterruptedRun(paths)) return 'training';
  if (await pathExists(join(paths.modelDir, MODEL_FILE))) return 'ready';
  return 'collecting';
}

/** A profile's name: its folder's. */
function profileNameOf(folder: string): string {
  return basename(folder);
}

async function summarize(folder: string): Promise<ProfileSummary> {
  const paths = profilePaths(folder);
  const record = await readRecord(paths);
  const recordings = await readProfileManifest(paths.manifestFile);
  const hasModel = await pathExists(join(paths.modelDir, MODEL_FILE));
  const name = profileNameOf(folder);
  return {
    name,
    folder,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    status: await deriveStatus(paths),
    trainingNow: await runLockHeld(folder),
    baseModel: record.baseModel,
    recordings: recordings.length,
    speechSec: recordings.reduce((s, r) => s + r.durationSec, 0),
    modelDir: hasModel ? paths.modelDir : null,
    metrics: hasModel ? record.metrics : null,
    pendingResult: await readPendingResult(paths),
  };
}

/** After the candidate became model/: record its metrics, then drop the run and the old model. */
async function finishKeep(paths: ProfilePaths, result: FineTuneResult): Promise<void> {
  await updateRecord(paths, (record) => ({
    ...record,
    status: 'ready',
    baseModel: result.baseModel,
    metrics: {
      keptAt: new Date().toISOString(),
      werBefore: result.werBefore,
      werAfter: result.werAfter,
      validationUtterances: result.validationUtterances,
      trainingUtterances: result.trainingUtterances,
      trainingSec: result.trainingSec,
      steps: result.steps,
      baseModel: result.baseModel,
    },
  }));
  const doomed = hiddenSibling(paths.trainingDir, 'deleting');
  await rename(paths.trainingDir, doomed);
  await removeTree(doomed);
  await removeTree(join(paths.root, PREVIOUS_MODEL));
}

/**
 * Whether a temporary file is another write in progress: atomic writes name theirs
 * `<file>.<pid>.<random>.tmp` (train/checkpoint.ts writeFileAtomic), and that process still runs.
 */
function writtenByLiveProcess(tmpName: string): boolean {
  const pid = /\.(\d+)\.[0-9a-f]+\.tmp$/.exec(tmpName)?.[1];
  return pid !== undefined && processIsAlive(Number(pid));
}

/**
 * Completes or undoes a model swap a crash interrupted: a result whose candidate already became
 * model/ is finished; a model/ moved aside without a replacement is put back.
 */
async function recoverProfileFolder(folder: string): Promise<void> {
  const paths = profilePaths(folder);
  if (!(await pathExists(paths.profileFile))) return;
  // A live process trains it or swaps its model right now: nothing here is left over.
  if (await runLockHeld(folder)) return;
  for (const entry of await readdir(folder)) {
    const staged = parseHiddenSibling(entry);
    if (
      (staged !== null &&
        ['deleting', 'creating'].includes(staged.tag) &&
        !(staged.pid !== undefined && processIsAlive(staged.pid))) ||
      (/\.tmp$/.test(entry) && !writtenByLiveProcess(entry))
    ) {
      await removeTree(join(folder, entry));
    }
  }
  const previous = join(folder, PREVIOUS_MODEL);
  const result = await readPendingResult(paths).catch(() => null);
  const candidateExists = await pathExists(runFiles(paths).candidate);
  const modelExists = await pathExists(join(paths.modelDir, MODEL_FILE));
  if (result && !candidateExists && modelExists) {
    await finishKeep(paths, result);
  } else if (await pathExists(previous)) {
    if (modelExists) await removeTree(previous);
    else {
      await removeTree(paths.modelDir);
      await rename(previous, paths.modelDir);
    }
  }
  const stats = await stat(paths.dataDir).catch(() => undefined);
  if (!stats) await mkdir(paths.dataDir, { recursive: true });
  for (const entry of await readdir(paths.dataDir)) {
    if (entry.endsWith('.tmp') && !writtenByLiveProcess(entry)) {
      await removeTree(join(paths.dataDir, entry));
    }
  }
}
