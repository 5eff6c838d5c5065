import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Job, TranscriptRecord } from '../../../src-main/api/contract';
import { EngineSupervisor } from '../../../src-main/engine-host/engine-supervisor';
import { TranscriptionQueue } from '../../../src-main/engine-host/transcription-queue';
import { fakeEngine } from './fake-engine';

function setup(options: { hold?: boolean; storePath?: string } = {}) {
  const engine = fakeEngine({ hold: options.hold ?? false });
  const supervisor = new EngineSupervisor({
    launch: engine.launcher,
    initParams: () => ({ modelDir: '/m', device: 'cpu', threads: 1 }),
    restartDelaysMs: [1],
  });
  const saved: TranscriptRecord[] = [];
  const snapshots: Job[][] = [];
  const queuePromise = TranscriptionQueue.open({
    transcribe: (path, { signal, onProgress }) =>
      supervisor.call('transcribe', { path, waveformBuckets: 8 }, { signal, onProgress }),
    saveTranscript: async (input) => {
      const record = {
        ...input,
        id: `t${saved.length + 1}`,
        createdAt: new Date().toISOString(),
        edits: {},
      };
      saved.push(record);
      return record;
    },
    onChange: (jobs) => snapshots.push(jobs),
    ...(options.storePath ? { storePath: options.storePath } : {}),
  });
  return { engine, supervisor, saved, snapshots, queuePromise };
}

const states = (queue: TranscriptionQueue) => queue.list().map((job) => `${job.name}:${job.state}`);

describe('TranscriptionQueue', () => {
  it('works through files in order; a bad file fails with its reason and the rest go on', async () => {
    const { queuePromise, saved, supervisor } = setup();
    const queue = await queuePromise;
    queue.add(['/rec/bad.wav', '/rec/good.wav', '/rec/other.wav']);
    await queue.whenIdle();
    expect(states(queue)).toEqual(['bad.wav:failed', 'good.wav:done', 'other.wav:done']);
    const [bad, good] = queue.list();
    expect(bad?.error).toEqual({
      code: 'WAV_NOT_RIFF',
      message: 'not a WAV file',
      file: '/rec/bad.wav',
    });
    expect(good?.transcriptId).toBe('t1');
    expect(good?.progress?.fraction).toBe(1);
    expect(saved.map((record) => record.sourcePath)).toEqual(['/rec/good.wav', '/rec/other.wav']);
    // A deleted transcript takes its done job along; the others stay.
    queue.forgetTranscript('t1');
    expect(states(queue)).toEqual(['bad.wav:failed', 'other.wav:done']);
    // Clearing the finished files keeps the failed one, to retry or remove.
    queue.clearFinished();
    expect(states(queue)).toEqual(['bad.wav:failed']);
    await supervisor.dispose();
  });

  it('cancels a waiting file and a running one, and retries them', async () => {
    const { queuePromise, engine, supervisor } = setup({ hold: true });
    const queue = await queuePromise;
    const [first, second] = queue.add(['/rec/a.wav', '/rec/b.wav']);
    queue.cancel(second?.id ?? '');
    const transcribeRequests = () =>
      (engine.processes.at(-1)?.received ?? []).filter(
        (m) => m.kind === 'request' && m.method === 'transcribe',
      ).length;
    const waitForRequests = async (count: number) => {
      while (transcribeRequests() < count) await new Promise((resolve) => setTimeout(resolve, 1));
    };
    await waitForRequests(1);
    expect(states(queue)).toEqual(['a.wav:running', 'b.wav:cancelled']);
    queue.cancel(first?.id ?? '');
    await queue.whenIdle();
    expect(states(queue)).toEqual(['a.wav:cancelled', 'b.wav:cancelled']);

    queue.retry(second?.id ?? '');
    expect(states(queue)).toEqual(['a.wav:cancelled', 'b.wav:running']);
    await waitForRequests(2);
    engine.current().release();
    await queue.whenIdle();
    expect(states(queue)).toEqual(['a.wav:cancelled', 'b.wav:done']);
    expect(queue.remove(first?.id ?? '')).toBe(true);
    expect(states(queue)).toEqual(['b.wav:done']);
    expect(() => queue.cancel('missing')).toThrow(/no job/);
    await supervisor.dispose();
  });

  it('puts the file back when the engine crashes and fails it after a second crash', async () => {
    const { queuePromise, supervisor, engine } = setup();
    const queue = await queuePromise;
    queue.add(['/rec/crash.wav', '/rec/fine.wav']);
    await queue.whenIdle();
    expect(states(queue)).toEqual(['crash.wav:failed', 'fine.wav:done']);
    const crashed = queue.list()[0];
    expect(crashed?.attempts).toBe(2);
    expect(crashed?.error?.code).toBe('ENGINE_CRASHED');
    expect(engine.processes.length).toBe(3);
    await supervisor.dispose();
  });

  it('survives a restart of the app: saved jobs come back and a running one runs again', async () => {
    const storePath = join(mkdtempSync(join(tmpdir(), 'hark-queue-')), 'queue.json');
    const first = setup({ hold: true, storePath });
    const queue = await first.queuePromise;
    queue.add(['/rec/one.wav', '/rec/two.wav']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await queue.flush();
    const stored = JSON.parse(readFileSync(storePath, 'utf8')) as Job[];
    expect(stored.map((job) => job.state)).toEqual(['running', 'queued']);
    await first.supervisor.dispose();

    const second = setup({ storePath });
    const reopened = await second.queuePromise;
    expect(states(reopened)).toEqual(['one.wav:queued', 'two.wav:queued']);
    reopened.resume();
    await reopened.whenIdle();
    expect(states(reopened)).toEqual(['one.wav:done', 'two.wav:done']);
    await second.supervisor.dispose();
  });
});
