import type {
  AppInfo,
  EngineStatus,
  ExportFormat,
  HistoryEntry,
  Job,
  MenuCommand,
  PushEvent,
  Settings,
} from '../../src-main/api/contract';
import { downloadText } from '../lib/download';
import type { HarkClient } from '../lib/hark-client';
import { ProfilesState } from './ProfilesState.svelte';
import { TranscriptState } from './TranscriptState.svelte';
import { errorMessage } from '../lib/error-message';

export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

/**
 * The renderer's state: the queue, history, engine status and settings as the host pushes them,
 * and the transcript that is open. Components read its fields and call its methods.
 *
 * @example
 * const app = new AppState(client);
 * await app.load();
 * await app.addFiles(droppedFiles);
 */
export class AppState {
  readonly client: HarkClient;

  info = $state<AppInfo | undefined>();
  jobs = $state<Job[]>([]);
  history = $state<HistoryEntry[]>([]);
  engine = $state<EngineStatus | undefined>();
  /**
   * Devices the engine found it cannot use here, with why (from its last start): kept after the
   * engine stops, so Settings can still say why a choice failed.
   */
  unavailableDevices = $state<Record<string, string>>({});
  settings = $state<Settings | undefined>();
  connected = $state(true);
  loaded = $state(false);
  notice = $state<Notice | undefined>();
  open = $state<TranscriptState | undefined>();
  settingsOpen = $state(false);
  /** The format Export… uses (the menu's Export… too). */
  exportFormat = $state<ExportFormat>('srt');
  /** Bumped when something asks for the search field (Ctrl+F, menu). */
  findRequests = $state(0);
  /** The main area shows the voice profiles instead of the transcript. */
  profilesOpen = $state(false);
  readonly profiles: ProfilesState;

  activeJobs = $derived(
    this.jobs.filter((job) => job.state === 'queued' || job.state === 'running'),
  );

  private unsubscribe: (() => void) | undefined;

  constructor(client: HarkClient) {
    this.client = client;
    this.profiles = new ProfilesState(client, (kind, text) => this.notify(kind, text));
  }

  /** Subscribes to pushed events and loads everything once. */
  async load(): Promise<void> {
    this.unsubscribe ??= this.client.subscribe((event) => this.handle(event));
    try {
      const [info, queue, history, engine, settings] = await Promise.all([
        this.client.call('getAppInfo'),
        this.client.call('listQueue'),
        this.client.call('listHistory'),
        this.client.call('getEngineStatus'),
        this.client.call('getSettings'),
      ]);
      this.info = info;
      this.jobs = queue.jobs;
      this.history = history.entries;
      this.setEngine(engine);
      this.settings = settings;
      this.loaded = true;
      await this.profiles.load();
    } catch (error) {
      this.notify('error', `Hark could not load: ${errorMessage(error)}`);
    }
  }

  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Called by the socket bridge: after a reconnect, state is reloaded from the host. */
  setConnected(connected: boolean): void {
    const wasDisconnected = !this.connected;
    this.connected = connected;
    if (connected && wasDisconnected) void this.load();
  }

  handle(event: PushEvent): void {
    switch (event.type) {
      case 'profiles-changed':
      case 'training-progress':
        this.profiles.handle(event);
        break;
      case 'queue':
        this.jobs = event.jobs;
        break;
      case 'progress': {
        const job = this.jobs.find((candidate) => candidate.id === event.jobId);
        if (job) job.progress = event.progress;
        break;
      }
      case 'transcript':
        // The first result opens by itself; later ones wait in the history. Never while the voice
        // profiles are shown: that would cut a take short.
        if (!this.open && !this.profilesOpen) void this.openTranscript(event.entry.id);
        break;
      case 'history':
        this.history = event.entries;
        break;
      case 'engine-status':
        this.setEngine(event.status);
        break;
      case 'settings':
        this.settings = event.settings;
        this.profiles.active = event.settings.activeModel;
        break;
      case 'command':
        this.runCommand(event.command);
        break;
    }
  }

  runCommand(command: MenuCommand): void {
    switch (command) {
      case 'open':
        void this.openFilesDialog();
        break;
      case 'export':
        if (this.open) void this.exportOpen(this.exportFormat);
        break;
      case 'find':
        this.findRequests += 1;
        break;
      case 'settings':
        this.settingsOpen = true;
        break;
      case 'play-pause':
        this.open?.togglePlayback();
        break;
      case 'about':
        this.notify('info', `Hark ${this.info?.version ?? ''}: offline speech recognition.`);
        break;
    }
  }

