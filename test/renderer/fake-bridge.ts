/** A HarkBridge for component tests: records calls, answers from a table, pushes events on demand. */
import { vi } from 'vitest';
import {
  REQUEST_NAMES,
  type HarkBridge,
  type PushEvent,
  type Reply,
  type RequestName,
  type TrainingState,
  type TranscriptRecord,
} from '../../src-main/api/contract';
import { toApiErrorInfo } from '../../src-main/api/api-error';

import { idleTrainingState } from '../../src-main/engine-host/training-runner';

export type Answers = Partial<Record<RequestName, (params: unknown) => unknown>>;

export const IDLE_TRAINING: TrainingState = idleTrainingState();

/** What a host without profiles answers, so tests that do not care about them need not say. */
const DEFAULT_ANSWERS: Answers = {
  listProfiles: () => ({ profiles: [], active: { kind: 'base' } }),
  getTrainingState: () => IDLE_TRAINING,
};

export function fakeBridge(answers: Answers = {}) {
  const calls: { name: RequestName; params: unknown }[] = [];
  const listeners = new Set<(event: PushEvent) => void>();
  const verbs = Object.fromEntries(
    REQUEST_NAMES.map((name) => [
      name,
      vi.fn(async (params?: unknown): Promise<Reply<unknown>> => {
        calls.push({ name, params });
        const answer = answers[name] ?? DEFAULT_ANSWERS[name];
        if (!answer) return { ok: true, value: {} };
        try {
          return { ok: true, value: await answer(params) };
        } catch (error) {
          // An ApiError keeps its code and file, as the hosts send them.
          return { ok: false, error: toApiErrorInfo(error) };
        }
      }),
    ]),
  );
  const bridge = {
    ...verbs,
    subscribe(listener: (event: PushEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    resolveFiles: vi.fn(async (files: File[]) => ({
      ok: true as const,
      value: { paths: files.map((f) => `/up/${f.name}`) },
    })),
  } as unknown as HarkBridge;
  return {
    bridge,
    calls,
    push(event: PushEvent) {
      for (const listener of listeners) listener(event);
    },
  };
}

export function sampleRecord(overrides: Partial<TranscriptRecord> = {}): TranscriptRecord {
  const words = ['hello', 'world', 'this', 'is', 'hark', 'hello', 'again'].map((text, index) => ({
    text,
    startSec: index * 0.5,
    endSec: index * 0.5 + 0.4,
    confidence: [0.95, 0.6, 0.9, 0.3, 0.92, 0.9, 0.85][index] ?? 0.9,
  }));
  return {
    id: 'rec1',
    name: 'talk.wav',
    sourcePath: '/home/me/talk.wav',
    createdAt: '2026-01-02T10:00:00.000Z',
    transcript: {
      text: words.map((w) => w.text).join(' '),
      segments: [
        {
          text: 'hello world this is hark',
          startSec: 0,
          endSec: 2.4,
          confidence: 0.8,
          words: words.slice(0, 5),
        },
        { text: 'hello again', startSec: 2.5, endSec: 3.4, confidence: 0.9, words: words.slice(5) },
      ],
      model: { name: 'base-en', path: '/m' },
      device: { provider: 'cpu', rejected: [] },
      audio: {
        path: '/home/me/talk.wav',
        durationSec: 3.5,
        sampleRate: 16000,
        channels: 1,
        format: 'pcm16',
      },
      realTimeFactor: 0.02,
      timings: { audioSec: 0, featuresSec: 0, modelSec: 0, decodingSec: 0, totalSec: 0.07 },
    },
    edits: {},
    waveform: { peaks: [0.1, 0.5, 1, 0.4], durationSec: 3.5 },
    ...overrides,
  };
}

/** jsdom has no media playback, layout observers or canvas: stand-ins that record what happens. */
export function stubMediaElements() {
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
  Object.defineProperty(HTMLCanvasElement.prototype, 'getContext', {
    configurable: true,
    value: () => null,
  });
  Object.defineProperty(Element.prototype, 'scrollIntoView', {
    configurable: true,
    value: vi.fn(),
  });
  const played = vi.fn(() => Promise.resolve());
  Object.defineProperty(HTMLMediaElement.prototype, 'play', { configurable: true, value: played });
  const paused = vi.fn();
  Object.defineProperty(HTMLMediaElement.prototype, 'pause', {
    configurable: true,
    value: paused,
  });
  return { played, paused };
}
