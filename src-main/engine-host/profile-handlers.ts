/**
 * The voice-profile requests of the API contract: profiles and their recordings (a ProfileStore in
 * the user-data folder, plain file work in the host), live recognition of enrollment clips (an
 * engine process of its own) and training (another engine process, see training-runner.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { ApiError, toApiErrorInfo } from '../api/api-error';
import type {
  ActiveModel,
  ImportResult,
  ProfileInfo,
  RecordingCheck,
  Settings,
  TrainingState,
} from '../api/contract';
import { HarkError } from '../engine/errors';
import { MODEL_FILE } from '../engine/model/model-folder';
import { DEFAULT_MINIMUM_DATA, type MinimumData } from '../engine/profiles/minimum-data';
import type { ImportReport } from '../engine/profiles/profile-dataset';
import { profilePaths, validateProfileName } from '../engine/profiles/profile-paths';
import { processIsAlive } from '../engine/profiles/run-lock';
import { checkRecording, measureLevels } from '../engine/profiles/recording-checks';
import { ENROLLMENT_PROMPTS, nextPrompts } from '../engine/prompts';
import { ClipRecognizer } from './clip-recognizer';
import type { EngineLauncher } from './engine-launcher';
import type { RequestHandlers } from './hark-service';
import type { HistoryStore } from './history-store';
import { clipAt16k, decodeClip, ENGINE_SAMPLE_RATE } from './pcm-clip';
import { toProfileInfo, toRecordingInfo } from './profile-info';
import { createProfileStoreClient, type ProfileStoreApi } from './profile-store-client';
import type { SettingsStore, SettingsChange } from './settings-store';
import { TrainingRunner } from './training-runner';

export const PROFILE_REQUESTS = [
  'listProfiles',
  'createProfile',
  'renameProfile',
  'deleteProfile',
  'exportProfile',
  'importProfile',
  'setActiveModel',
  'listPrompts',
  'nextPrompts',
  'checkRecording',
  'addRecording',
  'listRecordings',
  'removeRecording',
  'getRecordingUrl',
  'importFolder',
  'importFiles',
  'importManifest',
  'addCorrection',
  'recognizeClip',
  'startTraining',
  'cancelTraining',
  'getTrainingState',
  'keepResult',
  'discardResult',
] as const;

export type ProfileHandlers = Pick<RequestHandlers, (typeof PROFILE_REQUESTS)[number]>;

/** Loose files being imported are gathered in `<userData>/.import-<pid>-<random>/` (links or copies). */
const IMPORT_STAGING_PREFIX = '.import-';

/**
 * Removes the import staging folders of processes that no longer run (an app that crashed while
 * importing): they hold links or copies of the user's files, never the only copy.
 */
async function removeDeadImportStaging(userDataDir: string): Promise<void> {
  const entries = await readdir(userDataDir).catch(() => [] as string[]);
  for (const entry of entries) {
    const match = /^\.import-(?:(\d+)-)?[0-9a-f]{8}$/.exec(entry);
    const pid = match?.[1] === undefined ? undefined : Number(match[1]);
    // This process imports nothing before the host exists: its own pid is a reused one.
    if (!match || (pid !== undefined && pid !== process.pid && processIsAlive(pid))) continue;
    await rm(join(userDataDir, entry), { recursive: true, force: true });
  }
}
/** Longest clip recognizeClip takes (enrollment prompts are a few seconds). */
const MAX_RECOGNIZE_SEC = 30;

/** The file extension of exported profiles. */
export const PROFILE_ARCHIVE_EXTENSION = 'harkprofile';

/** Whether `name` passes the store's profile-name rule (so it is one folder in the root). */
function isProfileFolderName(name: string): boolean {
  try {
    validateProfileName(name);
    return true;
  } catch {
    return false;
  }
}

/** What only the desktop host can do for profiles (native dialogs). */
export interface ProfileDialogs {
  chooseProfileSavePath(defaultName: string): Promise<string | undefined>;
  openProfileArchive(): Promise<string | undefined>;
  chooseRecordingsFolder(): Promise<string | undefined>;
}

