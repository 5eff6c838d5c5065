/**
 * The training runner and the clip recogniser against a scripted engine process: the test answers
 * each request itself, sends training events and crashes the process at chosen moments.
 */
import { describe, expect, it } from 'vitest';
import type {
  EngineReplyMessage,
  EngineRequestMessage,
  TrainingResult,
  TrainingState,
} from '../../../src-main/api/contract';
import { ClipRecognizer } from '../../../src-main/engine-host/clip-recognizer';
import type { EngineLauncher, LaunchOptions } from '../../../src-main/engine-host/engine-launcher';
import { TrainingRunner } from '../../../src-main/engine-host/training-runner';

interface ScriptedProcess {
  pid: number;
  launchOptions: LaunchOptions;
  /** Requests other than init, not answered yet. */
  open: Extract<EngineRequestMessage, { kind: 'request' }>[];
  cancels: number[];
  answer(id: number, value: unknown): void;
  post(message: EngineReplyMessage): void;
  crash(): void;
}

function scriptedEngine() {
  const processes: ScriptedProcess[] = [];
  let nextPid = 500;
  const launcher: EngineLauncher = (launchOptions = {}) => {
    const listeners: ((message: EngineReplyMessage) => void)[] = [];
    const exits: ((exit: { code: number | null; signal: string | null }) => void)[] = [];
    let alive = true;
    const post = (message: EngineReplyMessage) =>
      queueMicrotask(() => alive && listeners.forEach((listener) => listener(message)));
    const process: ScriptedProcess = {
      pid: nextPid++,
      launchOptions,
      open: [],
      cancels: [],
      answer: (id, value) => {
        process.open = process.open.filter((request) => request.id !== id);
        post({ kind: 'reply', id, reply: { ok: true, value } });
      },
      post,
      crash: () => {
        alive = false;
        queueMicrotask(() => exits.forEach((exit) => exit({ code: null, signal: 'SIGKILL' })));
      },
    };
    processes.push(process);
    return {
      pid: process.pid,
      send(message) {
        if (!alive) return;
        if (message.kind === 'cancel') {
          process.cancels.push(message.id);
          process.open = process.open.filter((request) => request.id !== message.id);
          post({
            kind: 'reply',
            id: message.id,
            reply: { ok: false, error: { code: 'CANCELLED', message: 'the work was cancelled' } },
          });
        } else if (message.method === 'init') {
          post({
            kind: 'reply',
            id: message.id,
            reply: {
              ok: true,
              value: {
                model: { name: 'm', path: '/m' },
                device: { provider: 'cpu', rejected: [] },
              },
            },
          });
        } else process.open.push(message);
      },
      onMessage: (listener) => listeners.push(listener),
      onExit: (listener) => exits.push(listener),
      kill: () => process.crash(),
    };
  };
  return { launcher, processes };
}

async function until<T>(find: () => T | undefined): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('timed out');
}

const result: TrainingResult = {
  werBefore: 0.5,
  werAfter: 0.25,
  cerBefore: 0.3,
  cerAfter: 0.1,
  validationUtterances: 1,
  trainingUtterances: 4,
  trainingAudioSec: 8,
  trainingSec: 12,
  steps: 9,
  stoppedBecause: 'converged',
  examples: [],
  finishedAt: '2026-01-01T00:00:00.000Z',
};

const job = { profile: 'Ada', profileFolder: '/p/Ada', baseModelDir: '/m' };

