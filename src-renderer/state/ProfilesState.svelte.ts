import type {
  ActiveModel,
  ImportResult,
  ProfileInfo,
  PushEvent,
  RecordingInfo,
  TrainingState,
} from '../../src-main/api/contract';
import { downloadUrl } from '../lib/download';
import type { HarkClient } from '../lib/hark-client';
import { errorMessage } from '../lib/error-message';

function isEnded(state: TrainingState): boolean {
  return state.phase === 'finished' || state.phase === 'failed' || state.phase === 'cancelled';
}

/** Profiles in the order people read names, case aside (names differ in more than case). */
function byName(a: ProfileInfo, b: ProfileInfo): number {
  return a.name.localeCompare(b.name, undefined, { sensitivity: 'base' });
}

export type Notify = (kind: 'error' | 'info', text: string) => void;

/** The label of what transcribes: "Base model" or the profile's name. */
export function activeModelLabel(active: ActiveModel | undefined): string {
  return !active || active.kind === 'base' ? 'Base model' : active.name;
}

const STATUS_LABELS: Record<ProfileInfo['status'], string> = {
  collecting: 'Collecting recordings',
  training: 'Training interrupted',
  review: 'A result waits for review',
  ready: 'Ready',
};

/**
 * What a profile is doing, for the list: the live run says "Training now" from its first moment
 * (the profile's record says so only once the engine has begun), and a run that is not going on
 * any more is an interrupted one.
 */
export function profileStatusLabel(
  profile: ProfileInfo,
  training: TrainingState | undefined,
): string {
  const live =
    training?.profile === profile.name &&
    (training.phase === 'preparing' ||
      training.phase === 'training' ||
      training.phase === 'resuming');
  return live || profile.trainingNow ? 'Training now' : STATUS_LABELS[profile.status];
}

/** Wall-clock seconds left of a run, from its elapsed time and fraction done. */
export function trainingEtaSec(state: TrainingState): number | undefined {
  if (state.fraction <= 0.01 || state.fraction >= 1) return undefined;
  return (state.elapsedSec / state.fraction) * (1 - state.fraction);
}

/**
 * Voice profiles as the host pushes them, the selected profile's recordings, and the training run.
 *
 * @example
 * const profiles = new ProfilesState(client, notify);
 * await profiles.load();
 * await profiles.create('Ada');
 */
export class ProfilesState {
  private readonly client: HarkClient;
  private readonly notify: Notify;

  profiles = $state<ProfileInfo[]>([]);
  active = $state<ActiveModel>({ kind: 'base' });
  training = $state<TrainingState | undefined>();
  selectedName = $state<string | undefined>();
  recordings = $state<RecordingInfo[]>([]);
  /** The last import's skipped inputs, shown with their reasons. */
  lastImport = $state<ImportResult | undefined>();
  /** Set after Keep: offers to use the profile now. */
  justKept = $state<string | undefined>();
  /** Results kept or discarded here (by finishedAt): the run's last state no longer offers them. */
  settledResults = $state<string[]>([]);
  /** Why training last failed to start or resume, by profile (shown beside an interrupted run). */
  trainingErrors = $state<Record<string, string>>({});

  /** The profile a rename request is out for, by its old name. */
  private renaming: string | undefined;

  selected = $derived(this.profiles.find((profile) => profile.name === this.selectedName));
  usable = $derived(this.profiles.filter((profile) => profile.hasModel));

  constructor(client: HarkClient, notify: Notify) {
    this.client = client;
    this.notify = notify;
  }

  async load(): Promise<void> {
    try {
      const [list, training] = await Promise.all([
        this.client.call('listProfiles'),
        this.client.call('getTrainingState'),
      ]);
      this.apply(list.profiles, list.active);
      this.training = training;
    } catch (error) {
      this.notify('error', `Voice profiles could not be loaded: ${errorMessage(error)}`);
    }
  }

  handle(event: PushEvent): void {
    if (event.type === 'profiles-changed') this.apply(event.profiles, event.active);
    else if (event.type === 'training-progress') {
      const ended = this.training?.phase !== event.state.phase && isEnded(event.state);
      this.training = event.state;
      // The profile's status and pending result change when a run ends.
      if (ended) void this.refresh();
    }
  }

