import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../../src-main/engine/onnx';
import {
  openSession,
  type RuntimeSession,
  type TensorValue,
} from '../../../../src-main/engine/runtime/onnx-runtime';
import {
  emitCtcLoss,
  type CtcLossGraphOptions,
} from '../../../../src-main/engine/train/ctc/ctc-graph';
import { ctcLossReference } from '../../../../src-main/engine/train/ctc/ctc-reference';
import {
  logSoftmaxRows,
  randomLogits,
  randomTargets,
  seededRandom,
} from '../../../unit/ctc/ctc-test-helpers';

interface Utterance {
  frames: number;
  targets: number[];
}

interface Batch {
  frames: number;
  maxLabels: number;
  vocabSize: number;
  utterances: Utterance[];
  /** (N, T, V) row-major; padded frames hold whatever the test puts there. */
  scores: Float32Array;
  /** Value written into padded target positions (the graph must ignore it). */
  targetPadding: number;
}

const sessions: RuntimeSession[] = [];
afterAll(async () => {
  for (const session of sessions) await session.dispose();
});

async function ctcSession(options: CtcLossGraphOptions & { vocabSize: number }) {
  const g = new GraphBuilder({ name: 'ctc_test' });
  const out = emitCtcLoss(
    g,
    {
      scores: g.input('scores', 'float32', ['N', 'T', options.vocabSize]),
      targets: g.input('targets', 'int64', ['N', 'L']),
      inputLengths: g.input('input_lengths', 'int64', ['N']),
      targetLengths: g.input('target_lengths', 'int64', ['N']),
    },
    options,
  );
  g.output(out.loss, 'loss');
  g.output(out.feasible, 'feasible');
  g.output(out.infeasibleCount, 'infeasible_count');
  if (out.gradient) g.output(out.gradient, 'gradient');
  const session = await openSession(g.toModelBytes(), {
    device: 'cpu',
    threads: 1,
    warmUpFeeds: 'skip',
  });
  sessions.push(session);
  return session;
}

function makeBatch(
  seed: number,
  shape: { frames: number; maxLabels: number; vocabSize: number },
  utterances: Utterance[],
  padding: { frameValue?: number; targetValue?: number } = {},
): Batch {
  const random = seededRandom(seed);
  const scores = Float32Array.from(
    randomLogits(random, {
      rows: utterances.length * shape.frames,
      columns: shape.vocabSize,
      scale: 3,
    }),
  );
  if (padding.frameValue !== undefined) {
    utterances.forEach((utterance, n) => {
      const start = (n * shape.frames + utterance.frames) * shape.vocabSize;
      scores.fill(padding.frameValue ?? 0, start, (n + 1) * shape.frames * shape.vocabSize);
    });
  }
  return { ...shape, utterances, scores, targetPadding: padding.targetValue ?? 0 };
}

async function runBatch(session: RuntimeSession, batch: Batch) {
  const n = batch.utterances.length;
  const targets = new BigInt64Array(n * batch.maxLabels).fill(BigInt(batch.targetPadding));
  batch.utterances.forEach((utterance, i) =>
    utterance.targets.forEach((label, j) => (targets[i * batch.maxLabels + j] = BigInt(label))),
  );
  const feeds: Record<string, TensorValue> = {
    scores: {
      type: 'float32',
      data: batch.scores,
      dims: [n, batch.frames, batch.vocabSize],
    },
    targets: { type: 'int64', data: targets, dims: [n, batch.maxLabels] },
    input_lengths: {
      type: 'int64',
      data: BigInt64Array.from(batch.utterances, (u) => BigInt(u.frames)),
      dims: [n],
    },
    target_lengths: {
      type: 'int64',
      data: BigInt64Array.from(batch.utterances, (u) => BigInt(u.targets.length)),
      dims: [n],
    },
  };
  const out = await session.run(feeds);
  return {
    loss: out.loss?.data as Float32Array,
    feasible: Array.from(out.feasible?.data as Uint8Array, Boolean),
    infeasibleCount: Number((out.infeasible_count?.data as BigInt64Array)[0]),
    infeasibleCountDims: out.infeasible_count?.dims,
    gradient: out.gradient?.data as Float32Array | undefined,
  };
}

