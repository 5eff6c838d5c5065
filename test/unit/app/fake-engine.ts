/** An in-process stand-in for the engine process: same messages, no ONNX Runtime. */
import type {
  EngineReplyMessage,
  EngineRequestMessage,
  Transcript,
} from '../../../src-main/api/contract';
import type { EngineLauncher, EngineProcess } from '../../../src-main/engine-host/engine-launcher';

export function fakeTranscript(path: string, words: string[], durationSec = 2): Transcript {
  const step = durationSec / Math.max(1, words.length);
  const timed = words.map((text, index) => ({
    text,
    startSec: index * step,
    endSec: (index + 0.8) * step,
    confidence: 0.5 + (index % 2) * 0.4,
  }));
  return {
    text: words.join(' '),
    segments: [
      { text: words.join(' '), startSec: 0, endSec: durationSec, confidence: 0.7, words: timed },
    ],
    model: { name: 'fake', path: '/models/fake' },
    device: { provider: 'cpu', rejected: [] },
    audio: { path, durationSec, sampleRate: 16000, channels: 1, format: 'pcm16' },
    realTimeFactor: 0.05,
    timings: { audioSec: 0, featuresSec: 0, modelSec: 0, decodingSec: 0, totalSec: 0.1 },
  };
}

export interface FakeEngineControls {
  launcher: EngineLauncher;
  /** Every process started so far. */
  processes: FakeProcess[];
  /** The last one. */
  current(): FakeProcess;
}

export interface FakeProcess extends EngineProcess {
  received: EngineRequestMessage[];
  /** Simulates a native crash / kill. */
  crash(signal?: string): void;
  /** Answers the transcribe request in flight (when `hold` kept it waiting). */
  release(): void;
}

export interface FakeEngineOptions {
  /** Transcribe requests wait for release() instead of answering at once. */
  hold?: boolean;
  /** init fails with this message. */
  initError?: string;
  /** Words the fake "hears" in every file. */
  words?: string[];
}

/**
 * Files whose name contains "bad" fail with WAV_NOT_RIFF; "crash" kills the process.
 */
export function fakeEngine(options: FakeEngineOptions = {}): FakeEngineControls {
  const processes: FakeProcess[] = [];
  let nextPid = 1000;
  const launcher: EngineLauncher = () => {
    const messageListeners: ((message: EngineReplyMessage) => void)[] = [];
    const exitListeners: ((exit: { code: number | null; signal: string | null }) => void)[] = [];
    const held: (() => void)[] = [];
    let alive = true;
    const reply = (message: EngineReplyMessage) =>
      queueMicrotask(() => {
        if (alive) for (const listener of messageListeners) listener(message);
      });
    const process: FakeProcess = {
      pid: nextPid++,
      received: [],
      send(message) {
        if (!alive) return;
        process.received.push(message);
        if (message.kind === 'cancel') {
          reply({
            kind: 'reply',
            id: message.id,
            reply: { ok: false, error: { code: 'CANCELLED', message: 'cancelled' } },
          });
          return;
        }
        if (message.method === 'init') {
          reply({
            kind: 'reply',
            id: message.id,
            reply: options.initError
              ? { ok: false, error: { code: 'MODEL_INVALID', message: options.initError } }
              : {
                  ok: true,
                  value: {
                    model: { name: 'fake', path: '/models/fake' },
                    device: { provider: 'cpu', rejected: [] },
                  },
                },
          });
          return;
        }
        const { path } = message.params as { path: string };
        const answer = () => {
          if (path.includes('crash')) {
            process.crash();
            return;
          }
          reply({
            kind: 'progress',
            id: message.id,
            progress: { fraction: 0.5, etaSec: 1, processedSec: 1, durationSec: 2 },
          });
          reply({
            kind: 'reply',
            id: message.id,
            reply: path.includes('bad')
              ? {
                  ok: false,
                  error: { code: 'WAV_NOT_RIFF', message: 'not a WAV file', file: path },
                }
              : {
                  ok: true,
                  value: {
                    transcript: fakeTranscript(path, options.words ?? ['hello', 'there', 'world']),
                    waveform: { peaks: [0.1, 1, 0.5], durationSec: 2 },
                  },
                },
          });
        };
        if (options.hold) held.push(answer);
        else answer();
      },
      onMessage(listener) {
        messageListeners.push(listener);
      },
      onExit(listener) {
        exitListeners.push(listener);
      },
      kill() {
        if (!alive) return;
        alive = false;
        queueMicrotask(() =>
          exitListeners.forEach((listener) => listener({ code: null, signal: 'SIGKILL' })),
        );
      },
      crash(signal = 'SIGSEGV') {
        if (!alive) return;
        alive = false;
        queueMicrotask(() => exitListeners.forEach((listener) => listener({ code: null, signal })));
      },
      release() {
        held.splice(0).forEach((answer) => answer());
      },
    };
    processes.push(process);
    return process;
  };
  return {
    launcher,
    processes,
    current() {
      const last = processes.at(-1);
      if (!last) throw new Error('no engine process started yet');
      return last;
    },
  };
}