export interface ProfileHostOptions {
  userDataDir: string;
  launch: EngineLauncher;
  settings: SettingsStore;
  history: HistoryStore;
  /** Applies a settings change (restarting the transcription engine when its model changes). */
  changeSettings: (change: SettingsChange) => Promise<Settings>;
  /** The transcription engine must load the active model again (its files changed). */
  reloadEngine: () => void;
  emitTraining: (state: TrainingState) => void;
  emitProfiles: (profiles: ProfileInfo[], active: ActiveModel) => void;
  recordingUrl: (profile: string, id: string) => string;
  /** Browser mode: where a file written for download is fetched (`token` names it). */
  downloadUrl?: (token: string, fileName: string) => string;
  dialogs?: ProfileDialogs;
  /**
   * The least data a run accepts. Default: engine/profiles DEFAULT_MINIMUM_DATA; lowered only by
   * test servers (serve.ts --test-minimum-data).
   */
  minimumData?: MinimumData;
  /** Intra-op threads for training; 0 lets the engine choose. */
  trainingThreads?: () => number;
  restartDelaysMs?: number[];
}

/**
 * @example
 * const host = await ProfileHost.create({ userDataDir, launch, settings, history, ... });
 * await host.handlers.createProfile({ name: 'Ada' });
 */
export class ProfileHost {
  readonly handlers: ProfileHandlers;
  /** The ProfileStore, running in an engine process of its own. */
  readonly store: ProfileStoreApi & { dispose(): Promise<void> };
  private readonly options: ProfileHostOptions;
  private readonly clips: ClipRecognizer;
  readonly trainer: TrainingRunner;
  private readonly downloads = new Map<string, string>();
  /** Profiles (lower-case names) whose startTraining is under way. */
  private readonly starting = new Set<string>();

  private constructor(
    options: ProfileHostOptions,
    store: ProfileStoreApi & { dispose(): Promise<void> },
  ) {
    this.options = options;
    this.store = store;
    this.clips = new ClipRecognizer({ launch: options.launch });
    this.trainer = new TrainingRunner({
      launch: options.launch,
      ...(options.trainingThreads ? { threads: options.trainingThreads } : {}),
      ...(options.restartDelaysMs ? { restartDelaysMs: options.restartDelaysMs } : {}),
      onState: options.emitTraining,
      onSettled: () => void this.profilesChanged(),
    });
    this.handlers = this.createHandlers();
  }

  static async create(options: ProfileHostOptions): Promise<ProfileHost> {
    // Downloads are offered by token for one session only: the last session's are stale.
    await rm(ProfileHost.downloadsDir(options.userDataDir), { recursive: true, force: true });
    await removeDeadImportStaging(options.userDataDir);
    const store = createProfileStoreClient({
      launch: options.launch,
      root: ProfileHost.rootFor(options.userDataDir),
      ...(options.restartDelaysMs ? { restartDelaysMs: options.restartDelaysMs } : {}),
    });
    return new ProfileHost(options, store);
  }

  static rootFor(userDataDir: string): string {
    return join(userDataDir, 'profiles');
  }

  static downloadsDir(userDataDir: string): string {
    return join(userDataDir, 'downloads');
  }

  get minimumData(): MinimumData {
    return this.options.minimumData ?? DEFAULT_MINIMUM_DATA;
  }

  /**
   * The kept model folder of the active profile, or undefined for the base model (also when the
   * profile or its model is gone: the engine then falls back to the base model).
   */
  activeModelDir(active: ActiveModel): string | undefined {
    if (active.kind !== 'profile' || !isProfileFolderName(active.name)) return undefined;
    const dir = profilePaths(join(this.store.root, active.name.trim())).modelDir;
    return existsSync(join(dir, MODEL_FILE)) ? dir : undefined;
  }

  /**
   * Resumes a run that the app's exit or a crash interrupted (a profile whose status is
   * 'training' with no live run), from its checkpoint. Returns the profile's name, if any.
   */
  async resumeInterruptedTraining(): Promise<string | undefined> {
    if (this.trainer.busy) return undefined;
    const interrupted = (await this.store.list()).find(
      (p) => p.status === 'training' && !p.trainingNow,
    );
    if (!interrupted) return undefined;
    this.trainer.start({
      profile: interrupted.name,
      profileFolder: interrupted.folder,
      baseModelDir: interrupted.baseModel.dir,
      minimumData: this.minimumData,
    });
    await this.profilesChanged();
    return interrupted.name;
  }

