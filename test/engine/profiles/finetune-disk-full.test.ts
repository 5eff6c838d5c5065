/**
 * A full disk while a profile trains: the error names the file, the kept model and the
 * recordings stay as they were, and the next run resumes from the last checkpoint that was
 * written whole. The disk "fills" by making every atomic write of the training engine fail with
 * ENOSPC, as Node reports it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { isHarkError } from '../../../src-main/engine/errors';
import { ProfileStore, type FineTuneEvent } from '../../../src-main/engine/profiles';
import { fileSha256 } from '../../../src-main/engine/profiles/base-model';
import { speak, writeRandomModel } from './profile-fixtures';

const disk = vi.hoisted(() => ({ full: false }));

vi.mock(import('../../../src-main/engine/train/checkpoint'), async (importOriginal) => {
  const actual = await importOriginal();
  const refuse = () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  return {
    ...actual,
    writeFileAtomic: async (...args: Parameters<typeof actual.writeFileAtomic>) => {
      if (disk.full) refuse();
      return actual.writeFileAtomic(...args);
    },
    saveCheckpoint: async (...args: Parameters<typeof actual.saveCheckpoint>) => {
      if (disk.full) refuse();
      return actual.saveCheckpoint(...args);
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'hark-finetune-disk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Optimizer steps of the run that made the model in `modelDir` (its card). */
function trainingSteps(modelDir: string): number {
  const card = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as {
    training: { steps: number };
  };
  return card.training.steps;
}

async function failure(run: Promise<unknown>): Promise<unknown> {
  return run.then(
    () => new Error('the run should have failed'),
    (error: unknown) => error,
  );
}

describe('fine-tuning on a full disk', () => {
  it('fails naming the file, leaves the profile as it was and resumes once there is room', async () => {
    const store = await ProfileStore.open({ root: join(dir, 'profiles') });
    await store.create('Dee', { baseModelDir: await writeRandomModel(join(dir, 'base')) });
    for (const text of ['yes', 'no', 'stop', 'go', 'left', 'right']) {
      for (const speed of [120, 170]) {
        const samples = speak(text, { voice: 'en-us', speed }, dir);
        await store.addRecording('Dee', { samples, text });
      }
    }
    await store.fineTune('Dee', { threads: 1, recipe: { maxEpochs: 1 } });
    const kept = await store.keepResult('Dee');
    const keptHash = await fileSha256(join(kept.modelDir!, 'model.onnx'));
    const keptSteps = trainingSteps(kept.modelDir!);
    const unchanged = async () => {
      const profile = await store.get('Dee');
      expect(profile.modelDir).toBe(kept.modelDir);
      expect(profile.recordings).toBe(12);
      expect(await fileSha256(join(profile.modelDir!, 'model.onnx'))).toBe(keptHash);
    };

    // 1. The disk fills between two steps: the checkpoint cannot be saved.
    const recipe = { maxEpochs: 3, patience: 100, batchSec: 4 };
    let fullAfterStep = 0;
    const duringSteps = await failure(
      store.fineTune('Dee', {
        threads: 1,
        recipe,
        checkpointEverySec: 0,
        onProgress: (e) => {
          if (e.type === 'step' && e.step === 3) {
            fullAfterStep = e.step;
            disk.full = true;
          }
        },
      }),
    );
    disk.full = false;
    expect(fullAfterStep).toBe(3);
    expect(isHarkError(duringSteps) && duringSteps.code).toBe('DISK_FULL');
    expect((duringSteps as Error).message).toMatch(
      /training[/\\]checkpoint\.bin: the disk is full/,
    );
    await unchanged();

    // 2. Room again: the run resumes after the last step whose checkpoint was written, and the
    // disk fills once more just before the new model is written.
    const events: FineTuneEvent[] = [];
    const atTheEnd = await failure(
      store.fineTune('Dee', {
        threads: 1,
        checkpointEverySec: 0,
        onProgress: (e) => {
          events.push(e);
          if (e.type === 'validation' && e.epoch === recipe.maxEpochs) disk.full = true;
        },
      }),
    );
    disk.full = false;
    expect(events.find((e) => e.type === 'resumed')).toMatchObject({ step: fullAfterStep - 1 });
    expect(events.find((e) => e.type === 'step')).toMatchObject({ step: fullAfterStep });
    expect(isHarkError(atTheEnd) && atTheEnd.code).toBe('DISK_FULL');
    expect((atTheEnd as Error).message).toMatch(/training[/\\]candidate: the disk is full/);
    await unchanged();

    // 3. Room again: the finished run writes its model, which waits to be kept.
    const resumed: FineTuneEvent[] = [];
    const result = await store.fineTune('Dee', {
      threads: 1,
      onProgress: (e) => resumed.push(e),
    });
    expect(resumed.some((e) => e.type === 'step')).toBe(false);
    expect(result.epochs).toBe(recipe.maxEpochs);
    await unchanged();
    const newer = await store.keepResult('Dee');
    // The kept model is now the resumed run's. Its weights may equal the first run's when neither
    // beat the (random) base model on the held-back recordings, so the card tells them apart.
    expect(trainingSteps(newer.modelDir!)).toBeGreaterThan(keptSteps);
  });
});
