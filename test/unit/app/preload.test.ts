import { describe, expect, it, vi } from 'vitest';
import { REQUEST_NAMES, type HarkBridge } from '../../../src-main/api/contract';

const exposed = vi.hoisted(() => ({
  worlds: new Map<string, unknown>(),
  invoked: [] as unknown[][],
  listeners: new Map<string, ((...args: unknown[]) => void)[]>(),
}));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, value: unknown) => exposed.worlds.set(key, value),
  },
  ipcRenderer: {
    invoke: async (...args: unknown[]) => {
      exposed.invoked.push(args);
      return { ok: true, value: 'answer' };
    },
    on: (channel: string, listener: (...args: unknown[]) => void) =>
      exposed.listeners.set(channel, [...(exposed.listeners.get(channel) ?? []), listener]),
    removeListener: (channel: string, listener: (...args: unknown[]) => void) =>
      exposed.listeners.set(
        channel,
        (exposed.listeners.get(channel) ?? []).filter((l) => l !== listener),
      ),
  },
  webUtils: {
    getPathForFile: (file: { name: string }) =>
      file.name === 'folder' ? '' : `/real/${file.name}`,
  },
}));

describe('preload', () => {
  it('exposes exactly the contract’s verbs plus subscribe and resolveFiles, never ipcRenderer', async () => {
    await import('../../../src-main/app/preload');
    const hark = exposed.worlds.get('hark') as HarkBridge;
    expect([...exposed.worlds.keys()]).toEqual(['hark']);
    expect(Object.keys(hark).sort()).toEqual(
      [...REQUEST_NAMES, 'resolveFiles', 'subscribe'].sort(),
    );

    await expect(hark.cancelJob({ jobId: 'j1' })).resolves.toEqual({ ok: true, value: 'answer' });
    await hark.listQueue();
    expect(exposed.invoked).toEqual([
      ['hark:request', 'cancelJob', { jobId: 'j1' }],
      ['hark:request', 'listQueue', {}],
    ]);

    const events: unknown[] = [];
    const stop = hark.subscribe((event) => events.push(event));
    for (const listener of exposed.listeners.get('hark:event') ?? [])
      listener({}, { type: 'queue', jobs: [] });
    stop();
    expect(exposed.listeners.get('hark:event')).toEqual([]);
    expect(events).toEqual([{ type: 'queue', jobs: [] }]);

    const files = [{ name: 'a.wav' }, { name: 'b.wav' }] as unknown as File[];
    await expect(hark.resolveFiles(files)).resolves.toEqual({
      ok: true,
      value: { paths: ['/real/a.wav', '/real/b.wav'] },
    });
    await expect(
      hark.resolveFiles([{ name: 'folder' }] as unknown as File[]),
    ).resolves.toMatchObject({ ok: false });
  });
});