  /** A kept take's WAV, for the media route; undefined when there is none. */
  async recordingPath(profile: string, id: string): Promise<string | undefined> {
    try {
      const recordings = await this.store.recordings(profile);
      return recordings.find((r) => r.id === id)?.audioPath;
    } catch {
      return undefined;
    }
  }

  /** Browser mode: a file written for download by its token. */
  downloadPath(token: string): string | undefined {
    return this.downloads.get(token);
  }

  async dispose(): Promise<void> {
    await this.trainer.dispose();
    await this.clips.dispose();
    await this.store.dispose();
  }

  private async infoOf(name: string): Promise<ProfileInfo> {
    const summary = await this.store.get(name);
    return toProfileInfo(summary, await this.store.recordings(summary.name), this.minimumData);
  }

  private async listInfos(): Promise<ProfileInfo[]> {
    const infos: ProfileInfo[] = [];
    for (const summary of await this.store.list()) {
      const recordings = await this.store.recordings(summary.name).catch(() => []);
      infos.push(toProfileInfo(summary, recordings, this.minimumData));
    }
    return infos;
  }

  private async profilesChanged(): Promise<void> {
    try {
      this.options.emitProfiles(await this.listInfos(), this.options.settings.get().activeModel);
    } catch {
      // A listing that fails now is retried at the next change.
    }
  }

  /**
   * Runs startTraining's checks with the profile marked busy from the first moment, so that a
   * rename, delete or removal that arrives before the run has started is refused.
   */
  private async whileStarting<T>(name: string, work: () => Promise<T>): Promise<T> {
    const key = name.trim().toLowerCase();
    if (this.starting.has(key)) {
      throw new ApiError('PROFILE_BUSY', `a run of "${name.trim()}" is starting already`);
    }
    this.starting.add(key);
    try {
      return await work();
    } finally {
      this.starting.delete(key);
    }
  }

  private refuseWhileTraining(name: string, doing: string): void {
    if (this.starting.has(name.trim().toLowerCase())) {
      throw new ApiError('PROFILE_BUSY', `cannot ${doing} while "${name.trim()}" starts training`);
    }
    const state = this.trainer.state;
    if (
      this.trainer.busy &&
      state.profile !== null &&
      state.profile.toLowerCase() === name.trim().toLowerCase()
    ) {
      throw new ApiError('PROFILE_BUSY', `cannot ${doing} while "${state.profile}" trains`);
    }
  }

  private isActive(name: string): boolean {
    const active = this.options.settings.get().activeModel;
    return active.kind === 'profile' && active.name.toLowerCase() === name.toLowerCase();
  }

  private async withChange<T>(work: () => Promise<T>): Promise<T> {
    const result = await work();
    await this.profilesChanged();
    return result;
  }

  /** Whether a path is a browser-mode upload (`<userData>/uploads/<id>/<name>`). */
  private isUpload(path: string): boolean {
    return path.startsWith(join(this.options.userDataDir, 'uploads') + sep);
  }

  /** A path as the user knows it: an upload by the name of the file they picked. */
  private shownPath(path: string): string {
    return this.isUpload(path) ? basename(path) : path;
  }

  /** An error whose file is an upload, naming it as the user knows it. */
  private withShownFile(error: unknown): unknown {
    const info = toApiErrorInfo(error);
    if (info.file === undefined || !this.isUpload(info.file)) return error;
    const shown = basename(info.file);
    return new ApiError(info.code, info.message.split(info.file).join(shown), {
      file: shown,
      cause: error,
    });
  }

  /** Uploads made for an import are not needed once it is done (the profile holds copies). */
  private async removeUploads(paths: readonly string[]): Promise<void> {
    for (const path of paths) {
      if (this.isUpload(path)) await rm(dirname(path), { recursive: true, force: true });
    }
  }

