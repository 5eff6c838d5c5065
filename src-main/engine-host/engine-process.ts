/**
 * The engine process: runs the engine (ONNX Runtime, audio, decoding) away from the window.
 * Started as an Electron utilityProcess by the app and as a Node child process elsewhere; it speaks
 * the contract's EngineRequestMessage / EngineReplyMessage with its host and never imports electron.
 */
import { fail, ok } from '../api/api-error';
import type {
  EngineInitParams,
  EngineMethods,
  EngineReplyMessage,
  EngineRequestMessage,
  Progress,
  TrainingEvent,
  TrainingResult,
} from '../api/contract';
import { probeAudio, readAudio } from '../engine/audio';
import { parseHotwords } from '../engine/decode/beam/hotwords';
import { Engine } from '../engine/engine';
import { HarkError } from '../engine/errors';
import { fineTuneProfileFolder } from '../engine/profiles/finetune';
import { ProfileStore } from '../engine/profiles/profile-store';
import { toTrainingResult } from './profile-info';
import { isProfileStoreOp } from './profile-store-client';
import { WaveformPeaks } from './waveform-peaks';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

interface Port {
  onMessage(listener: (message: EngineRequestMessage) => void): void;
  post(message: EngineReplyMessage): void;
}

/** Electron's utilityProcess gives process.parentPort; child_process.fork gives process.send. */
function connectToHost(): Port {
  const parentPort = (process as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      onMessage: (listener) =>
        parentPort.on('message', (event) => listener(event.data as EngineRequestMessage)),
      post: (message) => parentPort.postMessage(message),
    };
  }
  if (process.send) {
    // The host going away must take the engine with it.
    process.on('disconnect', () => process.exit(0));
    return {
      onMessage: (listener) =>
        process.on('message', (message) => listener(message as EngineRequestMessage)),
      post: (message) => process.send?.(message),
    };
  }
  throw new Error('engine-process must be started by a host (utilityProcess or fork)');
}

const PROGRESS_INTERVAL_MS = 100;
const WAVEFORM_SAMPLE_RATE = 16_000;

let engine: Engine | undefined;
/** What `engine` was created from: recognize reuses it for clips of the same model. */
let engineSource: { modelDir: string; greedy: boolean } | undefined;
const running = new Map<number, AbortController>();

async function init(params: EngineInitParams): Promise<EngineMethods['init']['result']> {
  const previous = engine;
  engine = undefined;
  engineSource = undefined;
  await previous?.dispose();
  if (params.modelDir === null) {
    // No model wanted (profile store, training): nothing is loaded, so nothing can fail here.
    return { model: null, device: { provider: 'cpu', rejected: [] } };
  }
  engine = await Engine.create({
    modelDir: params.modelDir,
    device: params.device,
    ...(params.threads > 0 ? { threads: params.threads } : {}),
    ...(params.decoding ? { decoding: params.decoding } : {}),
  });
  engineSource = {
    modelDir: params.modelDir,
    greedy: (params.decoding?.method ?? 'greedy') === 'greedy',
  };
  return { model: { name: engine.model.name, path: params.modelDir }, device: engine.device };
}

async function transcribe(
  params: EngineMethods['transcribe']['params'],
  signal: AbortSignal,
  onProgress: (progress: Progress) => void,
): Promise<EngineMethods['transcribe']['result']> {
  if (!engine) throw new HarkError('INTERNAL', 'the engine is not initialised');
  // Custom words only mean something to beam search (an engine started before a switch to
  // greedy decoding may still be asked with them).
  const hotwords =
    params.hotwords?.length && engine.decodingInfo.method === 'beam'
      ? parseHotwords(params.hotwords.join('\n'), 'custom words')
      : undefined;
  const transcript = await engine.transcribeFile(params.path, {
    signal,
    onProgress,
    ...(hotwords ? { hotwords } : {}),
  });
  const waveform = await computeWaveform(params.path, params.waveformBuckets, signal);
  return { transcript, waveform };
}

/** The clip recogniser: the model of the last clip, greedy decoding, one thread. */
let clipEngine: { modelDir: string; engine: Promise<Engine> } | undefined;

function clipEngineFor(modelDir: string): Promise<Engine> {
  // The clip recogniser's init already loaded this model, for greedy decoding: no second copy.
  if (engine && engineSource?.modelDir === modelDir && engineSource.greedy) {
    return Promise.resolve(engine);
  }
  if (clipEngine?.modelDir !== modelDir) {
    const previous = clipEngine;
    const attempt = { modelDir, engine: Engine.create({ modelDir, device: 'cpu', threads: 1 }) };
    clipEngine = attempt;
    void previous?.engine.then((e) => e.dispose()).catch(() => undefined);
    // A model that fails to load is tried again on the next clip.
    attempt.engine.catch(() => {
      if (clipEngine === attempt) clipEngine = undefined;
    });
  }
  return clipEngine.engine;
}

