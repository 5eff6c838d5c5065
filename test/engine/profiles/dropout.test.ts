import { afterEach, describe, expect, it } from 'vitest';
import { encodeCharacters } from '../../../src-main/engine/dataset/character-tokens';
import { seededRandom } from '../../../src-main/engine/seeded-random';
import {
  buildSuffixTrainStep,
  DROPOUT_BRANCHES,
  DROPOUT_INPUT,
} from '../../../src-main/engine/profiles/finetune-graphs';
import {
  dropoutMasks,
  suffixFeeds,
  type HiddenUtterance,
} from '../../../src-main/engine/profiles/hidden-states';
import { Trainer } from '../../../src-main/engine/train/trainer';
import { randomParameters, TINY_CONFIG } from './profile-fixtures';

const split = { frozenBlocks: 1 };
const sites = (TINY_CONFIG.blocks - split.frozenBlocks) * DROPOUT_BRANCHES;

function utterance(text: string, frames: number, seed: number): HiddenUtterance {
  const random = seededRandom(seed);
  return {
    hidden: Float32Array.from({ length: frames * TINY_CONFIG.modelDim }, () => random() * 2 - 1),
    frames,
    featureFrames: frames * 4,
    labels: encodeCharacters(text),
    text,
    durationSec: (frames * 4) / 100,
  };
}

describe('dropoutMasks', () => {
  it('zeroes about the rate of the values and scales the rest by 1 / (1 − rate)', () => {
    const sizes = { sites: 4, rows: 3, frames: 50, width: 40 };
    const masks = dropoutMasks(sizes, 0.2, 3);
    const data = masks.data as Float32Array;
    const dims = masks.dims;
    expect(dims).toEqual([4, 3, 50, 40]);
    const zeros = data.filter((v) => v === 0).length;
    expect(zeros / data.length).toBeGreaterThan(0.18);
    expect(zeros / data.length).toBeLessThan(0.22);
    expect(data.every((v) => v === 0 || Math.abs(v - 1.25) < 1e-6)).toBe(true);
  });

  it('draws the same masks from the same seed, to the last value of an odd count', () => {
    const sizes = { sites: 1, rows: 1, frames: 7, width: 5 };
    const a = dropoutMasks(sizes, 0.5, 9).data as Float32Array;
    expect(a.length).toBe(35);
    expect(a.every((v) => v === 0 || v === 2)).toBe(true);
    expect(dropoutMasks({ ...sizes, frames: 8 }, 0.5, 9).data.subarray(0, 35)).toEqual(a);
    expect(dropoutMasks(sizes, 0.5, 9).data).toEqual(a);
    expect(dropoutMasks(sizes, 0.5, 10).data).not.toEqual(a);
  });

  it('refuses a rate outside [0, 1)', () => {
    const sizes = { sites: 1, rows: 1, frames: 1, width: 1 };
    expect(() => dropoutMasks(sizes, 1, 1)).toThrow(/dropout rate/);
    expect(() => dropoutMasks(sizes, -0.1, 1)).toThrow(/dropout rate/);
  });
});

describe('a train step with dropout', () => {
  const open: { dispose(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((x) => x.dispose()));
  });

  async function trainer(dropout: boolean) {
    const parameters = randomParameters(TINY_CONFIG, 21);
    const created = await Trainer.create(
      buildSuffixTrainStep(parameters, TINY_CONFIG, { ...split, anchorWeight: 0, dropout }),
      parameters,
      { threads: 1 },
    );
    open.push(created);
    return created;
  }

  const rows = [utterance('stop', 9, 1), utterance('go left', 12, 2)];
  const feeds = () => suffixFeeds(rows, TINY_CONFIG.modelDim, { withTargets: true });
  const masks = (rate: number, seed: number) =>
    dropoutMasks({ sites, rows: rows.length, frames: 12, width: TINY_CONFIG.modelDim }, rate, seed);

  it('computes what a step without dropout computes when nothing is dropped', async () => {
    const plain = await (await trainer(false)).step(feeds(), { learningRate: 0 });
    const kept = await (
      await trainer(true)
    ).step({ ...feeds(), [DROPOUT_INPUT]: masks(0, 1) }, { learningRate: 0 });
    expect(kept.loss).toBeCloseTo(plain.loss, 5);
    expect(Math.abs(kept.gradNorm - plain.gradNorm)).toBeLessThan(1e-5 * plain.gradNorm);
  });

  it('changes the loss and the gradient with the masks it is given', async () => {
    const step = await trainer(true);
    const a = await step.step({ ...feeds(), [DROPOUT_INPUT]: masks(0.3, 1) }, { learningRate: 0 });
    const b = await step.step({ ...feeds(), [DROPOUT_INPUT]: masks(0.3, 2) }, { learningRate: 0 });
    const again = await step.step(
      { ...feeds(), [DROPOUT_INPUT]: masks(0.3, 1) },
      { learningRate: 0 },
    );
    expect(Math.abs(a.loss - b.loss)).toBeGreaterThan(1e-4);
    expect(again.loss).toBeCloseTo(a.loss, 6);
    expect(again.gradNorm).toBeCloseTo(a.gradNorm, 6);
  });
});
