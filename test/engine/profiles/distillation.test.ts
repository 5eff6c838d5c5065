import { afterEach, describe, expect, it } from 'vitest';
import { encodeCharacters } from '../../../src-main/engine/dataset/character-tokens';
import { buildSuffixTrainStep } from '../../../src-main/engine/profiles/finetune-graphs';
import {
  distillationFeeds,
  type HiddenUtterance,
} from '../../../src-main/engine/profiles/hidden-states';
import { rehearsalIndices } from '../../../src-main/engine/profiles/rehearsal-set';
import { SuffixScorer } from '../../../src-main/engine/profiles/suffix-scorer';
import { Trainer } from '../../../src-main/engine/train/trainer';
import { randomParameters, TINY_CONFIG } from './profile-fixtures';

const split = { frozenBlocks: 1 };
const sizes = { modelDim: TINY_CONFIG.modelDim, vocabSize: TINY_CONFIG.vocabSize };

/** Hidden states as the prefix would give them (random), for `frames` output frames. */
function utterance(text: string, frames: number, featureFrames: number, seed: number) {
  let state = seed;
  const hidden = Float32Array.from({ length: frames * TINY_CONFIG.modelDim }, () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return (state / 2 ** 32) * 2 - 1;
  });
  return {
    hidden,
    frames,
    featureFrames,
    labels: encodeCharacters(text),
    text,
    durationSec: featureFrames / 100,
  } satisfies HiddenUtterance;
}

/** Σ over frames of −Σ_v p·log q, over the frames of `teacher`. */
function crossEntropy(teacher: Float32Array[], student: Float32Array[]): number {
  let total = 0;
  teacher.forEach((p, u) => {
    for (let i = 0; i < p.length; i++) total -= p[i]! * Math.log(student[u]![i]!);
  });
  return total;
}

const frameCount = (rows: Float32Array[]) =>
  rows.reduce((n, r) => n + r.length / TINY_CONFIG.vocabSize, 0);

describe('distillation towards the base model on its rehearsal set', () => {
  const open: { dispose(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((x) => x.dispose()));
  });

  async function setUp() {
    const parameters = randomParameters(TINY_CONFIG, 21);
    // 47 feature frames give 12 hidden frames but 11 output frames (⌊47/4⌋): the last is padding.
    const rehearsal = [utterance('up', 12, 47, 1), utterance('left', 9, 36, 2)];
    const scorer = await SuffixScorer.open(parameters, TINY_CONFIG, split, { threads: 1 });
    open.push(scorer);
    const own = await scorer.posteriors(rehearsal, (n) => parameters.get(n), parameters);
    const trainer = await Trainer.create(
      buildSuffixTrainStep(parameters, TINY_CONFIG, { ...split, anchorWeight: 0, distill: true }),
      parameters,
      { threads: 1 },
    );
    open.push(trainer);
    return { parameters, rehearsal, own, trainer };
  }

  it('has a zero gradient where the profile already matches the base model', async () => {
    const { rehearsal, own, trainer } = await setUp();
    expect(own.map((p) => p.length / TINY_CONFIG.vocabSize)).toEqual([11, 9]);
    const feeds = distillationFeeds(
      [],
      rehearsal.map((u, i) => ({ utterance: u, posteriors: own[i]! })),
      sizes,
      { distillWeight: 1, rehearsalCtcWeight: 0 },
    );
    const report = await trainer.step(feeds, { learningRate: 0 });
    // At q = p the cross-entropy is the teacher's entropy, per frame, and its gradient vanishes.
    expect(report.metrics.distill).toBeCloseTo(crossEntropy(own, own) / frameCount(own), 4);
    expect(report.metrics.ctc).toBe(0);
    expect(report.gradNorm).toBeLessThan(1e-5);
  });

  it('pulls the profile towards posteriors that differ from its own', async () => {
    const { rehearsal, own, trainer } = await setUp();
    const uniform = own.map((p) => p.map(() => 1 / TINY_CONFIG.vocabSize));
    const feeds = distillationFeeds(
      [],
      rehearsal.map((u, i) => ({ utterance: u, posteriors: uniform[i]! })),
      sizes,
      { distillWeight: 2, rehearsalCtcWeight: 0 },
    );
    const first = await trainer.step(feeds, { learningRate: 3e-3 });
    expect(first.metrics.distill).toBeCloseTo(
      (2 * crossEntropy(uniform, own)) / frameCount(own),
      4,
    );
    expect(first.gradNorm).toBeGreaterThan(1e-3);
    let last = first;
    for (let i = 0; i < 15; i++) last = await trainer.step(feeds, { learningRate: 3e-3 });
    expect(last.metrics.distill).toBeLessThan(first.metrics.distill! - 0.01);
  });

  it('counts CTC characters of the user rows only, unless rehearsal CTC has a weight', async () => {
    const { rehearsal, own, trainer } = await setUp();
    const user = utterance('stop', 14, 56, 3);
    const extra = rehearsal.map((u, i) => ({ utterance: u, posteriors: own[i]! }));
    const alone = await trainer.step(
      distillationFeeds([user], extra, sizes, { distillWeight: 1, rehearsalCtcWeight: 0 }),
      { learningRate: 0 },
    );
    expect(alone.metrics.characters).toBe(user.labels.length);
    const both = await trainer.step(
      distillationFeeds([user], extra, sizes, { distillWeight: 1, rehearsalCtcWeight: 1 }),
      { learningRate: 0 },
    );
    expect(both.metrics.characters).toBe(
      user.labels.length + rehearsal.reduce((n, u) => n + u.labels.length, 0),
    );
  });
});

describe('rehearsalIndices', () => {
  it('walks the set in order, wraps around and never repeats within a batch', () => {
    expect(rehearsalIndices(1, 3, 5)).toEqual([0, 1, 2]);
    expect(rehearsalIndices(2, 3, 5)).toEqual([3, 4, 0]);
    expect(rehearsalIndices(3, 3, 5)).toEqual([1, 2, 3]);
    expect(rehearsalIndices(1, 8, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(rehearsalIndices(4, 2, 0)).toEqual([]);
  });
});