/** A short clip in memory: enrollment's live words. */
async function recognize(
  params: EngineMethods['recognize']['params'],
  signal: AbortSignal,
): Promise<EngineMethods['recognize']['result']> {
  if (params.samples.length === 0) return { text: '', words: [] };
  const recognizer = await clipEngineFor(params.modelDir);
  const transcript = await recognizer.transcribeSamples(params.samples, { signal });
  return {
    text: transcript.text,
    words: transcript.segments.flatMap((segment) =>
      segment.words.map(({ text, startSec, endSec, confidence }) => ({
        text,
        startSec,
        endSec,
        confidence,
      })),
    ),
  };
}

const profileStores = new Map<string, Promise<ProfileStore>>();

/** Runs one whitelisted ProfileStore method (the host's profile-store-client.ts). */
async function profileStore(params: EngineMethods['profileStore']['params']): Promise<unknown> {
  if (!isProfileStoreOp(params.op)) {
    throw new HarkError('INVALID_ARGUMENT', `unknown profile store method ${params.op}`);
  }
  let opening = profileStores.get(params.root);
  if (!opening) {
    opening = ProfileStore.open({ root: params.root });
    profileStores.set(params.root, opening);
    opening.catch(() => profileStores.delete(params.root));
  }
  const store = await opening;
  const method = store[params.op] as (...args: unknown[]) => Promise<unknown>;
  return method.apply(store, params.args);
}

/** Fine-tunes a profile folder; resumes an interrupted run (engine/profiles/finetune.ts). */
async function fineTune(
  params: EngineMethods['fineTune']['params'],
  signal: AbortSignal,
  onEvent: (event: TrainingEvent) => void,
): Promise<TrainingResult> {
  const result = await fineTuneProfileFolder(params.profileFolder, params.baseModelDir, {
    signal,
    onProgress: onEvent,
    ...(params.maxTrainingSec !== undefined ? { maxTrainingSec: params.maxTrainingSec } : {}),
    ...(params.minimumData ? { minimumData: params.minimumData } : {}),
    ...(params.threads ? { threads: params.threads } : {}),
  });
  return toTrainingResult(result);
}

async function computeWaveform(path: string, bucketCount: number, signal: AbortSignal) {
  const info = await probeAudio(path);
  const peaks = new WaveformPeaks({
    bucketCount,
    totalSamples: Math.ceil(info.durationSec * WAVEFORM_SAMPLE_RATE),
  });
  for await (const chunk of readAudio(path, {
    targetSampleRate: WAVEFORM_SAMPLE_RATE,
    chunkSec: 30,
  })) {
    signal.throwIfAborted();
    peaks.push(chunk);
  }
  return { peaks: peaks.result(), durationSec: info.durationSec };
}

/** Progress at most every PROGRESS_INTERVAL_MS, and always the last one. */
function throttledProgress(post: (progress: Progress) => void): (progress: Progress) => void {
  let lastSentMs = 0;
  return (progress) => {
    const now = Date.now();
    if (progress.fraction >= 1 || now - lastSentMs >= PROGRESS_INTERVAL_MS) {
      lastSentMs = now;
      post(progress);
    }
  };
}

function handle(
  message: Extract<EngineRequestMessage, { kind: 'request' }>,
  port: Port,
): Promise<unknown> {
  const controller = new AbortController();
  running.set(message.id, controller);
  const onProgress = throttledProgress((progress) =>
    port.post({ kind: 'progress', id: message.id, progress }),
  );
  switch (message.method) {
    case 'init':
      return init(message.params as EngineInitParams);
    case 'transcribe':
      return transcribe(
        message.params as EngineMethods['transcribe']['params'],
        controller.signal,
        onProgress,
      );
    case 'recognize':
      return recognize(message.params as EngineMethods['recognize']['params'], controller.signal);
    case 'profileStore':
      return profileStore(message.params as EngineMethods['profileStore']['params']);
    case 'fineTune':
      return fineTune(
        message.params as EngineMethods['fineTune']['params'],
        controller.signal,
        (event) => port.post({ kind: 'training', id: message.id, event }),
      );
    default:
      return Promise.reject(
        new HarkError('INVALID_ARGUMENT', `unknown engine method ${String(message.method)}`),
      );
  }
}

function cancelledAsHarkError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted && !(error instanceof HarkError)) {
    return new HarkError('CANCELLED', 'the work was cancelled');
  }
  return error;
}

function main(): void {
  const port = connectToHost();
  port.onMessage((message) => {
    if (message.kind === 'cancel') {
      running.get(message.id)?.abort();
      return;
    }
    handle(message, port).then(
      (value) => {
        running.delete(message.id);
        port.post({ kind: 'reply', id: message.id, reply: ok(value) });
      },
      (error: unknown) => {
        const signal = running.get(message.id)?.signal;
        running.delete(message.id);
        port.post({
          kind: 'reply',
          id: message.id,
          reply: fail(cancelledAsHarkError(error, signal)),
        });
      },
    );
  });
}

main();
