import { afterEach, describe, expect, it } from 'vitest';
import { encodeCharacters } from '../../../src-main/engine/dataset/character-tokens';
import {
  buildSuffixTrainStep,
  DISTILL_INPUTS,
} from '../../../src-main/engine/profiles/finetune-graphs';
import {
  distillationFeeds,
  suffixFeeds,
  type HiddenUtterance,
} from '../../../src-main/engine/profiles/hidden-states';
import { rehearsalIndices } from '../../../src-main/engine/profiles/rehearsal-set';
import { SUFFIX_INPUTS } from '../../../src-main/engine/profiles/split-model';
import { SuffixScorer } from '../../../src-main/engine/profiles/suffix-scorer';
import { Trainer } from '../../../src-main/engine/train/trainer';
import { randomParameters, TINY_CONFIG } from './profile-fixtures';

const split = { frozenBlocks: 1 };
const sizes = {
  width: TINY_CONFIG.modelDim,
  vocabSize: TINY_CONFIG.vocabSize,
  trainSubsampling: false,
};

/** Hidden states as the prefix would give them (random), for `frames` output frames. */
function utterance(
  text: string,
  frames: number,
  featureFrames: number,
  seed: number,
  width = TINY_CONFIG.modelDim,
) {
  let state = seed;
  const hidden = Float32Array.from({ length: frames * width }, () => {
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
    const user = utterance('stop', 5, 20, 3);
    const scorer = await SuffixScorer.open(parameters, TINY_CONFIG, split, { threads: 1 });
    open.push(scorer);
    const own = await scorer.posteriors(rehearsal, (n) => parameters.get(n), parameters);
    const trainer = async (distill: boolean) => {
      const created = await Trainer.create(
        buildSuffixTrainStep(parameters, TINY_CONFIG, { ...split, anchorWeight: 0, distill }),
        parameters,
        { threads: 1 },
      );
      open.push(created);
      return created;
    };
    return { rehearsal, user, own, trainer };
  }

  it('adds nothing to the gradient where the profile matches the base model', async () => {
    const { rehearsal, user, own, trainer } = await setUp();
    expect(own.map((p) => p.length / TINY_CONFIG.vocabSize)).toEqual([11, 9]);
    const extra = rehearsal.map((u, i) => ({ utterance: u, posteriors: own[i]! }));
    const distilled = await (
      await trainer(true)
    ).step(distillationFeeds([user], extra, sizes, 1), { learningRate: 0 });
    const plain = await (
      await trainer(false)
    ).step(suffixFeeds([user], TINY_CONFIG.modelDim, { withTargets: true }), { learningRate: 0 });
    // At q = p the cross-entropy is the teacher's entropy, per frame, and its gradient vanishes:
    // the step's gradient is the CTC loss's alone.
    expect(distilled.metrics.distill).toBeCloseTo(crossEntropy(own, own) / frameCount(own), 4);
    expect(distilled.metrics.ctc).toBeCloseTo(plain.metrics.ctc!, 5);
    expect(Math.abs(distilled.gradNorm - plain.gradNorm)).toBeLessThan(1e-5 * plain.gradNorm);
  });

  it('pulls the profile towards posteriors that differ from its own', async () => {
    const { rehearsal, user, own, trainer } = await setUp();
    const uniform = own.map((p) => p.map(() => 1 / TINY_CONFIG.vocabSize));
    const feeds = distillationFeeds(
      [user],
      rehearsal.map((u, i) => ({ utterance: u, posteriors: uniform[i]! })),
      sizes,
      20,
    );
    const step = await trainer(true);
    const first = await step.step(feeds, { learningRate: 3e-3 });
    expect(first.metrics.distill).toBeCloseTo(
      (20 * crossEntropy(uniform, own)) / frameCount(own),
      3,
    );
    let last = first;
    for (let i = 0; i < 15; i++) last = await step.step(feeds, { learningRate: 3e-3 });
    expect(last.metrics.distill).toBeLessThan(first.metrics.distill! * 0.95);
  });

  it('refuses a batch without user rows or rehearsal rows', () => {
    const rows = [utterance('up', 4, 16, 1)];
    const posteriors = new Float32Array(4 * TINY_CONFIG.vocabSize);
    expect(() => distillationFeeds([], [{ utterance: rows[0]!, posteriors }], sizes, 1)).toThrow(
      /needs user rows/,
    );
    expect(() => distillationFeeds(rows, [], sizes, 1)).toThrow(/needs user rows/);
  });

  it('pads the user rows and the rehearsal rows each on their own, CTC on the user rows only', async () => {
    const { rehearsal, user, own, trainer } = await setUp();
    const extra = rehearsal.map((u, i) => ({ utterance: u, posteriors: own[i]! }));
    const feeds = distillationFeeds([user], extra, sizes, 1);
    expect(feeds[SUFFIX_INPUTS.hidden]!.dims).toEqual([1, 5, TINY_CONFIG.modelDim]);
    expect(feeds[DISTILL_INPUTS.hidden]!.dims).toEqual([2, 12, TINY_CONFIG.modelDim]);
    expect(feeds[DISTILL_INPUTS.teacherProbs]!.dims).toEqual([2, 12, TINY_CONFIG.vocabSize]);
    const report = await (await trainer(true)).step(feeds, { learningRate: 0 });
    expect(report.metrics.characters).toBe(user.labels.length);
    expect(report.metrics.ctc).toBeGreaterThan(0);
    expect(report.metrics.distill).toBeCloseTo(crossEntropy(own, own) / frameCount(own), 4);
  });

  it('with cached features (the subsampling trains), lines the posteriors up with the subsampled frames', async () => {
    const parameters = randomParameters(TINY_CONFIG, 21);
    const featureSplit = { frozenBlocks: 0, trainSubsampling: true };
    const width = TINY_CONFIG.numMelBins;
    const features = (text: string, frames: number, seed: number) =>
      utterance(text, frames, frames, seed, width);
    const rehearsal = [features('up', 47, 1), features('left', 36, 2)];
    const scorer = await SuffixScorer.open(parameters, TINY_CONFIG, featureSplit, { threads: 1 });
    open.push(scorer);
    const own = await scorer.posteriors(rehearsal, (n) => parameters.get(n), parameters);
    expect(own.map((p) => p.length / TINY_CONFIG.vocabSize)).toEqual([11, 9]);
    const feeds = distillationFeeds(
      [features('stop', 20, 3)],
      rehearsal.map((u, i) => ({ utterance: u, posteriors: own[i]! })),
      { width, vocabSize: TINY_CONFIG.vocabSize, trainSubsampling: true },
      1,
    );
    expect(feeds[DISTILL_INPUTS.hidden]!.dims).toEqual([2, 47, width]);
    expect(feeds[DISTILL_INPUTS.teacherProbs]!.dims).toEqual([2, 12, TINY_CONFIG.vocabSize]);
    const trainer = await Trainer.create(
      buildSuffixTrainStep(parameters, TINY_CONFIG, {
        ...featureSplit,
        anchorWeight: 0,
        distill: true,
      }),
      parameters,
      { threads: 1 },
    );
    open.push(trainer);
    const report = await trainer.step(feeds, { learningRate: 0 });
    // At the teacher, the term is the teacher's own entropy per frame.
    expect(report.metrics.distill).toBeCloseTo(crossEntropy(own, own) / frameCount(own), 4);
  });
});

