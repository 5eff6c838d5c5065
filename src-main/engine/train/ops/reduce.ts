/** Reductions and (log-)softmax, with their gradient rules. */

import { HarkError } from '../../errors';
import type { Dim, GraphBuilder, TensorHandle } from '../../onnx';
import { defineOp } from '../autodiff/registry';
import type { Gradients } from '../autodiff/registry';
import { dimTensor, normalizeAxis, rankOf, shapeTensor, staticProduct } from '../autodiff/shapes';
import { cast, div, exp, mul, outputGradient, sub } from './elementwise';
import { expand, unsqueeze } from './shape-ops';

function reducedShape(
  x: TensorHandle,
  axes: readonly number[],
  keepdims: boolean,
): Dim[] | undefined {
  if (x.shape === undefined) return undefined;
  const at = new Set(axes);
  return keepdims
    ? x.shape.map((d, i) => (at.has(i) ? 1 : d))
    : x.shape.filter((_, i) => !at.has(i));
}

function normalizedAxes(x: TensorHandle, axes: readonly number[] | undefined): number[] {
  const rank = rankOf(x);
  const list = axes ?? Array.from({ length: rank }, (_, i) => i);
  return [...new Set(list.map((a) => normalizeAxis(a, rank)))].sort((a, b) => a - b);
}

/** Spreads the gradient of a reduction back over x's shape. */
function broadcastBack(
  g: GraphBuilder,
  dy: TensorHandle,
  x: TensorHandle,
  axes: readonly number[],
  keepdims: boolean,
): TensorHandle {
  const kept = keepdims ? dy : unsqueeze(g, dy, axes);
  return expand(g, kept, shapeTensor(g, x), x.shape);
}

function readAxes(c: {
  g: GraphBuilder;
  inputs: readonly (TensorHandle | null)[];
}): number[] | undefined {
  const handle = c.inputs[1];
  if (!handle) return undefined;
  const value = c.g.constantValue(handle);
  if (value === undefined)
    throw new HarkError('INVALID_ARGUMENT', 'ReduceSum axes must be constant');
  return Array.from(value as ArrayLike<number | bigint>, Number);
}

/**
 * Σ over `axes` (all axes when omitted).
 *
 * @example
 * const total = reduceSum(g, x, [1, 2], { keepdims: false });
 */
export const reduceSum = defineOp('ReduceSum', {
  forward: (g, x: TensorHandle, axes?: readonly number[], options: { keepdims?: boolean } = {}) => {
    const list = normalizedAxes(x, axes);
    const keepdims = options.keepdims ?? true;
    return g.op(
      'ReduceSum',
      [x, g.int64s(list)],
      { keepdims: keepdims ? 1 : 0 },
      {
        outputShapes: [reducedShape(x, list, keepdims)],
      },
    );
  },
  backward: (c): Gradients => {
    const x = c.inputs[0] as TensorHandle;
    const axes = normalizedAxes(x, readAxes(c));
    const keepdims = Number(c.attributes.keepdims ?? 1) === 1;
    return [broadcastBack(c.g, outputGradient(c), x, axes, keepdims), null];
  },
});

/** How many elements each reduced value averages (a constant when the sizes are static). */
function countOf(g: GraphBuilder, x: TensorHandle, axes: readonly number[]): TensorHandle {
  const sizes = axes.map((a) => x.shape?.[a] ?? null);
  const count = staticProduct(sizes);
  if (count !== null) return g.constant(count, { type: x.type });
  const dims = g.op(
    'Concat',
    axes.map((a) => dimTensor(g, x, a)),
    { axis: 0 },
  );
  const product = g.op('ReduceProd', [dims], { keepdims: 0 }, { outputShapes: [[]] });
  return cast(g, product, x.type);
}

/**
 * The mean over `axes` (all axes when omitted). Opset 17 takes these axes as an attribute.
 *
 * @example
 * const average = reduceMean(g, x, [-1]);
 */
export const reduceMean = defineOp('ReduceMean', {
  forward: (g, x: TensorHandle, axes?: readonly number[], options: { keepdims?: boolean } = {}) => {
    const list = normalizedAxes(x, axes);
    const keepdims = options.keepdims ?? true;
    return g.op(
      'ReduceMean',
      [x],
      { axes: list, keepdims: keepdims ? 1 : 0 },
      {
        outputShapes: [reducedShape(x, list, keepdims)],
      },
    );
  },
  backward: (c): Gradients => {
    const x = c.inputs[0] as TensorHandle;
    const axes = normalizedAxes(x, c.attributes.axes as number[] | undefined);
    const keepdims = Number(c.attributes.keepdims ?? 1) === 1;
    const spread = broadcastBack(c.g, outputGradient(c), x, axes, keepdims);
    return [div(c.g, spread, countOf(c.g, x, axes))];
  },
});

/** softmax along one axis. */
export const softmax = defineOp('Softmax', {
  forward: (g, x: TensorHandle, axis?: number) =>
    g.op('Softmax', [x], { axis: axis ?? -1 }, { outputShapes: [x.shape] }),
  backward: (c): Gradients => {
    const { g } = c;
    const dy = outputGradient(c);
    const y = c.outputs[0] as TensorHandle;
    const axis = Number(c.attributes.axis ?? -1);
    // dx = y ⊙ (dy − Σ dy ⊙ y)
    const inner = reduceSum(g, mul(g, dy, y), [axis]);
    return [mul(g, y, sub(g, dy, inner))];
  },
});

/** log softmax along one axis. */
export const logSoftmax = defineOp('LogSoftmax', {
  forward: (g, x: TensorHandle, axis?: number) =>
    g.op('LogSoftmax', [x], { axis: axis ?? -1 }, { outputShapes: [x.shape] }),
  backward: (c): Gradients => {
    const { g } = c;
    const dy = outputGradient(c);
    const y = c.outputs[0] as TensorHandle;
    const axis = Number(c.attributes.axis ?? -1);
    // dx = dy − softmax ⊙ Σ dy
    return [sub(g, dy, mul(g, exp(g, y), reduceSum(g, dy, [axis])))];
  },
});
