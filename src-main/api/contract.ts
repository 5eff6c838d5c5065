/**
 * The one API contract between Hark's UI and its hosts (Electron main, browser mode), and between the
 * hosts and the engine process. Every request (name → params → result), every pushed event and every
 * error code is declared here; the preload bridge, the browser bridge, the hosts' dispatcher and the
 * renderer's client are all typed from it, and the params schemas validate payloads at runtime.
 *
 * @example
 * // In the renderer (either bridge):
 * const reply = await window.hark.addFiles({ paths: ['/home/me/talk.wav'] });
 * if (reply.ok) console.log(reply.value.jobs[0]?.state); // 'queued'
 */
import { ERROR_CODES } from '../engine/errors';
import {
  BEAM_WIDTH_RANGE,
  DECODING_METHODS,
  HOTWORD_LIMITS,
  type DecodingMethod,
} from '../engine/transcribe/decoding-defaults';
import type { FineTuneEvent, FineTuneResult } from '../engine/profiles/finetune';
import type { ProfileRecording, RecordingSource } from '../engine/profiles/profile-manifest';
import type { RecordingProblemCode } from '../engine/profiles/recording-checks';
import type { Progress, ProviderName, ProviderReport, Transcript } from '../engine/types';
import {
  array,
  literal,
  number,
  object,
  oneOf,
  optional,
  record,
  string,
  union,
  type Infer,
  type Schema,
} from './schema';

export type { Progress, ProviderName, ProviderReport, Transcript };
export type { Segment, Word } from '../engine/types';

// ---------------------------------------------------------------------------------------------
// Errors

/** The engine's codes plus the few that only the hosts produce. */
export const API_ERROR_CODES = [
  ...ERROR_CODES,
  /** A job, transcript or model that does not exist (any more). */
  'NOT_FOUND',
  /** The engine process exited while it worked; it is restarted and the job is queued again. */
  'ENGINE_CRASHED',
  /** The engine process could not start (model missing or invalid, too many crashes). */
  'ENGINE_UNAVAILABLE',
  /** This request does not exist in this mode (native dialogs in the browser, for instance). */
  'UNSUPPORTED',
  /** The message did not come from Hark's own page. */
  'FORBIDDEN',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiErrorInfo {
  code: ApiErrorCode;
  /** One readable line, without the file name. */
  message: string;
  file?: string;
}

/** Every request answers with a Reply: errors travel as data, so no bridge loses their code. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ApiErrorInfo };

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return (API_ERROR_CODES as readonly unknown[]).includes(value);
}

// ---------------------------------------------------------------------------------------------
// Data

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface Job {
  id: string;
  /** Where the host reads the audio from. */
  path: string;
  /** The file name shown to the user. */
  name: string;
  state: JobState;
  progress?: Progress;
  error?: ApiErrorInfo;
  /** Set once the job is done: the history entry holding its transcript. */
  transcriptId?: string;
  /** How many times the engine started on it (a crash puts it back in the queue). */
  attempts: number;
  addedAt: string;
}

/** Peak amplitude per bucket, in [0, 1], computed by the engine process. */
export interface Waveform {
  peaks: number[];
  durationSec: number;
}

/** The user's corrections: `${segmentIndex}:${wordIndex}` → corrected text ('' deletes the word). */
export type WordEdits = Record<string, string>;

/**
 * The model that made a transcript: the base model (bundled or imported; `name` is its card's
 * name) or a voice profile's fine-tuned model (`name` is the profile's name when it transcribed).
 */
export type TranscriptModel = { kind: 'base'; name: string } | { kind: 'profile'; name: string };

export interface TranscriptRecord {
  id: string;
  name: string;
  sourcePath: string;
  createdAt: string;
  /** The model's output, never modified. */
  transcript: Transcript;
  /** Beside it, what the user corrected. */
  edits: WordEdits;
  waveform: Waveform;
  /** Which model made it (absent only in transcripts saved before profiles existed). */
  madeBy?: TranscriptModel;
}

