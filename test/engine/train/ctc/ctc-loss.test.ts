import { afterAll, describe, expect, it } from 'vitest';
import { HarkError } from '../../../../src-main/engine/errors';
import { GraphBuilder } from '../../../../src-main/engine/onnx';
import { openSession, type RuntimeSession } from '../../../../src-main/engine/runtime/onnx-runtime';
import { gradients } from '../../../../src-main/engine/train/autodiff/gradients';
import { ctcLoss } from '../../../../src-main/engine/train/ctc/ctc-loss';
import { ctcLossReference } from '../../../../src-main/engine/train/ctc/ctc-reference';
import { matmul, mul, reduceSum } from '../../../../src-main/engine/train/ops';
import { logSoftmaxRows, randomLogits, seededRandom } from '../../../unit/ctc/ctc-test-helpers';

const sessions: RuntimeSession[] = [];
afterAll(async () => {
  for (const session of sessions) await session.dispose();
});

// A linear "model" scored by CTC: logits = features · weight, total = Σ_n weight_n · loss_n.
const N = 3;
const T = 9;
const D = 4;
const V = 5;
const BLANK = 0;
const utterances = [
  { frames: 9, targets: [1, 2, 2, 3] },
  { frames: 5, targets: [4, 4, 4] }, // needs 5 frames: tight
  { frames: 3, targets: [1, 1, 2] }, // needs 4 frames: skipped
];

function buildTrainGraph(): { g: GraphBuilder; infeasibleName: string } {
  const g = new GraphBuilder({ name: 'ctc_autodiff' });
  const features = g.input('features', 'float32', [N, T, D]);
  const weight = g.input('weight', 'float32', [D, V]);
  const lossWeights = g.input('loss_weights', 'float32', [N]);
  const logits = matmul(g, features, weight);
  const { loss, infeasibleCount } = ctcLoss(
    g,
    {
      scores: logits,
      targets: g.input('targets', 'int64', [N, 4]),
      inputLengths: g.input('input_lengths', 'int64', [N]),
      targetLengths: g.input('target_lengths', 'int64', [N]),
    },
    { blankId: BLANK },
  );
  const total = reduceSum(g, mul(g, loss, lossWeights), [0], { keepdims: false });
  const grads = gradients(g, total, [weight, logits]);
  g.output(total, 'total');
  g.output(infeasibleCount, 'infeasible_count');
  g.output(grads.get('weight') as never, 'weight_grad');
  g.output(grads.get(logits.name) as never, 'logits_grad');
  return { g, infeasibleName: 'infeasible_count' };
}

describe('ctcLoss through the autodiff', () => {
  it('gives d total / d logits and d total / d weight equal to the reference', async () => {
    const { g } = buildTrainGraph();
    const session = await openSession(g.toModelBytes(), {
      device: 'cpu',
      threads: 1,
      warmUpFeeds: 'skip',
    });
    sessions.push(session);

    const random = seededRandom(12);
    const features = Float32Array.from(randomLogits(random, { rows: N * T, columns: D, scale: 1 }));
    const weight = Float32Array.from(randomLogits(random, { rows: D, columns: V, scale: 1 }));
    const lossWeights = new Float32Array([0.5, 2, 1]);
    const targets = new BigInt64Array(N * 4);
    utterances.forEach((u, n) => u.targets.forEach((k, i) => (targets[n * 4 + i] = BigInt(k))));
    const out = await session.run({
      features: { type: 'float32', data: features, dims: [N, T, D] },
      weight: { type: 'float32', data: weight, dims: [D, V] },
      loss_weights: { type: 'float32', data: lossWeights, dims: [N] },
      targets: { type: 'int64', data: targets, dims: [N, 4] },
      input_lengths: {
        type: 'int64',
        data: BigInt64Array.from(utterances, (u) => BigInt(u.frames)),
        dims: [N],
      },
      target_lengths: {
        type: 'int64',
        data: BigInt64Array.from(utterances, (u) => BigInt(u.targets.length)),
        dims: [N],
      },
    });

    // The reference, in float64, from the same float32 logits.
    const logits = new Float64Array(N * T * V);
    for (let row = 0; row < N * T; row++) {
      for (let v = 0; v < V; v++) {
        let sum = 0;
        for (let d = 0; d < D; d++) {
          sum += (features[row * D + d] ?? 0) * (weight[d * V + v] ?? 0);
        }
        logits[row * V + v] = sum;
      }
    }
    let total = 0;
    const logitsGrad = new Float64Array(N * T * V);
    utterances.forEach((u, n) => {
      const result = ctcLossReference({
        logProbs: logSoftmaxRows(logits.subarray(n * T * V, (n * T + u.frames) * V), V),
        frameCount: u.frames,
        vocabSize: V,
        targets: u.targets,
        blankId: BLANK,
      });
      if (!result.feasible) return;
      const scale = lossWeights[n] ?? 0;
      total += scale * result.loss;
      result.gradLogits.forEach((value, i) => (logitsGrad[n * T * V + i] = scale * value));
    });
    const weightGrad = new Float64Array(D * V);
    for (let row = 0; row < N * T; row++) {
      for (let d = 0; d < D; d++) {
        for (let v = 0; v < V; v++) {
          weightGrad[d * V + v] =
            (weightGrad[d * V + v] ?? 0) +
            (features[row * D + d] ?? 0) * (logitsGrad[row * V + v] ?? 0);
        }
      }
    }

    expect(Number((out.infeasible_count?.data as BigInt64Array)[0])).toBe(1);
    expect((out.total?.data as Float32Array)[0]).toBeCloseTo(total, 3);
    const gotLogits = out.logits_grad?.data as Float32Array;
    logitsGrad.forEach((want, i) =>
      expect(Math.abs((gotLogits[i] ?? NaN) - want)).toBeLessThan(1e-5),
    );
    const gotWeight = out.weight_grad?.data as Float32Array;
    weightGrad.forEach((want, i) =>
      expect(Math.abs((gotWeight[i] ?? NaN) - want)).toBeLessThan(1e-4),
    );
  });

  it('refuses to differentiate a loss built without its gradient', () => {
    const g = new GraphBuilder();
    const scores = g.input('scores', 'float32', [2, 5, 3]);
    const { loss } = ctcLoss(
      g,
      {
        scores,
        targets: g.input('targets', 'int64', [2, 1]),
        inputLengths: g.input('input_lengths', 'int64', [2]),
        targetLengths: g.input('target_lengths', 'int64', [2]),
      },
      { blankId: 2, withGradient: false },
    );
    expect(() => gradients(g, reduceSum(g, loss, [0], { keepdims: false }), [scores])).toThrow(
      HarkError,
    );
  });
});