  private apply(profiles: ProfileInfo[], active: ActiveModel): void {
    this.profiles = [...profiles].sort(byName);
    this.active = active;
    // The host announces a rename before it answers: the renamed profile stays selected.
    const renaming = this.selectedName !== undefined && this.selectedName === this.renaming;
    if (this.selectedName && !renaming && !profiles.some((p) => p.name === this.selectedName)) {
      this.selectedName = undefined;
      this.recordings = [];
    }
    this.selectedName ??= profiles[0]?.name;
  }

  private replace(profile: ProfileInfo, previousName = profile.name): void {
    const others = this.profiles.filter((p) => p.name !== previousName && p.name !== profile.name);
    this.profiles = [...others, profile].sort(byName);
  }

  async select(name: string | undefined): Promise<void> {
    this.selectedName = name;
    this.lastImport = undefined;
    await this.loadRecordings();
  }

  async loadRecordings(): Promise<void> {
    const name = this.selectedName;
    if (!name) {
      this.recordings = [];
      return;
    }
    try {
      const { recordings } = await this.client.call('listRecordings', { profile: name });
      if (this.selectedName === name) this.recordings = recordings;
    } catch (error) {
      this.notify('error', errorMessage(error));
    }
  }

  /** Re-reads the list (counts and "needs more data" change as recordings are added). */
  async refresh(): Promise<void> {
    try {
      const list = await this.client.call('listProfiles');
      this.apply(list.profiles, list.active);
    } catch (error) {
      this.notify('error', errorMessage(error));
    }
  }

  async create(name: string): Promise<boolean> {
    try {
      const profile = await this.client.call('createProfile', { name: name.trim() });
      this.replace(profile);
      await this.select(profile.name);
      return true;
    } catch (error) {
      this.notify('error', `The profile was not created: ${errorMessage(error)}`);
      return false;
    }
  }

  async rename(name: string, newName: string): Promise<boolean> {
    this.renaming = name;
    try {
      const profile = await this.client.call('renameProfile', { name, newName: newName.trim() });
      this.replace(profile, name);
      if (this.active.kind === 'profile' && this.active.name === name) {
        this.active = { kind: 'profile', name: profile.name };
      }
      if (this.selectedName === name) this.selectedName = profile.name;
      return true;
    } catch (error) {
      this.notify('error', `The profile was not renamed: ${errorMessage(error)}`);
      return false;
    } finally {
      this.renaming = undefined;
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await this.client.call('deleteProfile', { name });
      this.profiles = this.profiles.filter((p) => p.name !== name);
      if (this.active.kind === 'profile' && this.active.name === name) {
        this.active = { kind: 'base' };
      }
      if (this.selectedName === name) await this.select(this.profiles[0]?.name);
      this.notify('info', `The profile ${name} was deleted.`);
    } catch (error) {
      this.notify('error', `The profile was not deleted: ${errorMessage(error)}`);
    }
  }

  async exportProfile(name: string): Promise<void> {
    try {
      const result = await this.client.call('exportProfile', { name });
      if (result.downloadUrl) downloadUrl(result.downloadUrl, result.fileName);
      else if (result.savedPath) this.notify('info', `Saved ${result.savedPath}`);
    } catch (error) {
      this.notify('error', `The profile was not exported: ${errorMessage(error)}`);
    }
  }

  /** `path`: an uploaded archive (browser mode); without it the native dialog (Electron). */
  async importProfile(path?: string): Promise<void> {
    try {
      const profile = await this.client.call('importProfile', path === undefined ? {} : { path });
      if (!profile) return;
      this.replace(profile);
      await this.select(profile.name);
      this.notify('info', `The profile ${profile.name} was imported.`);
    } catch (error) {
      this.notify('error', `The profile was not imported: ${errorMessage(error)}`);
    }
  }

  async setActive(model: ActiveModel): Promise<void> {
    const previous = this.active;
    this.active = model;
    try {
      const settings = await this.client.call('setActiveModel', { model });
      this.active = settings.activeModel;
      if (this.justKept && model.kind === 'profile' && model.name === this.justKept) {
        this.justKept = undefined;
      }
    } catch (error) {
      this.active = previous;
      this.notify('error', `The model was not switched: ${errorMessage(error)}`);
    }
  }

  async removeRecording(id: string): Promise<void> {
    const profile = this.selectedName;
    if (!profile) return;
    try {
      await this.client.call('removeRecording', { profile, id });
      this.recordings = this.recordings.filter((recording) => recording.id !== id);
      await this.refresh();
    } catch (error) {
      this.notify('error', errorMessage(error));
    }
  }