  /** Imports through importFolder after gathering loose files (uploads) in one folder. */
  private async importLooseFiles(profile: string, paths: string[]): Promise<ImportResult> {
    const staging = join(
      this.options.userDataDir,
      `${IMPORT_STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`,
    );
    const skipped: ImportResult['skipped'] = [];
    const original = new Map<string, string>();
    await mkdir(staging, { recursive: true });
    try {
      for (const path of paths) {
        const name = basename(path);
        if (original.has(name)) {
          skipped.push({
            source: this.shownPath(path),
            reason: `another file is also named ${name}`,
          });
          continue;
        }
        original.set(name, path);
        // A link where the system allows one (Windows often does not): a copy otherwise.
        await symlink(path, join(staging, name)).catch(() => copyFile(path, join(staging, name)));
      }
      const report = await this.store.importFolder(profile, staging);
      const mapSource = (source: string) => {
        const path = original.get(basename(source));
        return path === undefined
          ? source.replace(staging, '(imported files)')
          : this.shownPath(path);
      };
      return {
        added: report.added.map(toRecordingInfo),
        skipped: [
          ...skipped,
          ...report.skipped.map((s) => ({ source: mapSource(s.source), reason: s.reason })),
        ],
      };
    } finally {
      await rm(staging, { recursive: true, force: true });
      await this.removeUploads(paths);
    }
  }

