import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import {
  GraphBuilder,
  decodeModel,
  encodeModel,
  floatInitializers,
} from '../../../src-main/engine/onnx';
import { replaceParameters } from '../../../src-main/engine/train/export-model';
import type { TensorHandle } from '../../../src-main/engine/onnx';
import type { TensorValue } from '../../../src-main/engine/runtime/onnx-runtime';
import { loadCheckpoint } from '../../../src-main/engine/train/checkpoint';
import { add, linear, mul, reduceMean, silu, sub } from '../../../src-main/engine/train/ops';
import { ParameterSet, glorotLimit, seededRandom } from '../../../src-main/engine/train/parameters';
import type { ParameterBinder } from '../../../src-main/engine/train/parameters';
import { buildTrainStep } from '../../../src-main/engine/train/train-step';
import { Trainer } from '../../../src-main/engine/train/trainer';

const folders: string[] = [];
afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));
function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'hark-train-'));
  folders.push(folder);
  return folder;
}

function float32(data: ArrayLike<number>, dims: number[]): TensorValue {
  return { type: 'float32', data: Float32Array.from(data), dims };
}

/** Mean squared error of a model against a target, both (batch, outputs). */
function mse(g: GraphBuilder, prediction: TensorHandle, target: TensorHandle): TensorHandle {
  const error = sub(g, prediction, target);
  return reduceMean(g, mul(g, error, error), undefined, { keepdims: false });
}

// ---------------------------------------------------------------------------------------------
// AdamW against a plain JS reference on a linear regression (gradients derived by hand).

interface Adam {
  m: Float64Array;
  v: Float64Array;
}

function referenceAdamW(
  params: Float64Array[],
  grads: Float64Array[],
  state: Adam[],
  decay: boolean[],
  o: {
    lr: number;
    step: number;
    beta1: number;
    beta2: number;
    eps: number;
    wd: number;
    maxNorm: number;
  },
): void {
  const norm = Math.sqrt(grads.reduce((s, g) => s + g.reduce((t, x) => t + x * x, 0), 0));
  const coef = Math.min(1, o.maxNorm / (norm + 1e-6));
  const bc1 = 1 - o.beta1 ** o.step;
  const bc2 = 1 - o.beta2 ** o.step;
  params.forEach((p, k) => {
    const { m, v } = state[k] as Adam;
    const g = grads[k] as Float64Array;
    for (let i = 0; i < p.length; i++) {
      const gi = (g[i] as number) * coef;
      m[i] = o.beta1 * (m[i] as number) + (1 - o.beta1) * gi;
      v[i] = o.beta2 * (v[i] as number) + (1 - o.beta2) * gi * gi;
      if (decay[k]) p[i] = (p[i] as number) * (1 - o.lr * o.wd);
      p[i] =
        (p[i] as number) -
        ((o.lr / bc1) * (m[i] as number)) / (Math.sqrt((v[i] as number) / bc2) + o.eps);
    }
  });
}

