/**
 * Checks the autodiff's gradients against central finite differences, both computed by
 * onnxruntime-node on CPU. The scalar checked is Σ output ⊙ probe with a random probe, so every
 * output element's gradient matters.
 */

import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { GraphBuilder } from '../../../src-main/engine/onnx';
import type { Dim, TensorHandle } from '../../../src-main/engine/onnx';
import { gradients } from '../../../src-main/engine/train/autodiff/gradients';

export type FloatType = 'float32' | 'float64';

export interface CheckedInput {
  name: string;
  dims: number[];
  /** Values; default uniform in [-1, 1) from the seeded generator. */
  data?: number[];
  /** Element type; default the check's type. int64 inputs are never differentiated. */
  type?: FloatType | 'int64' | 'bool';
  /** Default true for float inputs. */
  differentiable?: boolean;
  /** Shape the graph sees (symbolic names allowed); default `dims`. */
  declaredShape?: Dim[];
}

export interface GradientCheck {
  inputs: CheckedInput[];
  build: (g: GraphBuilder, inputs: TensorHandle[]) => TensorHandle;
  type?: FloatType;
  /** Finite-difference step; default 1e-6 (float64) or 1e-2 (float32). */
  step?: number;
  /** |analytic − numeric| ≤ absolute + relative · |numeric|. */
  absolute?: number;
  relative?: number;
  /** Elements checked per input (randomly chosen); default all up to 40. */
  samplesPerInput?: number;
  seed?: number;
}

type Feeds = Record<string, ort.Tensor>;

function rng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function makeTensor(type: string, values: number[], dims: number[]): ort.Tensor {
  if (type === 'float64') return new ort.Tensor('float64', Float64Array.from(values), dims);
  if (type === 'float32') return new ort.Tensor('float32', Float32Array.from(values), dims);
  if (type === 'bool') return new ort.Tensor('bool', Uint8Array.from(values), dims);
  return new ort.Tensor('int64', BigInt64Array.from(values.map((v) => BigInt(v))), dims);
}

async function runOnce(bytes: Uint8Array, feeds: Feeds): Promise<Feeds> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  try {
    return (await session.run(feeds)) as Feeds;
  } finally {
    await session.release();
  }
}

/**
 * Runs the check and asserts every sampled element; returns the largest error seen.
 *
 * @example
 * await checkGradient({ inputs: [{ name: 'x', dims: [3] }], build: (g, [x]) => exp(g, x!) });
 */
export async function checkGradient(check: GradientCheck): Promise<number> {
  const type = check.type ?? 'float64';
  const random = rng(check.seed ?? 7);
  const step = check.step ?? (type === 'float64' ? 1e-6 : 1e-2);
  const absolute = check.absolute ?? (type === 'float64' ? 1e-7 : 2e-3);
  const relative = check.relative ?? (type === 'float64' ? 1e-6 : 2e-2);
  const values = check.inputs.map((input) => {
    const count = input.dims.reduce((a, b) => a * b, 1);
    return input.data ?? Array.from({ length: count }, () => random() * 2 - 1);
  });
  const typeOf = (input: CheckedInput) => input.type ?? type;
  const isDifferentiable = (input: CheckedInput) =>
    input.differentiable ?? (typeOf(input) === 'float32' || typeOf(input) === 'float64');

  // 1. The output's shape, from a forward run.
  const forward = new GraphBuilder({ name: 'forward' });
  const forwardInputs = check.inputs.map((input) =>
    forward.input(input.name, typeOf(input), input.declaredShape ?? input.dims),
  );
  forward.output(check.build(forward, forwardInputs), 'checked_output');
  const feeds: Feeds = {};
  check.inputs.forEach((input, i) => {
    feeds[input.name] = makeTensor(typeOf(input), values[i] as number[], input.dims);
  });
  const y = (await runOnce(forward.toModelBytes(), feeds)).checked_output as ort.Tensor;
  const yDims = [...y.dims];
  const probe = Array.from({ length: y.size }, () => random() * 2 - 1);

  // 2. The probed scalar and its gradients.
  const g = new GraphBuilder({ name: 'gradient_check' });
  const handles = check.inputs.map((input) =>
    g.input(input.name, typeOf(input), input.declaredShape ?? input.dims),
  );
  const out = check.build(g, handles);
  const probeInput = g.input('probe', out.type, out.shape ?? yDims);
  const product = g.op('Mul', [out, probeInput], {}, { outputShapes: [out.shape] });
  const rank = out.shape?.length ?? yDims.length;
  const loss = g.op(
    'ReduceSum',
    [product, g.int64s(Array.from({ length: rank }, (_, i) => i))],
    { keepdims: 0 },
    { outputShapes: [[]] },
  );
  const differentiated = handles.filter((_, i) =>
    isDifferentiable(check.inputs[i] as CheckedInput),
  );
  const grads = gradients(g, loss, differentiated);
  g.output(loss, 'loss');
  for (const h of differentiated) {
    const grad = grads.get(h.name);
    if (grad === undefined) throw new Error(`no gradient reached ${h.name}`);
    g.output(grad, `grad.${h.name}`);
  }
  const bytes = g.toModelBytes();
  feeds.probe = makeTensor(out.type, probe, yDims);
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  let worst = 0;
  try {
    const analytic = (await session.run(feeds)) as Feeds;
    const lossAt = async (override: Feeds) =>
      Number(((await session.run({ ...feeds, ...override }, ['loss'])).loss as ort.Tensor).data[0]);

    for (const [i, input] of check.inputs.entries()) {
      if (!isDifferentiable(input)) continue;
      const base = values[i] as number[];
      const grad = analytic[`grad.${input.name}`] as ort.Tensor;
      expect(grad.dims, `gradient shape of ${input.name}`).toEqual(input.dims);
      const gradData = grad.data as Float64Array | Float32Array;
      const positions = samplePositions(base.length, check.samplesPerInput ?? 40, random);
      for (const p of positions) {
        const plus = [...base];
        const minus = [...base];
        plus[p] = (plus[p] as number) + step;
        minus[p] = (minus[p] as number) - step;
        const numeric =
          ((await lossAt({ [input.name]: makeTensor(typeOf(input), plus, input.dims) })) -
            (await lossAt({ [input.name]: makeTensor(typeOf(input), minus, input.dims) }))) /
          (2 * step);
        const value = gradData[p] as number;
        const error = Math.abs(value - numeric);
        worst = Math.max(worst, error / (absolute + relative * Math.abs(numeric)));
        expect(
          error,
          `d/d ${input.name}[${p}]: analytic ${value}, numeric ${numeric}`,
        ).toBeLessThanOrEqual(absolute + relative * Math.abs(numeric));
      }
    }
  } finally {
    await session.release();
  }
  return worst;
}

function samplePositions(count: number, samples: number, random: () => number): number[] {
  if (count <= samples) return Array.from({ length: count }, (_, i) => i);
  const chosen = new Set<number>();
  while (chosen.size < samples) chosen.add(Math.floor(random() * count));
  return [...chosen];
}
