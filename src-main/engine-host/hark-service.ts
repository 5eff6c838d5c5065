import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, extname, join, sep } from 'node:path';
import { ApiError } from '../api/api-error';
import { applyEdits } from '../api/apply-edits';
import type {
  AppInfo,
  DeviceChoice,
  EngineInitParams,
  ExportFormat,
  ParamsOf,
  PushEvent,
  RequestName,
  ResultOf,
  Settings,
  TrainingState,
} from '../api/contract';
import { parseHotwords } from '../engine/decode/beam/hotwords';
import { isHarkError } from '../engine/errors';
import { formatTranscript } from '../engine/output';
import type { EngineLauncher } from './engine-launcher';
import { EngineSupervisor } from './engine-supervisor';
import { expandDroppedPaths } from './expand-paths';
import { HistoryStore } from './history-store';
import { checkModelFolderLayout, copyModelFolder } from './model-folder';
import { SettingsStore, type SettingsChange } from './settings-store';
import { ProfileHost, type ProfileDialogs } from './profile-handlers';
import { transcriptModelOf } from './profile-info';
import { TranscriptionQueue } from './transcription-queue';
import type { MinimumData } from '../engine/profiles/minimum-data';

/** What only a desktop host can do; browser mode has none of it. */
export interface NativeDialogs {
  openAudioFiles(): Promise<string[]>;
  chooseModelFolder(): Promise<string | undefined>;
  chooseSavePath(options: {
    defaultName: string;
    format: ExportFormat;
  }): Promise<string | undefined>;
  writeFile(path: string, content: string): Promise<void>;
  /** Voice profiles: save/open an archive, choose a folder of recordings. */
  profiles?: ProfileDialogs;
}

export interface HarkServiceOptions {
  mode: AppInfo['mode'];
  version: string;
  userDataDir: string;
  bundledModelDir: string;
  /** The language model beam search uses; default: lm-en beside the bundled model's folder. */
  bundledLmDir?: string;
  launch: EngineLauncher;
  /** The URL the renderer plays a transcript's audio from (custom protocol or token URL). */
  mediaUrl: (transcriptId: string) => string;
  /** The URL the renderer plays a profile's recording from. */
  recordingUrl?: (profile: string, recordingId: string) => string;
  /** Browser mode: the URL a file written for download is fetched from. */
  downloadUrl?: (token: string, fileName: string) => string;
  /** start() resumes a training run the last session left unfinished (the apps: yes). */
  resumeTrainingOnStart?: boolean;
  /** The least data a training run accepts (tests only; default the engine's minimum). */
  profileMinimumData?: MinimumData;
  dialogs?: NativeDialogs;
  platform?: NodeJS.Platform;
  waveformBuckets?: number;
  restartDelaysMs?: number[];
}

export type RequestHandlers = {
  [K in RequestName]: (params: ParamsOf<K>) => Promise<ResultOf<K>>;
};

/** Least time between two training-progress events of the same phase. */
const TRAINING_EVENT_MS = 250;

const MIME_TYPES: Record<ExportFormat, string> = {
  txt: 'text/plain',
  srt: 'application/x-subrip',
  vtt: 'text/vtt',
  json: 'application/json',
};

/** The devices worth offering on a platform; the engine reports which one really runs. */
export function devicesFor(platform: NodeJS.Platform): DeviceChoice[] {
  if (platform === 'win32') return ['auto', 'cpu', 'dml', 'cuda', 'webgpu'];
  if (platform === 'darwin') return ['auto', 'cpu', 'coreml', 'webgpu'];
  return ['auto', 'cpu', 'cuda', 'webgpu'];
}

/**
 * Everything behind the API contract, shared by the Electron main process and the browser-mode
 * server: the queue, the engine process, history and settings. Hosts forward requests to
 * `handlers` and pushed events from `subscribe` and hold no logic of their own.
 *
 * @example
 * const service = await HarkService.create({ mode: 'browser', version, userDataDir, bundledModelDir, launch, mediaUrl });
 * service.subscribe((event) => socket.send(JSON.stringify(event)));
 * await service.handlers.addFiles({ paths: ['/rec/a.wav'] });
 */
