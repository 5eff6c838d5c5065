import { describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../../src-main/api/contract';
import {
  EngineCrashedError,
  EngineSupervisor,
} from '../../../src-main/engine-host/engine-supervisor';
import { fakeEngine } from './fake-engine';

function supervise(engine: ReturnType<typeof fakeEngine>, statuses: EngineStatus[] = []) {
  return new EngineSupervisor({
    launch: engine.launcher,
    initParams: () => ({ modelDir: '/models/fake', device: 'auto', threads: 0 }),
    restartDelaysMs: [5],
    maxConsecutiveCrashes: 2,
    onStatus: (status) => statuses.push(status),
  });
}

const waitFor = async (condition: () => boolean, timeoutMs = 2000) => {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};

describe('EngineSupervisor', () => {
  it('starts the engine, reports the device, and forwards calls with their progress', async () => {
    const engine = fakeEngine();
    const statuses: EngineStatus[] = [];
    const supervisor = supervise(engine, statuses);
    const progress: number[] = [];
    const result = await supervisor.call(
      'transcribe',
      { path: '/a.wav', waveformBuckets: 10 },
      { onProgress: (p) => progress.push(p.fraction) },
    );
    expect(result.transcript.text).toBe('hello there world');
    expect(progress).toEqual([0.5]);
    expect(statuses.map((s) => s.state)).toContain('starting');
    expect(supervisor.status).toMatchObject({
      state: 'ready',
      device: { provider: 'cpu' },
      realTimeFactor: 0.05,
    });
    expect(engine.processes).toHaveLength(1);
    await supervisor.dispose();
  });

  it('rejects the call in flight with ENGINE_CRASHED when the process dies, then restarts it', async () => {
    const engine = fakeEngine({ hold: true });
    const statuses: EngineStatus[] = [];
    const supervisor = supervise(engine, statuses);
    const call = supervisor.call('transcribe', { path: '/a.wav', waveformBuckets: 10 });
    await waitFor(
      () =>
        engine.processes[0]?.received.some(
          (m) => m.kind === 'request' && m.method === 'transcribe',
        ) ?? false,
    );
    engine.current().crash('SIGKILL');
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineCrashedError);
    expect((error as EngineCrashedError).intentional).toBe(false);
    expect(
      statuses.some((s) => s.state === 'restarting' && /killed \(SIGKILL\)/.test(s.message ?? '')),
    ).toBe(true);
    await supervisor.whenReady();
    expect(engine.processes).toHaveLength(2);
    expect(supervisor.status.crashes).toBe(1);
    expect(supervisor.status.pid).toBe(engine.processes[1]?.pid);
    await supervisor.dispose();
  });

  it('gives up after too many crashes in a row and says why', async () => {
    const engine = fakeEngine();
    const supervisor = supervise(engine);
    await supervisor.whenReady();
    for (let crash = 0; crash < 3; crash++) {
      const before = engine.processes.length;
      engine.current().crash();
      if (crash < 2)
        await waitFor(
          () => engine.processes.length > before && supervisor.status.state === 'ready',
        );
    }
    await waitFor(() => supervisor.status.state === 'failed');
    expect(supervisor.status.message).toMatch(/3 times in a row/);
    await expect(
      supervisor.call('transcribe', { path: '/a.wav', waveformBuckets: 1 }),
    ).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
    });
    await supervisor.dispose();
  });

  it('marks the engine failed, with the reason, when the model does not load', async () => {
    const engine = fakeEngine({ initError: 'model.onnx is not an ONNX model' });
    const supervisor = supervise(engine);
    await expect(supervisor.whenReady()).rejects.toMatchObject({
      code: 'ENGINE_UNAVAILABLE',
      message: 'model.onnx is not an ONNX model',
    });
    expect(supervisor.status.state).toBe('failed');
    await supervisor.dispose();
  });

  it('restarts on purpose without counting a crash, and cancels through the signal', async () => {
    const engine = fakeEngine({ hold: true });
    const supervisor = supervise(engine);
    await supervisor.whenReady();
    const controller = new AbortController();
    const cancelled = supervisor.call(
      'transcribe',
      { path: '/a.wav', waveformBuckets: 1 },
      { signal: controller.signal },
    );
    await waitFor(() =>
      engine.current().received.some((m) => m.kind === 'request' && m.method === 'transcribe'),
    );
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(engine.current().received.some((m) => m.kind === 'cancel')).toBe(true);

    const lost = supervisor.call('transcribe', { path: '/b.wav', waveformBuckets: 1 });
    await waitFor(
      () =>
        engine.current().received.filter((m) => m.kind === 'request' && m.method === 'transcribe')
          .length === 2,
    );
    supervisor.restart();
    const error = await lost.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineCrashedError);
    expect((error as EngineCrashedError).intentional).toBe(true);
    await supervisor.whenReady();
    expect(supervisor.status.crashes).toBe(0);
    expect(engine.processes).toHaveLength(2);
    await supervisor.dispose();
  });
});
