/**
 * The engine process loads only the models it uses: none for the profile store and training (so a
 * broken base model cannot stop them), and the clip recogniser's init model serves its clips.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkLauncher } from '../../../src-main/engine-host/engine-launcher';
import { EngineSupervisor } from '../../../src-main/engine-host/engine-supervisor';
import { tone, writeRandomModel } from '../profiles/profile-fixtures';

const REPO = resolve(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'hark-engine-models-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const launch = forkLauncher({
  entryPath: join(REPO, 'src-main', 'engine-host', 'engine-process.ts'),
  execArgv: ['--import', 'tsx'],
});

let base: string;
beforeAll(async () => {
  base = await writeRandomModel(join(dir, 'base'));
});

describe('engine process models', () => {
  it('starts with no model for the profile store, and reuses the init model for clips', async () => {
    const store = new EngineSupervisor({
      launch,
      interactive: true,
      initParams: () => ({ modelDir: null, device: 'cpu', threads: 1 }),
    });
    const clips = new EngineSupervisor({
      launch,
      interactive: true,
      initParams: () => ({ modelDir: base, device: 'cpu', threads: 1 }),
    });
    try {
      store.start();
      expect(
        await store.call('profileStore', { root: join(dir, 'profiles'), op: 'list', args: [] }),
      ).toEqual([]);

      clips.start();
      // An empty clip returns once init has loaded the model.
      expect(
        await clips.call('recognize', { samples: new Float32Array(0), modelDir: base }),
      ).toEqual({ text: '', words: [] });
      // Loading the model again would now fail: only the model init loaded can answer.
      rmSync(join(base, 'model.onnx'));
      const result = await clips.call('recognize', { samples: tone(1, 0.3, 200), modelDir: base });
      expect(typeof result.text).toBe('string');
      expect(Array.isArray(result.words)).toBe(true);
    } finally {
      await store.dispose();
      await clips.dispose();
    }
  }, 60_000);
});