describe('the pull towards the base weights (L2-SP)', () => {
  it('adds ½·w·Σ(θ − θ_base)² to the loss once the weights have moved', async () => {
    const base = randomParameters(TINY_CONFIG, 21);
    const moved = randomParameters(TINY_CONFIG, 22);
    const user = utterance('stop', 5, 20, 3);
    const feeds = suffixFeeds([user], TINY_CONFIG.modelDim, { withTargets: true });
    const losses: number[] = [];
    for (const anchorWeight of [0, 0.5]) {
      // The anchors are the weights the step is built from; the trainer starts elsewhere.
      const step = buildSuffixTrainStep(base, TINY_CONFIG, { ...split, anchorWeight });
      const trainer = await Trainer.create(step, moved, { threads: 1 });
      try {
        losses.push((await trainer.step(feeds, { learningRate: 0 })).loss);
      } finally {
        await trainer.dispose();
      }
    }
    let squares = 0;
    for (const name of base.names) {
      if (name.startsWith('subsampling.') || name.startsWith('blocks.0.')) continue;
      const a = base.get(name);
      const b = moved.get(name);
      for (let i = 0; i < a.length; i++) squares += (a[i]! - b[i]!) ** 2;
    }
    expect(squares).toBeGreaterThan(1);
    expect(losses[1]! - losses[0]!).toBeCloseTo(0.25 * squares, 1);
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