export class HarkService {
  readonly handlers: RequestHandlers;
  private readonly options: HarkServiceOptions;
  private readonly listeners = new Set<(event: PushEvent) => void>();
  private lastTraining: { at: number; state: TrainingState } | undefined;
  private trainingTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingTraining: TrainingState | undefined;
  private readonly engine: EngineSupervisor;
  private readonly history: HistoryStore;
  private readonly settings: SettingsStore;
  private queue!: TranscriptionQueue;
  private readonly profiles: ProfileHost;

  private constructor(
    options: HarkServiceOptions,
    history: HistoryStore,
    settings: SettingsStore,
    profiles: ProfileHost,
  ) {
    this.options = options;
    this.history = history;
    this.settings = settings;
    this.profiles = profiles;
    this.engine = new EngineSupervisor({
      launch: options.launch,
      initParams: () => this.engineInitParams(),
      ...(options.restartDelaysMs ? { restartDelaysMs: options.restartDelaysMs } : {}),
      onStatus: (status) => this.emit({ type: 'engine-status', status }),
    });
    this.handlers = this.createHandlers();
  }

  static async create(options: HarkServiceOptions): Promise<HarkService> {
    const history = await HistoryStore.open(options.userDataDir);
    const settings = await SettingsStore.open(options);
    // The profile host calls the service only later, once `late.service` is set below.
    const late: { service?: HarkService } = {};
    const profiles = await ProfileHost.create({
      userDataDir: options.userDataDir,
      launch: options.launch,
      settings,
      history,
      changeSettings: (change) => late.service!.changeSettings(change),
      reloadEngine: () => late.service!.engine.restart(),
      emitTraining: (state) => late.service!.emitTraining(state),
      emitProfiles: (list, active) =>
        late.service!.emit({ type: 'profiles-changed', profiles: list, active }),
      recordingUrl:
        options.recordingUrl ??
        ((profile, id) => `hark://app/recording/${encodeURIComponent(profile)}/${id}`),
      ...(options.downloadUrl ? { downloadUrl: options.downloadUrl } : {}),
      ...(options.dialogs?.profiles ? { dialogs: options.dialogs.profiles } : {}),
      ...(options.profileMinimumData ? { minimumData: options.profileMinimumData } : {}),
      trainingThreads: () => settings.get().threads,
      ...(options.restartDelaysMs ? { restartDelaysMs: options.restartDelaysMs } : {}),
    });
    const service = new HarkService(options, history, settings, profiles);
    late.service = service;
    service.queue = await TranscriptionQueue.open({
      storePath: join(options.userDataDir, 'queue.json'),
      transcribe: (path, { signal, onProgress }) => {
        // Read at the start of each file, so a change of custom words applies to the next file.
        const { decoding } = settings.get();
        const hotwords = decoding.method === 'beam' ? decoding.hotwords : [];
        return service.engine.call(
          'transcribe',
          {
            path,
            waveformBuckets: options.waveformBuckets ?? 1200,
            ...(hotwords.length > 0 ? { hotwords } : {}),
          },
          { signal, onProgress },
        );
      },
      // The model that really ran (its card's name) is recorded, not the setting of the moment.
      saveTranscript: (input) =>
        history.add({ ...input, madeBy: transcriptModelOf(input.transcript) }),
      onChange: (jobs) => service.emit({ type: 'queue', jobs }),
      onProgress: (jobId, progress) => service.emit({ type: 'progress', jobId, progress }),
      onTranscript: (job, entry) => {
        service.emit({ type: 'transcript', jobId: job.id, entry });
        service.emit({ type: 'history', entries: history.list() });
      },
    });
    return service;
  }

  /** Starts the engine process, any work left in the queue and an interrupted training run. */
  start(): void {
    this.engine.start();
    this.queue.resume();
    if (this.options.resumeTrainingOnStart) {
      // A failure here (a damaged profile) leaves the run for the user to start again.
      void this.profiles.resumeInterruptedTraining().catch(() => undefined);
    }
  }