/** The float64 reference for utterance n, on its own frames only. */
function reference(batch: Batch, n: number, blankId: number, scoresAre: 'logits' | 'logProbs') {
  const utterance = batch.utterances[n] as Utterance;
  const offset = n * batch.frames * batch.vocabSize;
  const rows = batch.scores.subarray(offset, offset + utterance.frames * batch.vocabSize);
  return ctcLossReference({
    logProbs: scoresAre === 'logits' ? logSoftmaxRows(rows, batch.vocabSize) : rows,
    frameCount: utterance.frames,
    vocabSize: batch.vocabSize,
    targets: utterance.targets,
    blankId,
  });
}

/** Asserts loss, mask, count and gradient of every utterance against the reference. */
function expectMatchesReference(
  batch: Batch,
  result: Awaited<ReturnType<typeof runBatch>>,
  options: { blankId: number; scoresAre: 'logits' | 'logProbs' },
): void {
  const { frames, vocabSize } = batch;
  let infeasible = 0;
  batch.utterances.forEach((utterance, n) => {
    const expected = reference(batch, n, options.blankId, options.scoresAre);
    expect(result.feasible[n], `feasible[${n}]`).toBe(expected.feasible);
    const gradient = result.gradient?.subarray(
      n * frames * vocabSize,
      (n + 1) * frames * vocabSize,
    );
    expect(gradient).toBeDefined();
    if (!expected.feasible || gradient === undefined) {
      infeasible++;
      expect(result.loss[n]).toBe(0);
      expect(gradient?.every((v) => v === 0)).toBe(true);
      return;
    }
    const loss = result.loss[n] ?? NaN;
    expect(Math.abs(loss - expected.loss), `loss[${n}]`).toBeLessThanOrEqual(
      1e-4 * Math.max(1, expected.loss),
    );
    const expectedGradient =
      options.scoresAre === 'logits' ? expected.gradLogits : expected.gradLogProbs;
    for (let i = 0; i < frames * vocabSize; i++) {
      const want = i < utterance.frames * vocabSize ? (expectedGradient[i] ?? NaN) : 0;
      const got = gradient[i] ?? NaN;
      if (!(Math.abs(got - want) <= 1e-4 * Math.max(1, Math.abs(want)))) {
        throw new Error(`utterance ${n} gradient[${i}] = ${got}, reference ${want}`);
      }
    }
  });
  expect(result.infeasibleCount).toBe(infeasible);
}

const mixedUtterances = (random: () => number, vocabSize: number, blankId: number): Utterance[] => [
  { frames: 20, targets: randomTargets(random, { length: 6, vocabSize, blankId }) },
  { frames: 13, targets: [1, 1, 2, 2, 2] }, // repeats: needs 8 frames
  { frames: 9, targets: [] }, // empty target: only the all-blank path
  { frames: 7, targets: [3, 3, 1, 4, 4] }, // tight: exactly 5 labels + 2 repeats
  { frames: 6, targets: [2, 2, 2, 2] }, // infeasible: needs 7 frames
  { frames: 1, targets: [4] }, // one frame, one label
  { frames: 20, targets: randomTargets(random, { length: 8, vocabSize, blankId }) },
  { frames: 16, targets: [3, 2, 3, 2, 2, 3] },
];