  async recordingUrl(id: string): Promise<string | undefined> {
    const profile = this.selectedName;
    if (!profile) return undefined;
    try {
      return (await this.client.call('getRecordingUrl', { profile, id })).url;
    } catch (error) {
      this.notify('error', errorMessage(error));
      return undefined;
    }
  }

  private async afterImport(result: ImportResult | null): Promise<void> {
    if (!result) return;
    this.lastImport = result;
    const skipped = result.skipped.length;
    this.notify(
      skipped > 0 && result.added.length === 0 ? 'error' : 'info',
      `${result.added.length} recording${result.added.length === 1 ? '' : 's'} added` +
        (skipped > 0 ? `, ${skipped} skipped (see the list below).` : '.'),
    );
    await Promise.all([this.loadRecordings(), this.refresh()]);
  }

  /** Electron: the native folder dialog (or a typed folder); browser mode: a typed folder path. */
  async importFolder(dir?: string): Promise<void> {
    const profile = this.selectedName;
    if (!profile) return;
    try {
      await this.afterImport(
        await this.client.call('importFolder', dir === undefined ? { profile } : { profile, dir }),
      );
    } catch (error) {
      this.notify('error', `The folder was not imported: ${errorMessage(error)}`);
    }
  }

  /** Browser mode: WAV and .txt files picked or dropped, uploaded, then paired by name. */
  async importFiles(files: File[]): Promise<void> {
    const profile = this.selectedName;
    if (!profile || files.length === 0) return;
    try {
      const paths = await this.client.resolveFiles(files);
      await this.afterImport(await this.client.call('importFiles', { profile, paths }));
    } catch (error) {
      this.notify('error', `The files were not imported: ${errorMessage(error)}`);
    }
  }

  async importManifest(path: string): Promise<void> {
    const profile = this.selectedName;
    if (!profile) return;
    try {
      await this.afterImport(await this.client.call('importManifest', { profile, path }));
    } catch (error) {
      this.notify('error', `The manifest was not imported: ${errorMessage(error)}`);
    }
  }

  async addCorrection(
    profile: string,
    stretch: { transcriptId: string; startSec: number; endSec: number; text: string },
  ): Promise<boolean> {
    try {
      await this.client.call('addCorrection', { profile, ...stretch });
      this.notify('info', `Added to the voice profile ${profile}.`);
      await this.refresh();
      if (this.selectedName === profile) await this.loadRecordings();
      return true;
    } catch (error) {
      this.notify('error', `The stretch was not added: ${errorMessage(error)}`);
      return false;
    }
  }

  async startTraining(profile: string, maxTrainingSec?: number): Promise<void> {
    this.justKept = undefined;
    try {
      this.training = await this.client.call(
        'startTraining',
        maxTrainingSec === undefined ? { profile } : { profile, maxTrainingSec },
      );
      this.forgetTrainingError(profile);
    } catch (error) {
      this.trainingErrors = { ...this.trainingErrors, [profile]: errorMessage(error) };
      this.notify('error', `Training did not start: ${errorMessage(error)}`);
    }
  }

  private forgetTrainingError(profile: string): void {
    if (!(profile in this.trainingErrors)) return;
    const { [profile]: _forgotten, ...others } = this.trainingErrors;
    this.trainingErrors = others;
  }

  async cancelTraining(): Promise<void> {
    try {
      this.training = await this.client.call('cancelTraining');
    } catch (error) {
      this.notify('error', errorMessage(error));
    }
  }

  private settle(): void {
    const finishedAt = this.training?.result?.finishedAt;
    if (finishedAt) this.settledResults = [...this.settledResults, finishedAt];
  }

  async keepResult(profile: string): Promise<void> {
    try {
      this.settle();
      this.replace(await this.client.call('keepResult', { profile }));
      this.justKept = profile;
      this.training = await this.client.call('getTrainingState');
    } catch (error) {
      this.notify('error', `The result was not kept: ${errorMessage(error)}`);
    }
  }

  async discardResult(profile: string): Promise<void> {
    try {
      this.settle();
      this.replace(await this.client.call('discardResult', { profile }));
      this.forgetTrainingError(profile);
      this.training = await this.client.call('getTrainingState');
    } catch (error) {
      this.notify('error', `The result was not discarded: ${errorMessage(error)}`);
    }
  }
}