describe('train step: AdamW + clipping inside the graph', () => {
  it('matches a JS reference AdamW on hand-derived gradients, step after step', async () => {
    const batch = 5;
    const random = seededRandom(3);
    const xs = Array.from({ length: batch * 3 }, () => random() * 2 - 1);
    const ys = Array.from({ length: batch * 2 }, () => random() * 2 - 1);
    const parameters = new ParameterSet({ seed: 11 });
    const options = { beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.1, maxGradNorm: 0.3 };
    const model = buildTrainStep(
      (g, p) => {
        const x = g.input('x', 'float32', ['batch', 3]);
        const y = g.input('y', 'float32', ['batch', 2]);
        const w = p.param('w', [3, 2], { init: { uniform: 0.8 } });
        const b = p.param('b', [2], { init: { uniform: 0.3 } });
        return { loss: mse(g, linear(g, x, w, b), y) };
      },
      parameters,
      { optimizer: options },
    );
    expect(model.parameters.map((p) => p.name)).toEqual(['w', 'b']);
    expect(model.batchInputs.map((i) => i.name)).toEqual(['x', 'y']);

    const w = Float64Array.from(parameters.get('w'));
    const b = Float64Array.from(parameters.get('b'));
    const state = [w, b].map((p) => ({
      m: new Float64Array(p.length),
      v: new Float64Array(p.length),
    }));
    const trainer = await Trainer.create(model, parameters, { threads: 1 });
    try {
      const rates = [0.05, 0.05, 0.02, 0.1, 0.03, 0.05];
      let clipped = 0;
      for (const [k, lr] of rates.entries()) {
        // Reference gradients of mean((xW + b − y)²) over batch·2 values.
        const gw = new Float64Array(6);
        const gb = new Float64Array(2);
        let loss = 0;
        for (let r = 0; r < batch; r++) {
          for (let c = 0; c < 2; c++) {
            let pred = b[c] as number;
            for (let i = 0; i < 3; i++)
              pred += (xs[r * 3 + i] as number) * (w[i * 2 + c] as number);
            const e = pred - (ys[r * 2 + c] as number);
            loss += (e * e) / (batch * 2);
            const scale = (2 * e) / (batch * 2);
            gb[c] = (gb[c] as number) + scale;
            for (let i = 0; i < 3; i++)
              gw[i * 2 + c] = (gw[i * 2 + c] as number) + scale * (xs[r * 3 + i] as number);
          }
        }
        const norm = Math.hypot(...gw, ...gb);
        if (norm > options.maxGradNorm) clipped += 1;

        const report = await trainer.step(
          { x: float32(xs, [batch, 3]), y: float32(ys, [batch, 2]) },
          { learningRate: lr },
        );
        expect(report.loss).toBeCloseTo(loss, 5);
        expect(report.gradNorm).toBeCloseTo(norm, 5);
        expect(report.skipped).toBe(false);
        expect(report.step).toBe(k + 1);

        referenceAdamW([w, b], [gw, gb], state, [true, false], {
          lr,
          step: k + 1,
          beta1: options.beta1,
          beta2: options.beta2,
          eps: options.epsilon,
          wd: options.weightDecay,
          maxNorm: options.maxGradNorm,
        });
        Array.from(trainer.parameter('w')).forEach((v, i) =>
          expect(v).toBeCloseTo(w[i] as number, 5),
        );
        Array.from(trainer.parameter('b')).forEach((v, i) =>
          expect(v).toBeCloseTo(b[i] as number, 5),
        );
        Array.from(trainer.parameter('adam.v/w')).forEach((v, i) =>
          expect(v).toBeCloseTo(state[0]?.v[i] as number, 7),
        );
      }
      expect(clipped).toBeGreaterThan(0); // clipping was exercised
    } finally {
      await trainer.dispose();
    }
  });

  it('skips the update (and keeps every weight) when the gradient is not finite', async () => {
    const parameters = new ParameterSet();
    const model = buildTrainStep((g, p) => {
      const x = g.input('x', 'float32', ['batch', 2]);
      const y = g.input('y', 'float32', ['batch', 1]);
      return { loss: mse(g, linear(g, x, p.param('w', [2, 1], { init: 'ones' }), null), y) };
    }, parameters);
    const trainer = await Trainer.create(model, parameters);
    try {
      const good = { x: float32([1, 2], [1, 2]), y: float32([0], [1, 1]) };
      await trainer.step(good, { learningRate: 0.1 });
      const before = trainer.parameter('w').slice();
      const report = await trainer.step(
        { x: float32([Number.NaN, 1], [1, 2]), y: float32([0], [1, 1]) },
        { learningRate: 0.1 },
      );
      expect(report.skipped).toBe(true);
      expect(report.step).toBe(1);
      expect(Array.from(trainer.parameter('w'))).toEqual(Array.from(before));
      expect(trainer.parameter('adam.m/w').every(Number.isFinite)).toBe(true);
    } finally {
      await trainer.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// A tiny MLP: learning, checkpoints, frozen layers, and the inference model from the same code.

/** The model, shared by the train step and the inference graph. */
function mlp(g: GraphBuilder, p: ParameterBinder, x: TensorHandle): TensorHandle {
  const hidden = silu(
    g,
    linear(
      g,
      x,
      p.param('l1.weight', [2, 16], { init: { uniform: glorotLimit(2, 16) } }),
      p.param('l1.bias', [16]),
    ),
  );
  return linear(
    g,
    hidden,
    p.param('l2.weight', [16, 1], { init: { uniform: glorotLimit(16, 1) } }),
    p.param('l2.bias', [1]),
  );
}

function mlpLoss(g: GraphBuilder, p: ParameterBinder) {
  const x = g.input('x', 'float32', ['batch', 2]);
  const y = g.input('y', 'float32', ['batch', 1]);
  const prediction = mlp(g, p, x);
  const loss = mse(g, prediction, y);
  return {
    loss,
    metrics: { mean_prediction: reduceMean(g, prediction, undefined, { keepdims: false }) },
  };
}

/** y = sin(2x₀)·x₁ + 0.5 on a fixed grid of 64 points. */
function regressionBatch(): { x: TensorValue; y: TensorValue; xs: number[]; ys: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 64; i++) {
    const a = ((i % 8) / 7) * 2 - 1;
    const b = (Math.floor(i / 8) / 7) * 2 - 1;
    xs.push(a, b);
    ys.push(Math.sin(2 * a) * b + 0.5);
  }
  return { x: float32(xs, [64, 2]), y: float32(ys, [64, 1]), xs, ys };
}

describe('training a tiny MLP with the train-step model', () => {
  it('refuses an empty batch, naming the input', async () => {
    const parameters = new ParameterSet({ seed: 5 });
    const trainer = await Trainer.create(buildTrainStep(mlpLoss, parameters), parameters, {
      threads: 1,
    });
    try {
      const error = await trainer
        .step({ x: float32([], [0, 2]), y: float32([], [0, 1]) }, { learningRate: 0.02 })
        .catch((e: unknown) => e);
      expect((error as Error).message).toBe('the batch is empty (x has no rows)');
      expect(trainer.stepCount).toBe(0);
    } finally {
      await trainer.dispose();
    }
  });

  it('drives the loss down, and the inference graph from the same code computes the same', async () => {
    const parameters = new ParameterSet({ seed: 5 });
    const model = buildTrainStep(mlpLoss, parameters, { optimizer: { weightDecay: 0 } });
    const data = regressionBatch();
    const trainer = await Trainer.create(model, parameters, { threads: 1 });
    let first = 0;
    let last = 0;
    try {
      for (let i = 0; i < 300; i++) {
        const report = await trainer.step({ x: data.x, y: data.y }, { learningRate: 0.02 });
        if (i === 0) first = report.loss;
        last = report.loss;
        expect(Number.isFinite(report.metrics.mean_prediction)).toBe(true);
      }
      trainer.syncParameters();
    } finally {
      await trainer.dispose();
    }
    expect(last).toBeLessThan(first / 10);

    // Export: same definition, parameters as initializers with the train step's names.
    const g = new GraphBuilder({ name: 'mlp' });
    const x = g.input('x', 'float32', ['batch', 2]);
    g.output(mlp(g, parameters.bindInference(g), x), 'y');
    const bytes = g.toModelBytes();
    const weights = floatInitializers(decodeModel(bytes));
    // The export of the untrained model, with the trained values copied in, is the same model.
    const untrained = new GraphBuilder({ name: 'mlp' });
    const fresh = new ParameterSet({ seed: 5 });
    untrained.output(
      mlp(untrained, fresh.bindInference(untrained), untrained.input('x', 'float32', ['batch', 2])),
      'y',
    );
    expect(fresh.get('l1.weight')).not.toEqual(parameters.get('l1.weight'));
    const copied = replaceParameters(decodeModel(untrained.toModelBytes()), parameters.entries());
    expect(encodeModel(copied)).toEqual(bytes);
    expect([...weights.keys()].filter((n) => !n.startsWith('const'))).toEqual([
      'l1.weight',
      'l1.bias',
      'l2.weight',
      'l2.bias',
    ]);
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({
      x: new ort.Tensor('float32', Float32Array.from(data.xs), [64, 1 * 2]),
    });
    await session.release();
    const predictions = out.y?.data as Float32Array;
    const inferenceLoss =
      data.ys.reduce((s, t, i) => s + ((predictions[i] as number) - t) ** 2, 0) / 64;
    expect(inferenceLoss).toBeLessThan(first / 10);
  });

  it('takes the same steps with the CPU graph optimised at the basic level as at the full one', async () => {
    const data = regressionBatch();
    const losses = async (cpuGraphOptimization: 'basic' | 'all') => {
      const parameters = new ParameterSet({ seed: 5 });
      const trainer = await Trainer.create(buildTrainStep(mlpLoss, parameters), parameters, {
        threads: 1,
        device: 'cpu',
        cpuGraphOptimization,
      });
      try {
        const out: number[] = [];
        for (let i = 0; i < 30; i++) {
          out.push((await trainer.step({ x: data.x, y: data.y }, { learningRate: 0.02 })).loss);
        }
        return out;
      } finally {
        await trainer.dispose();
      }
    };
    const [basic, all] = [await losses('basic'), await losses('all')];
    expect(basic.at(-1)).toBeLessThan(basic[0]! / 2);
    basic.forEach((loss, i) => expect(loss).toBeCloseTo(all[i]!, 5));
  });

  it('resumes from a checkpoint exactly where an uninterrupted run would be', async () => {
    const data = regressionBatch();
    const batch = { x: data.x, y: data.y };
    const run = async (
      parameters: ParameterSet,
      steps: number,
      checkpoint?: Awaited<ReturnType<typeof loadCheckpoint>>,
    ) => {
      const trainer = await Trainer.create(buildTrainStep(mlpLoss, parameters), parameters, {
        threads: 1,
        ...(checkpoint ? { checkpoint } : {}),
      });
      const losses: number[] = [];
      for (let i = 0; i < steps; i++)
        losses.push((await trainer.step(batch, { learningRate: 0.01 })).loss);
      return { trainer, losses };
    };

    const straight = await run(new ParameterSet({ seed: 9 }), 8);
    const firstHalf = await run(new ParameterSet({ seed: 9 }), 4);
    const folder = tempFolder();
    const file = join(folder, 'checkpoint.bin');
    await firstHalf.trainer.save(file, { note: 'half way' });
    await firstHalf.trainer.dispose();
    expect(readdirSync(folder)).toEqual(['checkpoint.bin']); // no temporary file left behind

    const checkpoint = await loadCheckpoint(file);
    expect(checkpoint.step).toBe(4);
    expect(checkpoint.meta).toEqual({ note: 'half way' });
    const resumedParameters = new ParameterSet({ seed: 123 }); // different seed: values must come from the file
    const resumed = await run(resumedParameters, 4, checkpoint);
    expect([...firstHalf.losses, ...resumed.losses]).toEqual(straight.losses);
    expect(Array.from(resumed.trainer.parameter('l1.weight'))).toEqual(
      Array.from(straight.trainer.parameter('l1.weight')),
    );
    await resumed.trainer.dispose();
    await straight.trainer.dispose();

    writeFileSync(
      join(folder, 'truncated.bin'),
      (await import('node:fs')).readFileSync(file).subarray(0, 200),
    );
    await expect(loadCheckpoint(join(folder, 'truncated.bin'))).rejects.toMatchObject({
      code: 'CHECKPOINT_INVALID',
      file: join(folder, 'truncated.bin'),
    });
    expect(existsSync(join(folder, 'missing.bin'))).toBe(false);
    await expect(loadCheckpoint(join(folder, 'missing.bin'))).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
  });

  it('leaves frozen layers untouched and feeds only trainable ones', async () => {
    const parameters = new ParameterSet({ seed: 2 });
    const model = buildTrainStep(mlpLoss, parameters, {
      trainable: (name) => name.startsWith('l2.'),
    });
    expect(model.parameters.map((p) => p.name)).toEqual(['l2.weight', 'l2.bias']);
    const frozenBefore = parameters.get('l1.weight').slice();
    const trainer = await Trainer.create(model, parameters);
    try {
      const data = regressionBatch();
      const losses: number[] = [];
      for (let i = 0; i < 30; i++)
        losses.push((await trainer.step({ x: data.x, y: data.y }, { learningRate: 0.05 })).loss);
      expect(losses[29]).toBeLessThan(losses[0] as number);
      trainer.syncParameters();
    } finally {
      await trainer.dispose();
    }
    expect(Array.from(parameters.get('l1.weight'))).toEqual(Array.from(frozenBefore));
    // l1 is an initializer of the step model, never an input.
    const inputs = decodeModel(model.bytes).graph.inputs.map((i) => i.name);
    expect(inputs.some((n) => n.includes('l1.'))).toBe(false);
  });

  it('refuses a loss that is not a scalar', () => {
    expect(() =>
      buildTrainStep((g, p) => {
        const x = g.input('x', 'float32', ['batch', 2]);
        return { loss: add(g, x, p.param('w', [2])) };
      }, new ParameterSet()),
    ).toThrow(/scalar/);
  });
});
