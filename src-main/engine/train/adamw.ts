/**
 * AdamW with decoupled weight decay, bias correction and global-norm gradient clipping, emitted
 * as graph nodes (PyTorch's torch.optim.AdamW update, step for step):
 *   g ← g · min(1, maxNorm / (‖g‖ + 1e-6))            (‖g‖ over all parameters)
 *   m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²
 *   p ← p (1 − lr λ) − lr / (1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
 * When ‖g‖ is not finite the step changes nothing (parameters and moments pass through) and
 * `skipped` says so, so one bad batch never puts a NaN in the weights.
 */

import type { GraphBuilder, TensorHandle } from '../onnx';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay λ for parameters whose spec says `decay`. Default 0.01. */
  weightDecay?: number;
  /** Global gradient norm limit; default 1. `Infinity` turns clipping off. */
  maxGradNorm?: number;
}

export interface AdamWParameter {
  value: TensorHandle;
  /** d loss / d value, or undefined when the loss does not depend on it (zero). */
  gradient: TensorHandle | undefined;
  m: TensorHandle;
  v: TensorHandle;
  decay: boolean;
}

export interface AdamWResult {
  next: { value: TensorHandle; m: TensorHandle; v: TensorHandle }[];
  /** () float32: the global gradient norm before clipping. */
  gradNorm: TensorHandle;
  /** () bool: true when the update was skipped (non-finite gradient norm). */
  skipped: TensorHandle;
}

export const ADAMW_DEFAULTS: Required<AdamWOptions> = {
  beta1: 0.9,
  beta2: 0.98,
  epsilon: 1e-9,
  weightDecay: 0.01,
  maxGradNorm: 1,
};

/**
 * Emits one AdamW step for all parameters. `step` is the 1-based number of this step and
 * `learningRate` the rate for it, both float32 scalars.
 *
 * @example
 * const { next, gradNorm } = emitAdamW(g, params, { step, learningRate }, { weightDecay: 0.01 });
 */
export function emitAdamW(
  g: GraphBuilder,
  parameters: readonly AdamWParameter[],
  scalars: { step: TensorHandle; learningRate: TensorHandle },
  options: AdamWOptions = {},
): AdamWResult {
  const o = { ...ADAMW_DEFAULTS, ...options };
  const scalar = (value: number) => g.constant(value, { type: 'float32' });
  const op = (type: string, inputs: TensorHandle[], shape: TensorHandle['shape'] = []) =>
    g.op(type, inputs, {}, { outputShapes: [shape] });

  // Global norm over every gradient.
  const squares = parameters
    .filter((p) => p.gradient !== undefined)
    .map((p) =>
      g.op(
        'ReduceSumSquare',
        [p.gradient as TensorHandle],
        { keepdims: 0 },
        { outputShapes: [[]] },
      ),
    );
  const sumOfSquares =
    squares.length === 0 ? scalar(0) : squares.length === 1 ? squares[0]! : op('Sum', squares);
  const gradNorm = op('Sqrt', [sumOfSquares]);
  const finite = g.op('Not', [g.op('Or', [g.op('IsNaN', [gradNorm]), g.op('IsInf', [gradNorm])])]);
  const skipped = g.op('Not', [finite]);
  const clipScale = Number.isFinite(o.maxGradNorm)
    ? op('Min', [
        scalar(1),
        op('Div', [scalar(o.maxGradNorm), op('Add', [gradNorm, scalar(1e-6)])]),
      ])
    : undefined;

  // Per-step scalars, computed once.
  const biasCorrection1 = op('Sub', [scalar(1), op('Pow', [scalar(o.beta1), scalars.step])]);
  const biasCorrection2 = op('Sub', [scalar(1), op('Pow', [scalar(o.beta2), scalars.step])]);
  const stepSize = op('Div', [scalars.learningRate, biasCorrection1]);
  const inverseRootCorrection2 = op('Div', [scalar(1), op('Sqrt', [biasCorrection2])]);
  const decayFactor = op('Sub', [
    scalar(1),
    op('Mul', [scalars.learningRate, scalar(o.weightDecay)]),
  ]);

  const next = parameters.map((p) => {
    const shape = p.value.shape;
    const gradient =
      p.gradient === undefined
        ? scalar(0)
        : clipScale
          ? op('Mul', [p.gradient, clipScale], shape)
          : p.gradient;
    const m = op(
      'Add',
      [op('Mul', [p.m, scalar(o.beta1)], shape), op('Mul', [gradient, scalar(1 - o.beta1)], shape)],
      shape,
    );
    const squared = op('Mul', [gradient, gradient], shape);
    const v = op(
      'Add',
      [op('Mul', [p.v, scalar(o.beta2)], shape), op('Mul', [squared, scalar(1 - o.beta2)], shape)],
      shape,
    );
    const denominator = op(
      'Add',
      [op('Mul', [op('Sqrt', [v], shape), inverseRootCorrection2], shape), scalar(o.epsilon)],
      shape,
    );
    const update = op('Mul', [op('Div', [m, denominator], shape), stepSize], shape);
    const decayed =
      p.decay && o.weightDecay !== 0 ? op('Mul', [p.value, decayFactor], shape) : p.value;
    const value = op('Sub', [decayed, update], shape);
    const keep = (updated: TensorHandle, old: TensorHandle) =>
      g.op('Where', [finite, updated, old], {}, { outputShapes: [shape] });
    return { value: keep(value, p.value), m: keep(m, p.m), v: keep(v, p.v) };
  });
  return { next, gradNorm, skipped };
}