  subscribe(listener: (event: PushEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The audio file behind a transcript, for the media protocol / route; undefined if unknown. */
  mediaPathFor(transcriptId: string): string | undefined {
    return this.history.list().find((entry) => entry.id === transcriptId)?.sourcePath;
  }

  /** Adds files from outside the UI (command line, OS "open with", native menu). */
  async addPaths(paths: string[]): Promise<void> {
    const { files } = await expandDroppedPaths(paths);
    if (files.length > 0) this.queue.add(files);
  }

  /** Sends a menu command to the renderer. */
  command(command: Extract<PushEvent, { type: 'command' }>['command']): void {
    this.emit({ type: 'command', command });
  }

  /** A profile's recording WAV, for the media protocol / route; undefined if unknown. */
  recordingPathFor(profile: string, recordingId: string): Promise<string | undefined> {
    return this.profiles.recordingPath(profile, recordingId);
  }

  /** Browser mode: a file written for download (a profile export), by its token. */
  downloadPathFor(token: string): string | undefined {
    return this.profiles.downloadPath(token);
  }

  /** The training engine process's pid while a run goes on (tests kill it). */
  get trainingPid(): number | undefined {
    return this.profiles.trainer.pid;
  }

  /** Resolves when the current training run (if any) has ended. */
  whenTrainingSettled(): Promise<void> {
    return this.profiles.trainer.whenSettled();
  }

  async dispose(): Promise<void> {
    clearTimeout(this.trainingTimer);
    await this.profiles.dispose();
    await this.engine.dispose();
    await this.queue.flush();
    this.listeners.clear();
  }

  private emit(event: PushEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener that fails (a closed socket) must not stop the others.
      }
    }
  }

  /**
   * Training progress at most every TRAINING_EVENT_MS (the newest state is sent when the interval
   * ends); phase changes and new validations at once.
   */
  private emitTraining(state: TrainingState): void {
    const last = this.lastTraining;
    const important =
      !last ||
      last.state.phase !== state.phase ||
      last.state.validations.length !== state.validations.length;
    const waitMs = last ? last.at + TRAINING_EVENT_MS - Date.now() : 0;
    if (!important && waitMs > 0) {
      this.pendingTraining = state;
      this.trainingTimer ??= setTimeout(() => {
        this.trainingTimer = undefined;
        const pending = this.pendingTraining;
        this.pendingTraining = undefined;
        if (pending) this.emitTraining(pending);
      }, waitMs);
      return;
    }
    clearTimeout(this.trainingTimer);
    this.trainingTimer = undefined;
    this.pendingTraining = undefined;
    this.lastTraining = { at: Date.now(), state };
    this.emit({ type: 'training-progress', state });
  }

  private requireDialogs(): NativeDialogs {
    if (!this.options.dialogs) {
      throw new ApiError('UNSUPPORTED', 'native dialogs exist only in the desktop app');
    }
    return this.options.dialogs;
  }

  private async importModel(dir: string): Promise<Settings> {
    await checkModelFolderLayout(dir);
    // Load it in a throw-away engine process: a model that cannot load never becomes the setting.
    const probe = new EngineSupervisor({
      launch: this.options.launch,
      initParams: () => ({ modelDir: dir, device: 'cpu', threads: 1 }),
      maxConsecutiveCrashes: 0,
    });
    let name: string;
    try {
      await probe.whenReady();
      name = probe.status.model?.name ?? basename(dir);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiError('MODEL_INVALID', `the model does not load: ${reason}`, { file: dir });
    } finally {
      await probe.dispose();
    }
    const copy = await copyModelFolder({ sourceDir: dir, userDataDir: this.options.userDataDir });
    return this.changeSettings({
      model: { kind: 'imported', dir: copy.dir, name: name || copy.name },
    });
  }

  /** Browser mode keeps uploaded audio for playback; it goes when its last transcript goes. */
  private async removeUploadIfUnused(path: string): Promise<void> {
    const uploads = join(this.options.userDataDir, 'uploads') + sep;
    if (!path.startsWith(uploads)) return;
    const stillUsed =
      this.history.list().some((entry) => entry.sourcePath === path) ||
      this.queue
        .list()
        .some((job) => job.path === path && (job.state === 'queued' || job.state === 'running'));
    if (!stillUsed) await rm(dirname(path), { recursive: true, force: true });
  }

  /** What the engine process starts with: the settings, and the LM when beam search is on. */
  private engineInitParams(): EngineInitParams {
    const { model, activeModel, device, threads, decoding } = this.settings.get();
    const lmDir = this.options.bundledLmDir ?? join(dirname(this.options.bundledModelDir), 'lm-en');
    return {
      // The active profile's kept model; the base model when none is active (or it is gone).
      modelDir: this.profiles.activeModelDir(activeModel) ?? model.dir,
      device,
      threads,
      decoding: {
        method: decoding.method,
        beamWidth: decoding.beamWidth,
        lmDir: decoding.method === 'beam' && existsSync(lmDir) ? lmDir : null,
      },
    };
  }