  private createHandlers(): ProfileHandlers {
    const toImportResult = (report: ImportReport): ImportResult => ({
      added: report.added.map(toRecordingInfo),
      skipped: report.skipped,
    });
    return {
      listProfiles: async () => ({
        profiles: await this.listInfos(),
        active: this.options.settings.get().activeModel,
      }),
      createProfile: ({ name }) =>
        this.withChange(async () => {
          const summary = await this.store.create(name, {
            baseModelDir: this.options.settings.get().model.dir,
          });
          return this.infoOf(summary.name);
        }),
      renameProfile: ({ name, newName }) =>
        this.withChange(async () => {
          this.refuseWhileTraining(name, 'rename a profile');
          const wasActive = this.isActive(name);
          const summary = await this.store.rename(name, newName);
          if (wasActive) {
            await this.options.changeSettings({
              activeModel: { kind: 'profile', name: summary.name },
            });
          }
          return this.infoOf(summary.name);
        }),
      deleteProfile: ({ name }) =>
        this.withChange(async () => {
          this.refuseWhileTraining(name, 'delete a profile');
          const wasActive = this.isActive(name);
          await this.store.delete(name);
          if (wasActive) await this.options.changeSettings({ activeModel: { kind: 'base' } });
          return { deleted: true as const };
        }),
      exportProfile: async ({ name }) => {
        const summary = await this.store.get(name);
        const fileName = `${summary.name}.${PROFILE_ARCHIVE_EXTENSION}`;
        if (this.options.dialogs) {
          const path = await this.options.dialogs.chooseProfileSavePath(fileName);
          if (!path) return { fileName, savedPath: null };
          await this.store.exportProfile(summary.name, path);
          return { fileName, savedPath: path };
        }
        if (!this.options.downloadUrl) {
          throw new ApiError('UNSUPPORTED', 'this host can neither save nor offer a download');
        }
        const token = randomBytes(12).toString('hex');
        const dir = join(ProfileHost.downloadsDir(this.options.userDataDir), token);
        await mkdir(dir, { recursive: true });
        const file = join(dir, fileName);
        await this.store.exportProfile(summary.name, file);
        this.downloads.set(token, file);
        return {
          fileName,
          savedPath: null,
          downloadUrl: this.options.downloadUrl(token, fileName),
        };
      },
      importProfile: ({ path, name }) =>
        this.withChange(async () => {
          let file = path;
          if (file === undefined) {
            if (!this.options.dialogs) {
              throw new ApiError('UNSUPPORTED', 'give the archive as a path (upload it first)');
            }
            file = await this.options.dialogs.openProfileArchive();
            if (!file) return null;
          }
          try {
            // An archive of a profile that exists here comes in as "Ada 2" unless named.
            const summary = await this.store.importProfile(
              file,
              name ? { name } : { renameIfTaken: true },
            );
            return this.infoOf(summary.name);
          } catch (error) {
            throw this.withShownFile(error);
          } finally {
            await this.removeUploads([file]);
          }
        }),
      setActiveModel: ({ model }) =>
        this.withChange(async () => {
          if (model.kind === 'base') return this.options.changeSettings({ activeModel: model });
          const summary = await this.store.get(model.name);
          if (summary.modelDir === null) {
            throw new ApiError(
              'MODEL_NOT_FOUND',
              `the profile "${summary.name}" has no trained model yet: train it and keep the result first`,
              { file: summary.folder },
            );
          }
          return this.options.changeSettings({
            activeModel: { kind: 'profile', name: summary.name },
          });
        }),

      listPrompts: async () => ({ prompts: [...ENROLLMENT_PROMPTS] }),
      nextPrompts: async ({ profile, count }) => {
        const recordings = await this.store.recordings(profile);
        const done = new Set(recordings.flatMap((r) => (r.promptId ? [r.promptId] : [])));
        try {
          this.clips.warmUp(this.clipModelDir());
        } catch {
          // No usable model to warm up: recognizeClip will say why.
        }
        return {
          prompts: nextPrompts(count, done),
          recorded: ENROLLMENT_PROMPTS.filter((p) => done.has(p.id)).length,
          total: ENROLLMENT_PROMPTS.length,
        };
      },
      checkRecording: async ({ audio, text }): Promise<RecordingCheck> => {
        const samples = clipAt16k(audio);
        const levels = measureLevels(samples, ENGINE_SAMPLE_RATE);
        const problems = checkRecording(samples, text ?? '', {
          sampleRate: ENGINE_SAMPLE_RATE,
          kind: 'take',
        })
          // Without a text, only the audio is judged.
          .filter(
            (p) => text !== undefined || (!p.code.startsWith('text') && p.code !== 'empty-text'),
          );
        const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);
        return {
          levels: {
            durationSec: levels.durationSec,
            speechLevelDb: finiteOrNull(levels.speechLevelDb),
            peakDb: finiteOrNull(levels.peakDb),
            clippedFraction: levels.clippedFraction,
          },
          problems,
        };
      },
      addRecording: ({ profile, audio, text, promptId }) =>
        this.withChange(async () => {
          const before = promptId
            ? (await this.store.recordings(profile)).filter((r) => r.promptId === promptId)
            : [];
          if (before.length > 0) {
            // The new take replaces the earlier one: a run may be training on that one.
            this.refuseWhileTraining(profile, 'replace a take of a profile');
            const summary = await this.store.get(profile);
            if (summary.trainingNow) {
              throw new ApiError(
                'PROFILE_BUSY',
                `cannot replace a take of "${summary.name}" while another process trains it`,
              );
            }
          }
          const recording = await this.store.addRecording(profile, {
            samples: decodeClip(audio),
            sampleRate: audio.sampleRate,
            text,
            source: 'recording',
            checks: { kind: 'take' },
            ...(promptId ? { promptId } : {}),
          });
          // A new take of a prompt replaces the earlier one (only once the new one is safely kept).
          for (const old of before) await this.store.removeRecording(profile, old.id);
          return { recording: toRecordingInfo(recording), replaced: before[0]?.id ?? null };
        }),
      listRecordings: async ({ profile }) => ({
        recordings: (await this.store.recordings(profile)).map(toRecordingInfo),
      }),
      removeRecording: ({ profile, id }) =>
        this.withChange(async () => {
          this.refuseWhileTraining(profile, 'remove recordings from a profile');
          await this.store.removeRecording(profile, id);
          return { removed: true as const };
        }),
      getRecordingUrl: async ({ profile, id }) => {
        const summary = await this.store.get(profile);
        if (!(await this.recordingPath(summary.name, id))) {
          throw new ApiError('NOT_FOUND', `the profile "${summary.name}" has no recording ${id}`);
        }
        return { url: this.options.recordingUrl(summary.name, id) };
      },
      importFolder: ({ profile, dir }) =>
        this.withChange(async () => {
          let folder = dir;
          if (folder === undefined) {
            if (!this.options.dialogs) {
              throw new ApiError('UNSUPPORTED', 'give the folder as a path (or use importFiles)');
            }
            folder = await this.options.dialogs.chooseRecordingsFolder();
            if (!folder) return null;
          }
          return toImportResult(await this.store.importFolder(profile, folder));
        }),
      importFiles: ({ profile, paths }) =>
        this.withChange(async () => {
          await this.store.get(profile);
          return this.importLooseFiles(profile, paths);
        }),
      importManifest: ({ profile, path }) =>
        this.withChange(async () => {
          return toImportResult(await this.store.importManifest(profile, path));
        }),
      addCorrection: ({ profile, transcriptId, startSec, endSec, text }) =>
        this.withChange(async () => {
          const record = await this.options.history.get(transcriptId);
          const recording = await this.store.addCorrection(profile, {
            audioPath: record.sourcePath,
            startSec,
            endSec,
            text,
          });
          return { recording: toRecordingInfo(recording) };
        }),
      recognizeClip: async ({ audio, model }) => {
        const started = performance.now();
        const samples = clipAt16k(audio);
        if (samples.length > MAX_RECOGNIZE_SEC * ENGINE_SAMPLE_RATE) {
          throw new ApiError(
            'INVALID_ARGUMENT',
            `recognizeClip takes clips up to ${MAX_RECOGNIZE_SEC} s; this one lasts ${(samples.length / ENGINE_SAMPLE_RATE).toFixed(1)} s (add the file to the queue instead)`,
          );
        }
        const result = await this.clips.recognize(samples, this.clipModelDir(model));
        return { ...result, elapsedMs: Math.round(performance.now() - started) };
      },

      startTraining: ({ profile, maxTrainingSec }) =>
        this.whileStarting(profile, async () => {
          const summary = await this.store.get(profile);
          if (summary.trainingNow) {
            throw new ApiError(
              'PROFILE_BUSY',
              `"${summary.name}" is being trained by another process`,
            );
          }
          if (summary.status === 'collecting' || summary.status === 'ready') {
            // A new run: say at once how much more to record rather than failing in the engine.
            const needs = toProfileInfo(
              summary,
              await this.store.recordings(summary.name),
              this.minimumData,
            ).needsMoreData;
            if (needs) throw new HarkError('NOT_ENOUGH_DATA', needs, { file: summary.folder });
          }
          const state = this.trainer.start({
            profile: summary.name,
            profileFolder: summary.folder,
            baseModelDir: summary.baseModel.dir,
            minimumData: this.minimumData,
            ...(maxTrainingSec !== undefined ? { maxTrainingSec } : {}),
          });
          await this.profilesChanged();
          return state;
        }),
      cancelTraining: async () => this.trainer.cancel(),
      getTrainingState: async () => this.trainer.state,
      keepResult: ({ profile }) =>
        this.withChange(async () => {
          this.refuseWhileTraining(profile, 'keep a result');
          const summary = await this.store.keepResult(profile);
          this.clips.reset();
          // The active profile's model changed under the engine: load it again.
          if (this.isActive(summary.name)) this.options.reloadEngine();
          return this.infoOf(summary.name);
        }),
      discardResult: ({ profile }) =>
        this.withChange(async () => {
          this.refuseWhileTraining(profile, 'discard a result');
          const summary = await this.store.discardResult(profile);
          return this.infoOf(summary.name);
        }),
    };
  }

  /** The model clips are recognised with: the one asked for, else the active one. */
  private clipModelDir(model?: ActiveModel): string {
    const settings = this.options.settings.get();
    const chosen = model ?? settings.activeModel;
    if (chosen.kind === 'profile') {
      // A name that is a path (../x, a/b) never reaches a folder outside the profiles.
      validateProfileName(chosen.name);
      const dir = this.activeModelDir(chosen);
      if (!dir) {
        throw new ApiError('MODEL_NOT_FOUND', `the profile "${chosen.name}" has no trained model`);
      }
      return dir;
    }
    return settings.model.dir;
  }
}
