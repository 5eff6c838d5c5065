import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../../src-main/engine/dataset/manifest';
import { buildPrefixModel } from '../../../src-main/engine/profiles/finetune-graphs';
import { computeHiddenStates } from '../../../src-main/engine/profiles/hidden-states';
import { openSession, type RuntimeSession } from '../../../src-main/engine/runtime/onnx-runtime';
import { randomParameters, TINY_CONFIG, wavBytes } from './profile-fixtures';

const SPLIT = { frozenBlocks: 1 };

describe('computeHiddenStates', () => {
  let dir: string;
  let prefix: RuntimeSession;
  let entry: ManifestEntry;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hark-hidden-'));
    // Two seconds of a chirp.
    const samples = Float32Array.from(
      { length: 32_000 },
      (_, i) => 0.3 * Math.sin(2 * Math.PI * (200 + (6000 * i) / 32_000) * (i / 16_000)),
    );
    const audioPath = join(dir, 'chirp.wav');
    writeFileSync(audioPath, wavBytes(samples, 16_000));
    entry = { audioPath, durationSec: 2, text: 'a chirp' };
    const parameters = randomParameters(TINY_CONFIG, 3);
    prefix = await openSession(buildPrefixModel(parameters, TINY_CONFIG, SPLIT), {
      device: 'cpu',
      threads: 1,
      warmUpFeeds: 'skip',
    });
  });

  afterAll(async () => {
    await prefix.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const states = (options: { speed?: number } = {}) =>
    computeHiddenStates(prefix, [entry], TINY_CONFIG, { split: SPLIT, ...options }).then(
      ([utterance]) => utterance!,
    );

  it('plays a recording faster or slower first when asked: fewer or more frames, its length scaled', async () => {
    const asRecorded = await states();
    const faster = await states({ speed: 1.25 });
    const slower = await states({ speed: 0.8 });
    expect(faster.durationSec).toBeCloseTo(1.6, 6);
    expect(slower.durationSec).toBeCloseTo(2.5, 6);
    expect(faster.frames / asRecorded.frames).toBeCloseTo(0.8, 1);
    expect(slower.frames / asRecorded.frames).toBeCloseTo(1.25, 1);
    expect(faster.text).toBe('a chirp');
    expect(Array.from(faster.labels)).toEqual(Array.from(asRecorded.labels));
  });
});