  private async changeSettings(change: SettingsChange): Promise<Settings> {
    if (change.decoding?.hotwords) {
      // The engine would refuse them at the next file; say so now, quoting the phrase (the
      // settings hold phrases, not the lines of a box: no line number would match).
      for (const phrase of change.decoding.hotwords) {
        try {
          parseHotwords(phrase, 'custom words');
        } catch (error) {
          const detail = isHarkError(error) ? error.detail : String(error);
          throw new ApiError(
            'INVALID_ARGUMENT',
            `custom words: ${detail.replace(/^line \d+: /, '')}`,
          );
        }
      }
    }
    const before = this.engineInitParams();
    const settings = await this.settings.update(change);
    this.emit({ type: 'settings', settings });
    // Custom words travel with each file; everything else needs a fresh engine.
    if (JSON.stringify(this.engineInitParams()) !== JSON.stringify(before)) this.engine.restart();
    return settings;
  }

  private createHandlers(): RequestHandlers {
    return {
      getAppInfo: async () => ({
        mode: this.options.mode,
        version: this.options.version,
        platform: this.options.platform ?? process.platform,
        devices: devicesFor(this.options.platform ?? process.platform),
        userDataDir: this.options.userDataDir,
        nativeDialogs: this.options.dialogs !== undefined,
      }),

      addFiles: async ({ paths }) => {
        const { files, skipped } = await expandDroppedPaths(paths);
        return { jobs: files.length > 0 ? this.queue.add(files) : [], skipped };
      },
      openFilesDialog: async () => {
        const paths = await this.requireDialogs().openAudioFiles();
        if (paths.length === 0) return { jobs: [] };
        const { files } = await expandDroppedPaths(paths);
        return { jobs: this.queue.add(files) };
      },
      listQueue: async () => ({ jobs: this.queue.list() }),
      cancelJob: async ({ jobId }) => ({ job: this.queue.cancel(jobId) }),
      removeJob: async ({ jobId }) => ({ removed: this.queue.remove(jobId) }),
      retryJob: async ({ jobId }) => ({ job: this.queue.retry(jobId) }),
      clearFinished: async () => ({ jobs: this.queue.clearFinished() }),

      listHistory: async () => ({ entries: this.history.list() }),
      getTranscript: ({ id }) => this.history.get(id),
      saveEdits: async ({ id, edits }) => {
        const entry = await this.history.saveEdits(id, edits);
        this.emit({ type: 'history', entries: this.history.list() });
        return { entry };
      },
      deleteTranscript: async ({ id }) => {
        const sourcePath = this.mediaPathFor(id);
        const deleted = await this.history.delete(id);
        if (deleted) {
          this.queue.forgetTranscript(id);
          this.emit({ type: 'history', entries: this.history.list() });
          if (sourcePath) await this.removeUploadIfUnused(sourcePath);
        }
        return { deleted };
      },
      getMediaUrl: async ({ id }) => {
        if (!this.history.has(id)) throw new ApiError('NOT_FOUND', `no transcript with id ${id}`);
        return { url: this.options.mediaUrl(id) };
      },
      exportTranscript: async ({ id, format }) => {
        const record = await this.history.get(id);
        const stem = basename(record.name, extname(record.name)) || 'transcript';
        return {
          fileName: `${stem}.${format}`,
          mimeType: MIME_TYPES[format],
          content: formatTranscript(applyEdits(record.transcript, record.edits), format),
        };
      },
      saveExport: async ({ id, format }) => {
        const dialogs = this.requireDialogs();
        const file = await this.handlers.exportTranscript({ id, format });
        const path = await dialogs.chooseSavePath({ defaultName: file.fileName, format });
        if (!path) return { savedPath: null };
        await dialogs.writeFile(path, file.content);
        return { savedPath: path };
      },

      getSettings: async () => this.settings.get(),
      updateSettings: (change) => this.changeSettings(change),
      importModel: ({ dir }) => this.importModel(dir),
      chooseModelFolder: async () => {
        const dir = await this.requireDialogs().chooseModelFolder();
        return dir ? this.importModel(dir) : null;
      },
      useBundledModel: () =>
        this.changeSettings({ model: { kind: 'bundled', dir: this.options.bundledModelDir } }),

      ...this.profiles.handlers,

      getEngineStatus: async () => this.engine.status,
      restartEngine: async () => {
        this.engine.restart();
        return this.engine.status;
      },
    };
  }
}