  notify(kind: Notice['kind'], text: string): void {
    this.notice = { kind, text };
  }

  async addFiles(files: File[]): Promise<void> {
    if (files.length === 0) return;
    try {
      const paths = await this.client.resolveFiles(files);
      await this.addPaths(paths);
    } catch (error) {
      this.notify('error', errorMessage(error));
    }
  }

  async addPaths(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    try {
      const { skipped } = await this.client.call('addFiles', { paths });
      if (skipped.length > 0) {
        this.notify(
          'error',
          skipped.map((problem) => `${problem.file ?? ''}: ${problem.message}`).join('\n'),
        );
      }
    } catch (error) {
      this.notify('error', errorMessage(error));
    }
  }

  /** Electron: the native dialog. Browser mode: the caller shows a file input instead. */
  async openFilesDialog(): Promise<boolean> {
    if (!this.info?.nativeDialogs) return false;
    try {
      await this.client.call('openFilesDialog');
    } catch (error) {
      this.notify('error', errorMessage(error));
    }
    return true;
  }

  async jobAction(action: 'cancelJob' | 'removeJob' | 'retryJob', jobId: string): Promise<void> {
    try {
      await this.client.call(action, { jobId });
    } catch (error) {
      this.notify('error', errorMessage(error));
    }
  }

  async clearFinished(): Promise<void> {
    try {
      await this.client.call('clearFinished');
    } catch (error) {
      this.notify('error', errorMessage(error));
    }
  }

  async openTranscript(id: string): Promise<void> {
    try {
      const [record, media] = await Promise.all([
        this.client.call('getTranscript', { id }),
        this.client.call('getMediaUrl', { id }),
      ]);
      this.open = new TranscriptState(this.client, record, media.url);
      this.profilesOpen = false;
    } catch (error) {
      this.notify('error', `The transcript could not be opened: ${errorMessage(error)}`);
    }
  }

  closeTranscript(): void {
    this.open = undefined;
  }

  /** The engine's status, and what it says of the devices it could not use. */
  private setEngine(status: EngineStatus | undefined): void {
    this.engine = status;
    const report = status?.device;
    if (!report) return;
    const next = { ...this.unavailableDevices };
    delete next[report.provider];
    for (const { provider, reason } of report.rejected) next[provider] = reason;
    this.unavailableDevices = next;
  }

  async deleteTranscript(id: string): Promise<void> {
    try {
      await this.client.call('deleteTranscript', { id });
      if (this.open?.record.id === id) this.open = undefined;
    } catch (error) {
      this.notify('error', errorMessage(error));
    }
  }

  /** Native save dialog in Electron; a download in the browser. */
  async exportOpen(format: ExportFormat): Promise<void> {
    const open = this.open;
    if (!open) return;
    try {
      if (this.info?.nativeDialogs) {
        const { savedPath } = await this.client.call('saveExport', { id: open.record.id, format });
        if (savedPath) this.notify('info', `Saved ${savedPath}`);
      } else {
        const file = await this.client.call('exportTranscript', { id: open.record.id, format });
        downloadText(file);
      }
      // Exported all the same (a record that the file was silent), but said.
      if (open.words.length === 0) {
        this.notify('info', 'No speech was recognised in this file: the export holds no words.');
      }
    } catch (error) {
      this.notify('error', `The export failed: ${errorMessage(error)}`);
    }
  }

  async updateSettings(change: { device?: Settings['device']; threads?: number }): Promise<void> {
    try {
      this.settings = await this.client.call('updateSettings', change);
    } catch (error) {
      this.notify('error', errorMessage(error));
    }
  }

  /** True when a model was imported (and now loads). */
  async importModel(dir?: string): Promise<boolean> {
    try {
      const settings =
        dir === undefined
          ? await this.client.call('chooseModelFolder')
          : await this.client.call('importModel', { dir });
      if (!settings) return false;
      this.settings = settings;
      this.notify('info', 'The model was imported and is loading.');
      return true;
    } catch (error) {
      this.notify('error', `The model was not imported: ${errorMessage(error)}`);
      return false;
    }
  }

  async useBundledModel(): Promise<void> {
    try {
      this.settings = await this.client.call('useBundledModel');
    } catch (error) {
      this.notify('error', errorMessage(error));
    }
  }

  async restartEngine(): Promise<void> {
    try {
      this.setEngine(await this.client.call('restartEngine'));
    } catch (error) {
      this.notify('error', errorMessage(error));
    }
  }
}