describe('ONNX CTC loss against the float64 reference', () => {
  for (const blankId of [5, 0]) {
    it(`matches loss, mask, count and gradient over logits (blank ${blankId})`, async () => {
      const vocabSize = 6;
      const session = await ctcSession({ blankId, vocabSize });
      // Hand-written labels are 1..4: clear of both blank ids.
      const utterances = mixedUtterances(seededRandom(3), vocabSize, blankId);
      const batch = makeBatch(11 + blankId, { frames: 20, maxLabels: 8, vocabSize }, utterances, {
        targetValue: -1,
      });
      const result = await runBatch(session, batch);
      expect(result.infeasibleCountDims).toEqual([]);
      expect(result.feasible.filter((f) => !f).length).toBe(1);
      expectMatchesReference(batch, result, { blankId, scoresAre: 'logits' });
    });
  }

  it('matches -occupancy when scoring log-probabilities', async () => {
    const vocabSize = 6;
    const session = await ctcSession({ blankId: 5, vocabSize, scoresAre: 'logProbs' });
    const batch = makeBatch(
      21,
      { frames: 20, maxLabels: 8, vocabSize },
      mixedUtterances(seededRandom(4), vocabSize, 5),
    );
    for (let row = 0; row < batch.scores.length; row += vocabSize) {
      batch.scores.set(logSoftmaxRows(batch.scores.subarray(row, row + vocabSize), vocabSize), row);
    }
    expectMatchesReference(batch, await runBatch(session, batch), {
      blankId: 5,
      scoresAre: 'logProbs',
    });
  });

  it('matches on random batches of random lengths', async () => {
    const vocabSize = 5;
    const blankId = 4;
    const session = await ctcSession({ blankId, vocabSize });
    const random = seededRandom(77);
    for (let trial = 0; trial < 4; trial++) {
      const frames = 5 + Math.floor(random() * 30);
      const maxLabels = Math.floor(random() * 12);
      const utterances = Array.from({ length: 1 + Math.floor(random() * 6) }, () => ({
        frames: 1 + Math.floor(random() * frames),
        targets: randomTargets(random, {
          length: Math.floor(random() * (maxLabels + 1)),
          vocabSize,
          blankId,
        }),
      }));
      const batch = makeBatch(100 + trial, { frames, maxLabels, vocabSize }, utterances, {
        targetValue: 1000,
      });
      expectMatchesReference(batch, await runBatch(session, batch), {
        blankId,
        scoresAre: 'logits',
      });
    }
  });

  it('handles a batch of empty targets (L = 0) and an utterance without frames', async () => {
    const session = await ctcSession({ blankId: 2, vocabSize: 3 });
    const batch = makeBatch(5, { frames: 6, maxLabels: 0, vocabSize: 3 }, [
      { frames: 6, targets: [] },
      { frames: 0, targets: [] },
      { frames: 3, targets: [] },
    ]);
    const result = await runBatch(session, batch);
    expect(result.feasible).toEqual([true, false, true]);
    expectMatchesReference(batch, result, { blankId: 2, scoresAre: 'logits' });
  });
});

describe('ONNX CTC loss never lets a NaN through', () => {
  it('skips an utterance whose own frames are not finite, and ignores padding', async () => {
    const vocabSize = 4;
    const session = await ctcSession({ blankId: 0, vocabSize });
    const batch = makeBatch(
      9,
      { frames: 10, maxLabels: 3, vocabSize },
      [
        { frames: 7, targets: [1, 2, 3] },
        { frames: 10, targets: [2, 2] },
        { frames: 5, targets: [3] },
      ],
      { frameValue: Number.NaN }, // every padded frame is NaN
    );
    batch.scores[1 * 10 * vocabSize + 4 * vocabSize + 2] = Number.NaN; // inside utterance 1
    const result = await runBatch(session, batch);
    expect(result.feasible).toEqual([true, false, true]);
    expect(result.infeasibleCount).toBe(1);
    expect(Array.from(result.loss).every(Number.isFinite)).toBe(true);
    expect(result.gradient?.every(Number.isFinite)).toBe(true);
    // Utterances 0 and 2 still match the reference on their own frames.
    for (const n of [0, 2]) {
      const expected = reference(batch, n, 0, 'logits');
      if (!expected.feasible) throw new Error('reference infeasible');
      expect(result.loss[n]).toBeCloseTo(expected.loss, 3);
    }
    const skipped = result.gradient?.subarray(10 * vocabSize, 20 * vocabSize);
    expect(skipped?.every((v) => v === 0)).toBe(true);
  });
});

describe('ONNX CTC loss without the gradient', () => {
  it('gives the same loss from the forward recursion alone', async () => {
    const vocabSize = 6;
    const withGradient = await ctcSession({ blankId: 5, vocabSize });
    const lossOnly = await ctcSession({ blankId: 5, vocabSize, withGradient: false });
    const batch = makeBatch(
      31,
      { frames: 20, maxLabels: 8, vocabSize },
      mixedUtterances(seededRandom(8), vocabSize, 5),
    );
    const full = await runBatch(withGradient, batch);
    const forward = await runBatch(lossOnly, batch);
    expect(forward.gradient).toBeUndefined();
    expect(forward.feasible).toEqual(full.feasible);
    expect(Array.from(forward.loss)).toEqual(Array.from(full.loss));
  });
});