describe('training runner', () => {
  it('turns engine events into states, resumes after the process dies, and finishes', async () => {
    const engine = scriptedEngine();
    const states: TrainingState[] = [];
    const settled: TrainingState[] = [];
    const runner = new TrainingRunner({
      launch: engine.launcher,
      restartDelaysMs: [1],
      onState: (state) => states.push(state),
      onSettled: (state) => settled.push(state),
    });
    expect(runner.start({ ...job, maxTrainingSec: 30 })).toMatchObject({
      phase: 'preparing',
      profile: 'Ada',
    });
    expect(() => runner.start(job)).toThrow(/training run for "Ada" is going on/);
    const first = await until(() => engine.processes[0]?.open[0]);
    expect(first.method).toBe('fineTune');
    expect(first.params).toMatchObject({ profileFolder: '/p/Ada', maxTrainingSec: 30 });
    expect(engine.processes[0]!.launchOptions.interactive).toBeUndefined();
    const send = (event: Extract<EngineReplyMessage, { kind: 'training' }>['event']) =>
      engine.processes
        .at(-1)!
        .post({ kind: 'training', id: engine.processes.at(-1)!.open[0]!.id, event });
    send({ type: 'preparing', fraction: 0.5 });
    send({
      type: 'step',
      step: 1,
      epoch: 0,
      loss: 3,
      learningRate: 1e-4,
      elapsedSec: 1,
      fraction: 0.1,
    });
    send({
      type: 'step',
      step: 2,
      epoch: 0,
      loss: 2.5,
      learningRate: 2e-4,
      elapsedSec: 2,
      fraction: 0.2,
    });
    send({ type: 'validation', step: 2, epoch: 0, wer: 0.4, cer: 0.2, best: true, elapsedSec: 2 });
    await until(() => (runner.state.validations.length === 1 ? true : undefined));
    expect(runner.state).toMatchObject({
      phase: 'training',
      step: 2,
      loss: 2.5,
      losses: [
        { step: 1, loss: 3 },
        { step: 2, loss: 2.5 },
      ],
      validations: [{ step: 2, wer: 0.4, cer: 0.2 }],
    });

    engine.processes[0]!.crash();
    await until(() => states.find((s) => s.phase === 'resuming'));
    const again = await until(() => engine.processes[1]?.open[0]);
    expect(again.method).toBe('fineTune');
    expect(runner.state.restarts).toBe(1);
    engine.processes[1]!.answer(again.id, result);
    await runner.whenSettled();
    expect(runner.state).toMatchObject({ phase: 'finished', fraction: 1, restarts: 1, result });
    expect(settled).toHaveLength(1);
    expect(runner.busy).toBe(false);
  });

  it("does not carry the caching's progress into training, and a resumed run keeps its history", async () => {
    const engine = scriptedEngine();
    const runner = new TrainingRunner({
      launch: engine.launcher,
      restartDelaysMs: [1],
      onState: () => undefined,
    });
    runner.start(job);
    const send = async (event: Extract<EngineReplyMessage, { kind: 'training' }>['event']) => {
      const process = await until(() =>
        engine.processes.at(-1)?.open[0] ? engine.processes.at(-1) : undefined,
      );
      process.post({ kind: 'training', id: process.open[0]!.id, event });
    };
    await send({ type: 'preparing', fraction: 1 });
    await until(() => (runner.state.fraction === 1 ? true : undefined));
    // A new run scores the base model first (step 0): nothing of the run is done yet.
    await send({
      type: 'validation',
      step: 0,
      epoch: 0,
      wer: 0.5,
      cer: 0.3,
      best: true,
      elapsedSec: 0,
    });
    await until(() => (runner.state.validations.length === 1 ? true : undefined));
    expect(runner.state).toMatchObject({ phase: 'training', fraction: 0 });

    // After a crash the run resumes where its checkpoint was.
    engine.processes[0]!.crash();
    await until(() => engine.processes[1]?.open[0]);
    await send({ type: 'preparing', fraction: 1 });
    const history = {
      losses: [
        { step: 39, loss: 1.5 },
        { step: 40, loss: 1.4 },
      ],
      validations: [
        { step: 0, wer: 0.5, cer: 0.3 },
        { step: 32, wer: 0.4, cer: 0.2 },
      ],
    };
    await send({ type: 'resumed', step: 40, elapsedSec: 30, fraction: 0.25, ...history });
    await until(() => (runner.state.step === 40 ? true : undefined));
    // Its charts go on from the run's history.
    expect(runner.state).toMatchObject({
      phase: 'training',
      fraction: 0.25,
      elapsedSec: 30,
      ...history,
    });
    runner.cancel();
    await runner.whenSettled();
  });

  it('fails after too many restarts, and reports a cancel as cancelled', async () => {
    const engine = scriptedEngine();
    const runner = new TrainingRunner({
      launch: engine.launcher,
      restartDelaysMs: [1],
      maxRestarts: 1,
      onState: () => undefined,
    });
    runner.start(job);
    await until(() => engine.processes[0]?.open[0]);
    engine.processes[0]!.crash();
    await until(() => engine.processes[1]?.open[0]);
    engine.processes[1]!.crash();
    await runner.whenSettled();
    expect(runner.state.phase).toBe('failed');
    expect(runner.state.error?.code).toBe('ENGINE_CRASHED');

    runner.start(job);
    await until(() => engine.processes[2]?.open[0]);
    runner.cancel();
    await runner.whenSettled();
    expect(runner.state.phase).toBe('cancelled');
    expect(runner.state.error).toMatchObject({ code: 'CANCELLED' });
    expect(engine.processes[2]!.cancels).toHaveLength(1);
  });
});

describe('clip recogniser', () => {
  it('runs at normal priority, one clip at a time, the newest waiting clip replacing an older one', async () => {
    const engine = scriptedEngine();
    const clips = new ClipRecognizer({ launch: engine.launcher });
    const samples = new Float32Array(16000);
    const first = clips.recognize(samples, '/models/a');
    const request = await until(() => engine.processes[0]?.open[0]);
    expect(engine.processes[0]!.launchOptions.interactive).toBe(true);
    expect(request.params).toMatchObject({ modelDir: '/models/a' });
    const second = clips.recognize(samples, '/models/a');
    const third = clips.recognize(samples, '/models/b');
    await expect(second).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(engine.processes[0]!.open).toHaveLength(1);
    engine.processes[0]!.answer(request.id, { text: 'one', words: [] });
    await expect(first).resolves.toEqual({ text: 'one', words: [] });
    const next = await until(() => engine.processes[0]!.open[0]);
    expect(next.params).toMatchObject({ modelDir: '/models/b' });
    engine.processes[0]!.answer(next.id, { text: 'three', words: [] });
    await expect(third).resolves.toEqual({ text: 'three', words: [] });
    expect(engine.processes).toHaveLength(1);
    await clips.dispose();
  });
});
