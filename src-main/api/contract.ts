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
import type { Progress, ProviderName, ProviderReport, Transcript } from '../engine/types';
import {
  array,
  number,
  object,
  oneOf,
  optional,
  record,
  string,
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
}

export interface HistoryEntry {
  id: string;
  name: string;
  sourcePath: string;
  createdAt: string;
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

export interface Settings {
  model: ModelChoice;
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
  | { type: 'command'; command: MenuCommand };

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
export const BROWSER_ROUTES = { socket: '/api', upload: '/upload', media: '/media/' } as const;

/** Electron IPC channel names. */
export const IPC_CHANNELS = { request: 'hark:request', event: 'hark:event' } as const;

// ---------------------------------------------------------------------------------------------
// Engine process RPC (host ↔ engine process)

export interface EngineInitParams {
  modelDir: string;
  device: DeviceChoice;
  threads: number;
  /** Default: greedy. The LM is loaded once, at init; hotwords come with each file. */
  decoding?: { method: DecodingMethod; beamWidth: number; lmDir: string | null };
}

export interface EngineMethods {
  init: {
    params: EngineInitParams;
    result: { model: { name: string; path: string }; device: ProviderReport };
  };
  transcribe: {
    /** `hotwords`: the user's custom words, "phrase" or "phrase :boost" each (beam search). */
    params: { path: string; waveformBuckets: number; hotwords?: string[] };
    result: { transcript: Transcript; waveform: Waveform };
  };
}

export type EngineMethod = keyof EngineMethods;

export type EngineRequestMessage =
  | { kind: 'request'; id: number; method: EngineMethod; params: unknown }
  | { kind: 'cancel'; id: number };

export type EngineReplyMessage =
  | { kind: 'reply'; id: number; reply: Reply<unknown> }
  | { kind: 'progress'; id: number; progress: Progress };
