/**
 * Static shape reasoning for the op table: broadcasting, axes, and reducing a broadcast
 * gradient back to its input's shape. Dims are sizes, symbolic names ('batch', 'T') or null.
 * Two dims are "the same" when both are the same number or the same name.
 */

import { HarkError } from '../../errors';
import type { Dim, GraphBuilder, TensorHandle } from '../../onnx';

export function sameDim(a: Dim | undefined, b: Dim | undefined): boolean {
  return a !== null && a !== undefined && a === b;
}

export function sameShape(a: readonly Dim[] | undefined, b: readonly Dim[] | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.length === b.length &&
    a.every((d, i) => sameDim(d, b[i]))
  );
}

/** All dims are numbers. */
export function isStatic(shape: readonly Dim[] | undefined): shape is number[] {
  return shape !== undefined && shape.every((d) => typeof d === 'number');
}

/** The rank of a handle, or a HarkError naming it when unknown. */
export function rankOf(x: TensorHandle): number {
  if (x.shape === undefined) {
    throw new HarkError('INVALID_ARGUMENT', `the rank of ${x.name} must be known here`);
  }
  return x.shape.length;
}

/** A possibly negative axis as 0..rank-1. */
export function normalizeAxis(axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new HarkError('INVALID_ARGUMENT', `${what} ${axis} is out of range for rank ${rank}`);
  }
  return a;
}

/** The product of dims if all are numbers, else null. */
export function staticProduct(dims: readonly Dim[]): number | null {
  let product = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return null;
    product *= d;
  }
  return product;
}

/**
 * The numpy-style broadcast of shapes (undefined if any is unknown). A known size beats a name
 * or null on the same axis (a valid broadcast forces the name to equal it or to be 1).
 */
export function broadcastShapes(...shapes: (readonly Dim[] | undefined)[]): Dim[] | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const known = shapes as (readonly Dim[])[];
  const rank = Math.max(0, ...known.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const dims = known
      .map((s) => s[s.length - rank + i])
      .filter((d): d is Dim => d !== undefined && d !== 1);
    const numbers = [...new Set(dims.filter((d): d is number => typeof d === 'number'))];
    if (numbers.length > 1) {
      throw new HarkError(
        'INVALID_ARGUMENT',
        `shapes [${known.map((s) => s.join(', ')).join('] and [')}] do not broadcast`,
      );
    }
    if (dims.length === 0) out.push(1);
    else if (numbers.length === 1) out.push(numbers[0] as number);
    else if (dims.every((d) => d === dims[0])) out.push(dims[0] as Dim);
    else out.push(null);
  }
  return out;
}

/** A 1-D int64 tensor holding x's shape: a constant when static, else a Shape node. */
export function shapeTensor(g: GraphBuilder, x: TensorHandle): TensorHandle {
  if (isStatic(x.shape)) return g.int64s(x.shape);
  return g.op('Shape', [x], {}, { outputShapes: [[x.shape?.length ?? null]] });
}

/** One dim of x as a 1-element int64 tensor. */
export function dimTensor(g: GraphBuilder, x: TensorHandle, axis: number): TensorHandle {
  const d = x.shape?.[axis];
  if (typeof d === 'number') return g.int64s([d]);
  return g.op(
    'Gather',
    [shapeTensor(g, x), g.int64s([axis])],
    { axis: 0 },
    { outputShapes: [[1]] },
  );
}

/**
 * Sums a gradient over the axes its input was broadcast along, so it gets the input's shape.
 * Static when the shapes say which axes were broadcast; otherwise it sums, at run time, over the
 * axes where the input's size is 1.
 */
export function sumToShape(
  g: GraphBuilder,
  gradient: TensorHandle,
  target: TensorHandle,
): TensorHandle {
  const gradShape = gradient.shape;
  const targetShape = target.shape;
  if (gradShape === undefined || targetShape === undefined) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `cannot reduce the gradient of ${target.name}: its rank is unknown`,
    );
  }
  if (sameShape(gradShape, targetShape)) return gradient;
  const lead = gradShape.length - targetShape.length;
  if (lead < 0) {
    throw new HarkError('INTERNAL', `gradient of ${target.name} has a lower rank than it`);
  }
  const leadAxes = Array.from({ length: lead }, (_, i) => i);
  const keptAxes: number[] = [];
  let dynamic = false;
  targetShape.forEach((t, i) => {
    const d = gradShape[lead + i];
    if (sameDim(t, d)) return;
    if (t === 1) keptAxes.push(lead + i);
    else dynamic = true;
  });
  const outShape = [...targetShape];
  let reduced = gradient;
  if (dynamic) {
    if (lead > 0) {
      reduced = g.op(
        'ReduceSum',
        [reduced, g.int64s(leadAxes)],
        { keepdims: 0 },
        {
          outputShapes: [gradShape.slice(lead)],
        },
      );
    }
    const ones = g.op('Equal', [shapeTensor(g, target), g.int64s([1])]);
    const axes = g.op('Reshape', [g.op('NonZero', [ones]), g.int64s([-1])]);
    return g.op(
      'ReduceSum',
      [reduced, axes],
      { keepdims: 1, noop_with_empty_axes: 1 },
      {
        outputShapes: [outShape],
      },
    );
  }
  const axes = [...leadAxes, ...keptAxes];
  if (axes.length === 0) return gradient;
  reduced = g.op(
    'ReduceSum',
    [reduced, g.int64s(axes)],
    { keepdims: 1 },
    {
      outputShapes: [[...leadAxes.map(() => 1), ...outShape]],
    },
  );
  if (lead > 0) {
    reduced = g.op('Squeeze', [reduced, g.int64s(leadAxes)], {}, { outputShapes: [outShape] });
  }
  return reduced;
}

/** A scalar constant of x's element type. */
export function scalarLike(g: GraphBuilder, x: TensorHandle, value: number): TensorHandle {
  return g.constant(value, { type: x.type });
}