export interface HistoryEntry {
  id: string;
  name: string;
  sourcePath: string;
  createdAt: string;
  /** Which model made it (absent only in transcripts saved before profiles existed). */
  madeBy?: TranscriptModel;
  durationSec: number;
  wordCount: number;
  editCount: number;
  /** The first words of the transcript. */
  preview: string;
}

export const EXPORT_FORMATS = ['txt', 'srt', 'vtt', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const DEVICE_CHOICES = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const;
export type DeviceChoice = (typeof DEVICE_CHOICES)[number];

export type ModelChoice =
  { kind: 'bundled'; dir: string } | { kind: 'imported'; dir: string; name: string };

export { DECODING_METHODS, type DecodingMethod };

/** How the engine turns the model's output into words. */
export interface DecodingSettings {
  /** 'greedy' (fastest) or 'beam' (prefix beam search with the bundled language model). */
  method: DecodingMethod;
  /** Beam search: hypotheses kept per frame. */
  beamWidth: number;
  /** Custom words and names to favour (beam search), one phrase each; "phrase :boost" sets a boost. */
  hotwords: string[];
}

/** What transcribes: the base model (`Settings.model`) or a voice profile's kept model. */
export type ActiveModel = { kind: 'base' } | { kind: 'profile'; name: string };

export interface Settings {
  /** The base model: bundled or imported. Profiles never change it. */
  model: ModelChoice;
  /** What transcribes new files: the base model or a profile (switch with setActiveModel). */
  activeModel: ActiveModel;
  device: DeviceChoice;
  /** Intra-op threads for the engine; 0 lets the engine choose. */
  threads: number;
  decoding: DecodingSettings;
}

export type EngineState = 'starting' | 'ready' | 'busy' | 'restarting' | 'failed' | 'stopped';

export interface EngineStatus {
  state: EngineState;
  pid?: number;
  model?: { name: string; path: string };
  /** The execution provider really running, and why others were passed over. */
  device?: ProviderReport;
  requestedDevice: DeviceChoice;
  threads: number;
  /** Of the last transcription: wall time / audio time. */
  realTimeFactor?: number;
  /** How many times the engine process exited unexpectedly in this run. */
  crashes: number;
  /** What went wrong, when state is 'restarting' or 'failed'. */
  message?: string;
}

export interface AppInfo {
  mode: 'electron' | 'browser';
  version: string;
  platform: string;
  /** The device choices offered on this platform. */
  devices: DeviceChoice[];
  userDataDir: string;
  /** Native open/save dialogs exist (Electron); otherwise the UI uses file inputs and downloads. */
  nativeDialogs: boolean;
}

// ---------------------------------------------------------------------------------------------
// Voice profiles

/**
 * Audio sent from the renderer (microphone): mono Float32 samples in [-1, 1], little-endian, as
 * base64 (JSON carries it over both bridges). 16 kHz is best (the engine's rate: smallest payload,
 * no resampling); any rate from 8 to 96 kHz is accepted and resampled.
 *
 * @example
 * const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
 * const clip = { sampleRate: 16000, float32Base64: btoa(String.fromCharCode(...bytes)) };
 */
export interface PcmClip {
  sampleRate: number;
  float32Base64: string;
}

/** At most this many characters of base64 in a PcmClip (60 s at 48 kHz; 180 s at 16 kHz). */
export const MAX_CLIP_BASE64_CHARS = 16_000_000;

export type ProfileStatus = 'collecting' | 'training' | 'review' | 'ready';

/** What a finished run achieved on the recordings held back from training (0.25 = 25 %). */
export type TrainingResult = Pick<
  FineTuneResult,
  | 'werBefore'
  | 'werAfter'
  | 'cerBefore'
  | 'cerAfter'
  | 'validationUtterances'
  | 'trainingUtterances'
  | 'trainingAudioSec'
  | 'trainingSec'
  | 'steps'
  | 'stoppedBecause'
  | 'examples'
  | 'finishedAt'
  | 'otherVoices'
>;

/** What the kept model achieved (the profile card). */
export interface KeptModelInfo {
  keptAt: string;
  werBefore: number;
  werAfter: number;
  validationUtterances: number;
  trainingUtterances: number;
  steps: number;
}

export interface ProfileInfo {
  name: string;
  createdAt: string;
  updatedAt: string;
  /**
   * collecting: recordings only; training: a run is going on or was interrupted (startTraining
   * resumes it); review: a finished run waits for keepResult/discardResult; ready: a kept model.
   */
  status: ProfileStatus;
  /** A training run is live right now. */
  trainingNow: boolean;
  recordings: number;
  speechSec: number;
  /** It has a kept model, so it can be the active model. */
  hasModel: boolean;
  /** The kept model's metrics, null without one. */
  kept: KeptModelInfo | null;
  /** A finished run waiting to be kept or discarded. */
  pendingResult: TrainingResult | null;
  /** Null when there is enough data to train; otherwise what to add ("add 3 more recordings…"). */
  needsMoreData: string | null;
  /** The base model it fine-tunes (its card name). */
  baseModelName: string;
}

export type { RecordingSource };

/** A profile's recording as the UI sees it (no file path: takes play through getRecordingUrl). */
export type RecordingInfo = Omit<ProfileRecording, 'audioPath'>;

export interface EnrollmentPrompt {
  id: string;
  text: string;
  source: string;
}

export type { RecordingProblemCode };

export interface RecordingCheck {
  levels: {
    durationSec: number;
    /** dBFS of the loudest 10 % of 20 ms frames; null for digital silence. */
    speechLevelDb: number | null;
    /** dBFS; null for digital silence. */
    peakDb: number | null;
    clippedFraction: number;
  };
  /** Empty when the recording may be kept; each message is one sentence a user can act on. */
  problems: { code: RecordingProblemCode; message: string }[];
}

export interface ImportResult {
  added: RecordingInfo[];
  /** Inputs not added, each with its reason (silent, text does not fit the audio, unreadable…). */
  skipped: { source: string; reason: string }[];
}

/** A recognised word of a short clip (enrollment lights them up as they are heard). */
export interface ClipWord {
  text: string;
  startSec: number;
  endSec: number;
  confidence: number;
}

export type TrainingPhase =
  | 'idle'
  | 'preparing'
  | 'training'
  /** The engine process died mid-run; it restarts and the run continues from its checkpoint. */
  | 'resuming'
  | 'finished'
  | 'failed'
  | 'cancelled';

/** The one training run of the app (one at a time), pushed as 'training-progress' events. */
export interface TrainingState {
  phase: TrainingPhase;
  /** The profile being (or last) trained; null before any run. */
  profile: string | null;
  /** In [0, 1] of the planned run (preparing: of the caching). */
  fraction: number;
  step: number;
  loss: number | null;
  /** Recent losses (at most 200 points), oldest first. */
  losses: { step: number; loss: number }[];
  /** Validation WER/CER on the held-back recordings at each validation. */
  validations: { step: number; wer: number; cer: number }[];
  elapsedSec: number;
  /** Times the engine process died during this run and it resumed. */
  restarts: number;
  /** phase 'finished': the result card (keep or discard it). */
  result?: TrainingResult;
  /** phase 'failed' (or 'cancelled'): why. */
  error?: ApiErrorInfo;
}

export const MENU_COMMANDS = ['open', 'export', 'find', 'settings', 'about', 'play-pause'] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

// ---------------------------------------------------------------------------------------------
// Requests: name → params schema → result type

const id = () => string({ minLength: 1, maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/ });
const filePath = () => string({ minLength: 1, maxLength: 4096 });
const empty = object({});

declare const resultType: unique symbol;
/** A phantom marker carrying a result type: results come from the host, so they are not checked. */
interface Returns<T> {
  readonly [resultType]?: T;
}
const returns = <T>(): Returns<T> => ({});

interface RequestSpec {
  params: Schema<unknown>;
  result: Returns<unknown>;
}

const profileName = () => string({ minLength: 1, maxLength: 100 });
const pcmClip = () =>
  object({
    sampleRate: number({ min: 8000, max: 96_000, integer: true }),
    float32Base64: string({
      minLength: 4,
      maxLength: MAX_CLIP_BASE64_CHARS,
      pattern: /^[A-Za-z0-9+/]*={0,2}$/,
    }),
  });
const activeModel = () =>
  union<ActiveModel>(
    [object({ kind: literal('base') }), object({ kind: literal('profile'), name: profileName() })],
    '{ kind: "base" } or { kind: "profile", name }',
  );
const recordingText = () => string({ minLength: 1, maxLength: 2000 });

const wordEdits = record(string({ maxLength: 200 }), {
  maxKeys: 200_000,
  keyPattern: /^\d{1,6}:\d{1,6}$/,
});

export const REQUESTS = {
  getAppInfo: { params: empty, result: returns<AppInfo>() },

  addFiles: {
    params: object({ paths: array(filePath(), { minLength: 1, maxLength: 1000 }) }),
    result: returns<{ jobs: Job[]; skipped: ApiErrorInfo[] }>(),
  },
  /** Native dialog (Electron): the chosen files join the queue. */
  openFilesDialog: { params: empty, result: returns<{ jobs: Job[] }>() },
  listQueue: { params: empty, result: returns<{ jobs: Job[] }>() },
  cancelJob: { params: object({ jobId: id() }), result: returns<{ job: Job }>() },
  removeJob: { params: object({ jobId: id() }), result: returns<{ removed: boolean }>() },
  retryJob: { params: object({ jobId: id() }), result: returns<{ job: Job }>() },
  clearFinished: { params: empty, result: returns<{ jobs: Job[] }>() },

  listHistory: { params: empty, result: returns<{ entries: HistoryEntry[] }>() },
  getTranscript: { params: object({ id: id() }), result: returns<TranscriptRecord>() },
  saveEdits: {
    params: object({ id: id(), edits: wordEdits }),
    result: returns<{ entry: HistoryEntry }>(),
  },
  deleteTranscript: { params: object({ id: id() }), result: returns<{ deleted: boolean }>() },
  /** Where the renderer can play the transcript's audio from (custom protocol or token URL). */
  getMediaUrl: { params: object({ id: id() }), result: returns<{ url: string }>() },
  /** The export's text, edits included (browser mode downloads it). */
  exportTranscript: {
    params: object({ id: id(), format: oneOf(EXPORT_FORMATS) }),
    result: returns<{ fileName: string; mimeType: string; content: string }>(),
  },
  /** Native save dialog (Electron); null when the user cancels. */
  saveExport: {
    params: object({ id: id(), format: oneOf(EXPORT_FORMATS) }),
    result: returns<{ savedPath: string | null }>(),
  },

  getSettings: { params: empty, result: returns<Settings>() },
  updateSettings: {
    params: object({
      device: optional(oneOf(DEVICE_CHOICES)),
      threads: optional(number({ min: 0, max: 256, integer: true })),
      decoding: optional(
        object({
          method: optional(oneOf(DECODING_METHODS)),
          beamWidth: optional(
            number({ min: BEAM_WIDTH_RANGE.min, max: BEAM_WIDTH_RANGE.max, integer: true }),
          ),
          hotwords: optional(
            array(string({ minLength: 1, maxLength: HOTWORD_LIMITS.maxPhraseLength }), {
              maxLength: HOTWORD_LIMITS.maxPhrases,
            }),
          ),
        }),
      ),
    }),
    result: returns<Settings>(),
  },
  /** Validates a model folder, copies it into the user-data folder and selects it. */
  importModel: { params: object({ dir: filePath() }), result: returns<Settings>() },
  /** Native folder dialog (Electron), then importModel; null when the user cancels. */
  chooseModelFolder: { params: empty, result: returns<Settings | null>() },
  useBundledModel: { params: empty, result: returns<Settings>() },

  getEngineStatus: { params: empty, result: returns<EngineStatus>() },
  restartEngine: { params: empty, result: returns<EngineStatus>() },

  // Voice profiles ----------------------------------------------------------------------------
  listProfiles: {
    params: empty,
    result: returns<{ profiles: ProfileInfo[]; active: ActiveModel }>(),
  },
  /** An empty profile fine-tuning the current base model. PROFILE_EXISTS, INVALID_ARGUMENT. */
  createProfile: { params: object({ name: profileName() }), result: returns<ProfileInfo>() },
  /** PROFILE_BUSY while it trains; the active-model setting follows the new name. */
  renameProfile: {
    params: object({ name: profileName(), newName: profileName() }),
    result: returns<ProfileInfo>(),
  },
  /** PROFILE_BUSY while it trains; when it was the active model, the base model becomes active. */
  deleteProfile: { params: object({ name: profileName() }), result: returns<{ deleted: true }>() },
  /**
   * Electron: native save dialog, then writes the archive (savedPath null when cancelled).
   * Browser mode: writes it for download (downloadUrl, valid for this server's life).
   */
  exportProfile: {
    params: object({ name: profileName() }),
    result: returns<{ fileName: string; savedPath: string | null; downloadUrl?: string }>(),
  },
  /**
   * Imports an archive from exportProfile: `path` (browser mode: from resolveFiles), or without
   * it the native open dialog (Electron; null when cancelled). PROFILE_EXISTS, PROFILE_INVALID.
   */
  importProfile: {
    params: object({ path: optional(filePath()), name: optional(profileName()) }),
    result: returns<ProfileInfo | null>(),
  },
  /** One click: transcribe new files with a profile's kept model or with the base model. */
  setActiveModel: { params: object({ model: activeModel() }), result: returns<Settings>() },

  /** Every enrollment prompt, in coverage order. */
  listPrompts: { params: empty, result: returns<{ prompts: EnrollmentPrompt[] }>() },
  /** The next `count` prompts the profile has not recorded yet. */
  nextPrompts: {
    params: object({ profile: profileName(), count: number({ min: 1, max: 500, integer: true }) }),
    result: returns<{ prompts: EnrollmentPrompt[]; recorded: number; total: number }>(),
  },
  /** Levels and problems of a clip (silent, clipped, too short…) before it is kept. */
  checkRecording: {
    params: object({ audio: pcmClip(), text: optional(string({ maxLength: 2000 })) }),
    result: returns<RecordingCheck>(),
  },
  /**
   * Keeps a take. RECORDING_REJECTED (the problems in the message) when it should not be kept. A
   * take of a prompt that was recorded before replaces the earlier take.
   */
  addRecording: {
    params: object({
      profile: profileName(),
      audio: pcmClip(),
      text: recordingText(),
      promptId: optional(string({ minLength: 1, maxLength: 32, pattern: /^[A-Za-z0-9_-]+$/ })),
    }),
    result: returns<{ recording: RecordingInfo; replaced: string | null }>(),
  },
  listRecordings: {
    params: object({ profile: profileName() }),
    result: returns<{ recordings: RecordingInfo[] }>(),
  },
  removeRecording: {
    params: object({ profile: profileName(), id: id() }),
    result: returns<{ removed: true }>(),
  },
  /** Where the renderer plays a kept take from (16 kHz WAV). */
  getRecordingUrl: {
    params: object({ profile: profileName(), id: id() }),
    result: returns<{ url: string }>(),
  },
  /** WAV + .txt pairs of a folder (without `dir`: native folder dialog; null when cancelled). */
  importFolder: {
    params: object({ profile: profileName(), dir: optional(filePath()) }),
    result: returns<ImportResult | null>(),
  },
  /** Files (browser mode: uploaded with resolveFiles): WAV + .txt pairs matched by name. */
  importFiles: {
    params: object({
      profile: profileName(),
      paths: array(filePath(), { minLength: 1, maxLength: 5000 }),
    }),
    result: returns<ImportResult>(),
  },
  /** A NeMo manifest (audio_filepath relative to the manifest's folder or absolute). */
  importManifest: {
    params: object({ profile: profileName(), path: filePath() }),
    result: returns<ImportResult>(),
  },
  /** A corrected stretch of a transcript: its audio cut from the file, with the corrected text. */
  addCorrection: {
    params: object({
      profile: profileName(),
      transcriptId: id(),
      startSec: number({ min: 0 }),
      endSec: number({ min: 0 }),
      text: recordingText(),
    }),
    result: returns<{ recording: RecordingInfo }>(),
  },
  /**
   * Recognises a short clip (≤ 30 s) at once, beside the transcription queue (never behind it):
   * enrollment calls it on the growing take about every second. Greedy decoding; by default the
   * active model.
   */
  recognizeClip: {
    params: object({ audio: pcmClip(), model: optional(activeModel()) }),
    result: returns<{ text: string; words: ClipWord[]; elapsedMs: number }>(),
  },
  /**
   * Starts (or resumes an interrupted) run for the profile; progress comes as
   * 'training-progress' events. NOT_ENOUGH_DATA says how much more to record; PROFILE_BUSY when
   * a run is going on. `maxTrainingSec`: the training's wall-clock budget (default 120; the
   * first epoch always runs whole).
   */
  startTraining: {
    params: object({
      profile: profileName(),
      maxTrainingSec: optional(number({ min: 5, max: 24 * 3600 })),
    }),
    result: returns<TrainingState>(),
  },
  /** Stops the run after its current step; its checkpoint stays, so startTraining resumes it. */
  cancelTraining: { params: empty, result: returns<TrainingState>() },
  getTrainingState: { params: empty, result: returns<TrainingState>() },
  /** The finished run's model becomes the profile's model (the earlier one is replaced). */
  keepResult: { params: object({ profile: profileName() }), result: returns<ProfileInfo>() },
  /** Throws the finished (or interrupted) run away; the kept model, if any, stays. */
  discardResult: { params: object({ profile: profileName() }), result: returns<ProfileInfo>() },
} as const satisfies Record<string, RequestSpec>;

export type RequestName = keyof typeof REQUESTS;
export type ParamsOf<K extends RequestName> = Infer<(typeof REQUESTS)[K]['params']>;
export type ResultOf<K extends RequestName> =
  (typeof REQUESTS)[K]['result'] extends Returns<infer R> ? R : never;

export const REQUEST_NAMES = Object.keys(REQUESTS) as RequestName[];

export function isRequestName(value: unknown): value is RequestName {
  return typeof value === 'string' && Object.hasOwn(REQUESTS, value);
}

/** Checks a request's params against the contract; throws SchemaError naming the bad field. */
export function checkParams<K extends RequestName>(name: K, params: unknown): ParamsOf<K> {
  const schema = REQUESTS[name].params as Schema<ParamsOf<K>>;
  return schema.check(params ?? {}, `${name} params`);
}

// ---------------------------------------------------------------------------------------------
// Pushed events (host → renderer)

export type PushEvent =
  | { type: 'queue'; jobs: Job[] }
  | { type: 'progress'; jobId: string; progress: Progress }
  | { type: 'transcript'; jobId: string; entry: HistoryEntry }
  | { type: 'history'; entries: HistoryEntry[] }
  | { type: 'engine-status'; status: EngineStatus }
  | { type: 'settings'; settings: Settings }
  | { type: 'command'; command: MenuCommand }
  | { type: 'training-progress'; state: TrainingState }
  | { type: 'profiles-changed'; profiles: ProfileInfo[]; active: ActiveModel };

export type PushEventType = PushEvent['type'];

// ---------------------------------------------------------------------------------------------
// Bridges: what window.hark is, in Electron (preload) and in the browser (WebSocket)

type Verb<K extends RequestName> = keyof ParamsOf<K> extends never
  ? (params?: ParamsOf<K>) => Promise<Reply<ResultOf<K>>>
  : (params: ParamsOf<K>) => Promise<Reply<ResultOf<K>>>;

export type HarkRequests = { [K in RequestName]: Verb<K> };

export interface HarkBridgeExtras {
  /** Listens to every pushed event; returns the function that stops listening. */
  subscribe(listener: (event: PushEvent) => void): () => void;
  /**
   * Turns files the user dropped or picked into paths the host can read: their real paths in
   * Electron, uploaded copies in browser mode (the browser gives File objects, not paths).
   */
  resolveFiles(files: File[]): Promise<Reply<{ paths: string[] }>>;
}

export type HarkBridge = HarkRequests & HarkBridgeExtras;

/** Browser mode: what the page sends over the WebSocket (path /api). */
export interface SocketRequest {
  kind: 'request';
  id: number;
  name: RequestName;
  params: unknown;
}

/** Browser mode: what the server sends over the WebSocket. */
export type SocketMessage =
  { kind: 'reply'; id: number; reply: Reply<unknown> } | { kind: 'event'; event: PushEvent };

/** Browser mode HTTP routes (all need the token, as a cookie or ?token=). */
export const BROWSER_ROUTES = {
  socket: '/api',
  upload: '/upload',
  media: '/media/',
  /** A profile's take: /recording/<profile>/<id>. */
  recording: '/recording/',
  /** A file written for download (profile export): /download/<token>/<name>. */
  download: '/download/',
} as const;

/** Electron IPC channel names. */
export const IPC_CHANNELS = { request: 'hark:request', event: 'hark:event' } as const;

// ---------------------------------------------------------------------------------------------
// Engine process RPC (host ↔ engine process)

export interface EngineInitParams {
  /**
   * The model to load; null loads none (the profile store's and the training processes, which
   * load what they need per request: a broken base model must not stop them).
   */
  modelDir: string | null;
  device: DeviceChoice;
  threads: number;
  /** Default: greedy. The LM is loaded once, at init; hotwords come with each file. */
  decoding?: { method: DecodingMethod; beamWidth: number; lmDir: string | null };
}

export interface EngineMethods {
  init: {
    params: EngineInitParams;
    /** `model` is null when none was asked for (modelDir null). */
    result: { model: { name: string; path: string } | null; device: ProviderReport };
  };
  transcribe: {
    /** `hotwords`: the user's custom words, "phrase" or "phrase :boost" each (beam search). */
    params: { path: string; waveformBuckets: number; hotwords?: string[] };
    result: { transcript: Transcript; waveform: Waveform };
  };
  /** A short clip in memory (16 kHz mono), greedy decoding with the model in `modelDir`. */
  recognize: {
    params: { samples: Float32Array; modelDir: string };
    result: { text: string; words: ClipWord[] };
  };
  /** One ProfileStore method (engine-host/profile-store-client.ts) on the profiles in `root`. */
  profileStore: {
    params: { root: string; op: string; args: unknown[] };
    result: unknown;
  };
  /**
   * Fine-tunes a profile (resuming an interrupted run); its progress comes as 'training'
   * messages. Cancel to stop after the current step.
   */
  fineTune: {
    params: {
      /** The profile's folder (the host's ProfileStore found it). */
      profileFolder: string;
      /** The base model it fine-tunes (only read). */
      baseModelDir: string;
      maxTrainingSec?: number;
      minimumData?: { recordings: number; speechSec: number };
      threads?: number;
    };
    result: TrainingResult;
  };
}

export type EngineMethod = keyof EngineMethods;

export type EngineRequestMessage =
  | { kind: 'request'; id: number; method: EngineMethod; params: unknown }
  | { kind: 'cancel'; id: number };

/** What a fine-tuning run reports (engine/profiles FineTuneEvent). */
export type TrainingEvent = FineTuneEvent;

export type EngineReplyMessage =
  | { kind: 'reply'; id: number; reply: Reply<unknown> }
  | { kind: 'progress'; id: number; progress: Progress }
  | { kind: 'training'; id: number; event: TrainingEvent };
