/**
 * Primitives that move values around without arithmetic: Transpose, Reshape, Unsqueeze,
 * Squeeze, Slice, Concat, Split, Gather, Expand, Pad — each with its gradient rule.
 */

import { HarkError } from '../../errors';
import { tensorValue } from '../../onnx';
import type { Dim, GraphBuilder, InitializerData, TensorHandle } from '../../onnx';
import { defineOp } from '../autodiff/registry';
import type { GradientContext, Gradients } from '../autodiff/registry';
import {
  broadcastShapes,
  dimTensor,
  normalizeAxis,
  rankOf,
  shapeTensor,
  staticProduct,
  sumToShape,
} from '../autodiff/shapes';
import { outputGradient } from './elementwise';

/** Slice ends at or past this mean "to the end". */
export const TO_THE_END = 2 ** 62;

function constantNumbers(g: GraphBuilder, handle: TensorHandle | null | undefined, what: string) {
  const value: InitializerData | undefined = handle ? g.constantValue(handle) : undefined;
  if (value === undefined) {
    throw new HarkError('INVALID_ARGUMENT', `${what} must be a constant for the gradient`);
  }
  return Array.from(value as ArrayLike<number | bigint>, Number);
}

function firstInput(c: GradientContext): TensorHandle {
  const x = c.inputs[0];
  if (!x) throw new HarkError('INTERNAL', `${c.node.opType} has no input`);
  return x;
}

/** Zeros with the shape and type of x. */
export function zerosLike(g: GraphBuilder, x: TensorHandle): TensorHandle {
  const zero = tensorValue(zeroOfType(x), [1]);
  return g.op(
    'ConstantOfShape',
    [shapeTensor(g, x)],
    { value: zero },
    {
      outputShapes: [x.shape],
    },
  );
}

function zeroOfType(x: TensorHandle): InitializerData {
  if (x.type === 'float64') return new Float64Array(1);
  if (x.type === 'float32') return new Float32Array(1);
  throw new HarkError('INVALID_ARGUMENT', `no zero tensor for ${x.type}`);
}

/** Axes permuted: output axis i is input axis perm[i]. */
export const transpose = defineOp('Transpose', {
  forward: (g, x: TensorHandle, perm: readonly number[]) =>
    g.op(
      'Transpose',
      [x],
      { perm: [...perm] },
      {
        outputShapes: [x.shape === undefined ? undefined : perm.map((p) => x.shape?.[p] ?? null)],
      },
    ),
  backward: (c): Gradients => {
    const perm = (c.attributes.perm as number[] | undefined) ?? [];
    const inverse: number[] = [];
    perm.forEach((p, i) => (inverse[p] = i));
    return [transpose(c.g, outputGradient(c), inverse)];
  },
});

function reshapeShape(x: TensorHandle, target: readonly number[]): Dim[] {
  const out: Dim[] = target.map((d, i) => (d === 0 ? (x.shape?.[i] ?? null) : d));
  const inferred = out.indexOf(-1);
  if (inferred >= 0) {
    const total = x.shape === undefined ? null : staticProduct(x.shape);
    const known = staticProduct(out.filter((_, i) => i !== inferred));
    out[inferred] = total !== null && known !== null ? total / known : null;
  }
  return out;
}

/**
 * x with a new shape: sizes, 0 (keep that input axis) and one -1 (inferred); or a shape tensor
 * with `outputShape` telling what it will be.
 *
 * @example
 * const heads = reshape(g, x, [0, 0, 4, 64]); // (N, T, 256) → (N, T, 4, 64)
 */
export const reshape = defineOp('Reshape', {
  forward: (
    g,
    x: TensorHandle,
    shape: readonly number[] | TensorHandle,
    outputShape?: readonly Dim[],
  ) => {
    const isList = Array.isArray(shape);
    const target = isList ? g.int64s(shape as readonly number[]) : (shape as TensorHandle);
    const inferred = isList ? reshapeShape(x, shape as readonly number[]) : undefined;
    return g.op('Reshape', [x, target], {}, { outputShapes: [outputShape ?? inferred] });
  },
  backward: (c): Gradients => {
    const x = firstInput(c);
    return [reshape(c.g, outputGradient(c), shapeTensor(c.g, x), x.shape)];
  },
});

/** Size-1 axes inserted at `axes` (positions in the output). */
export const unsqueeze = defineOp('Unsqueeze', {
  forward: (g, x: TensorHandle, axes: readonly number[]) => {
    let shape: Dim[] | undefined;
    if (x.shape !== undefined) {
      const rank = x.shape.length + axes.length;
      const at = new Set(axes.map((a) => normalizeAxis(a, rank)));
      const rest = [...x.shape];
      shape = Array.from({ length: rank }, (_, i) => (at.has(i) ? 1 : (rest.shift() ?? null)));
    }
    return g.op('Unsqueeze', [x, g.int64s(axes)], {}, { outputShapes: [shape] });
  },
  backward: (c): Gradients => {
    const axes = constantNumbers(c.g, c.inputs[1], 'Unsqueeze axes');
    return [squeeze(c.g, outputGradient(c), axes), null];
  },
});

/** Size-1 axes removed (the axes must be given). */
export const squeeze = defineOp('Squeeze', {
  forward: (g, x: TensorHandle, axes: readonly number[]) => {
    let shape: Dim[] | undefined;
    if (x.shape !== undefined) {
      const rank = x.shape.length;
      const at = new Set(axes.map((a) => normalizeAxis(a, rank)));
      shape = x.shape.filter((_, i) => !at.has(i));
    }
    return g.op('Squeeze', [x, g.int64s(axes)], {}, { outputShapes: [shape] });
  },
  backward: (c): Gradients => {
    const x = firstInput(c);
    const axes = constantNumbers(c.g, c.inputs[1], 'Squeeze axes');
    const rank = rankOf(x);
    return [
      unsqueeze(
        c.g,
        outputGradient(c),
        axes.map((a) => normalizeAxis(a, rank)),
      ),
      null,
    ];
  },
});

export interface SliceOptions {
  starts: readonly number[];
  /** Exclusive ends; `TO_THE_END` (or any value ≥ the size) for "to the end". */
  ends: readonly number[];
  axes?: readonly number[];
  steps?: readonly number[];
}

function clampIndex(index: number, size: number): number {
  return index < 0 ? Math.max(0, index + size) : Math.min(index, size);
}

function sliceShape(x: TensorHandle, o: Required<SliceOptions>): Dim[] | undefined {
  if (x.shape === undefined) return undefined;
  const shape = [...x.shape];
  o.axes.forEach((axis, i) => {
    const a = normalizeAxis(axis, shape.length);
    const d = shape[a];
    const start = o.starts[i] as number;
    const end = o.ends[i] as number;
    const step = o.steps[i] as number;
    if (typeof d === 'number') {
      const s = clampIndex(start, d);
      const e = clampIndex(end, d);
      shape[a] = Math.max(0, Math.ceil((e - s) / step));
    } else {
      shape[a] = start === 0 && end >= TO_THE_END && step === 1 ? (d ?? null) : null;
    }
  });
  return shape;
}

function fullSlice(x: TensorHandle, options: SliceOptions): Required<SliceOptions> {
  return {
    starts: options.starts,
    ends: options.ends,
    axes: options.axes ?? options.starts.map((_, i) => i),
    steps: options.steps ?? options.starts.map(() => 1),
  };
}

/**
 * A strided window of x (python semantics for negative and out-of-range indices).
 *
 * @example
 * const firstHalf = slice(g, x, { starts: [0], ends: [128], axes: [-1] });
 */
export const slice = defineOp('Slice', {
  forward: (g, x: TensorHandle, options: SliceOptions) => {
    const o = fullSlice(x, options);
    return g.op(
      'Slice',
      [x, g.int64s(o.starts), g.int64s(o.ends), g.int64s(o.axes), g.int64s(o.steps)],
      {},
      { outputShapes: [sliceShape(x, o)] },
    );
  },
  backward: (c): Gradients => {
    const { g } = c;
    const x = firstInput(c);
    const rank = rankOf(x);
    const starts = constantNumbers(g, c.inputs[1], 'Slice starts');
    const ends = constantNumbers(g, c.inputs[2], 'Slice ends');
    const axes = c.inputs[3]
      ? constantNumbers(g, c.inputs[3], 'Slice axes')
      : starts.map((_, i) => i);
    const steps = c.inputs[4]
      ? constantNumbers(g, c.inputs[4], 'Slice steps')
      : starts.map(() => 1);
    if (steps.some((s) => s !== 1)) {
      throw new HarkError('INVALID_ARGUMENT', 'the gradient of Slice supports step 1 only');
    }
    const before: (number | TensorHandle)[] = new Array<number>(rank).fill(0);
    const after: (number | TensorHandle)[] = new Array<number>(rank).fill(0);
    axes.forEach((axis, i) => {
      const a = normalizeAxis(axis, rank);
      const start = starts[i] as number;
      const end = ends[i] as number;
      const d = x.shape?.[a];
      if (typeof d === 'number') {
        const s = clampIndex(start, d);
        before[a] = s;
        after[a] = d - Math.max(s, clampIndex(end, d));
      } else if (start >= 0 && end >= TO_THE_END) {
        before[a] = start;
      } else {
        // Symbolic size: clamp in the graph.
        const size = dimTensor(g, x, a);
        const clampAt = (index: number) =>
          index < 0
            ? g.op('Max', [g.op('Add', [size, g.int64s([index])]), g.int64s([0])])
            : g.op('Min', [g.int64s([index]), size]);
        const s = clampAt(start);
        before[a] = s;
        after[a] = g.op('Sub', [size, g.op('Max', [clampAt(end), s])]);
      }
    });
    const parts = [...before, ...after];
    const pads = parts.every((p) => typeof p === 'number')
      ? g.int64s(parts as number[])
      : g.op(
          'Concat',
          parts.map((p) => (typeof p === 'number' ? g.int64s([p]) : p)),
          { axis: 0 },
        );
    const dx = g.op(
      'Pad',
      [outputGradient(c), pads],
      { mode: 'constant' },
      {
        outputShapes: [x.shape],
      },
    );
    return [dx, null, null, null, null];
  },
});

/** Tensors joined along an axis. */
export const concat = defineOp('Concat', {
  forward: (g, xs: readonly TensorHandle[], axis: number) => {
    let shape: Dim[] | undefined;
    const first = xs[0];
    if (first?.shape !== undefined && xs.every((x) => x.shape !== undefined)) {
      const a = normalizeAxis(axis, first.shape.length);
      const sizes = xs.map((x) => x.shape?.[a] ?? null);
      const total = sizes.every((s) => typeof s === 'number')
        ? (sizes as number[]).reduce((p, s) => p + s, 0)
        : null;
      shape = [...first.shape];
      shape[a] = total;
    }
    return g.op('Concat', [...xs], { axis }, { outputShapes: [shape] });
  },
  backward: (c): Gradients => {
    const inputs = c.inputs as TensorHandle[];
    const axis = normalizeAxis(Number(c.attributes.axis), rankOf(inputs[0] as TensorHandle));
    const parts = splitInto(c.g, outputGradient(c), inputs, axis);
    return parts.map((p, i) => (c.needsGradient[i] ? p : null));
  },
});

function splitInto(
  g: GraphBuilder,
  x: TensorHandle,
  like: readonly TensorHandle[],
  axis: number,
): TensorHandle[] {
  const sizes = like.map((t) => t.shape?.[axis] ?? null);
  const sizeTensor = sizes.every((s) => typeof s === 'number')
    ? g.int64s(sizes as number[])
    : g.op(
        'Concat',
        like.map((t) => dimTensor(g, t, axis)),
        { axis: 0 },
      );
  return g.node(
    'Split',
    [x, sizeTensor],
    { axis },
    {
      outputs: like.length,
      outputShapes: like.map((t) => t.shape),
    },
  );
}

/**
 * x cut along an axis into pieces of the given sizes.
 *
 * @example
 * const [a, b] = split(g, x, [256, 256], -1);
 */
export const split = defineOp('Split', {
  forward: (g, x: TensorHandle, sizes: readonly number[], axis: number) => {
    const rank = rankOf(x);
    const a = normalizeAxis(axis, rank);
    const shapes = sizes.map((size) => {
      const shape = [...(x.shape as Dim[])];
      shape[a] = size;
      return shape;
    });
    return g.node(
      'Split',
      [x, g.int64s(sizes)],
      { axis: a },
      {
        outputs: sizes.length,
        outputShapes: shapes,
      },
    );
  },
  backward: (c): Gradients => {
    const x = firstInput(c);
    const axis = normalizeAxis(Number(c.attributes.axis ?? 0), rankOf(x));
    const parts = c.outputs.map((out, i) => c.outputGradients[i] ?? zerosLike(c.g, out));
    return [concat(c.g, parts, axis), null];
  },
});

/**
 * Rows of `data` picked by `indices` along an axis (an embedding lookup with axis 0). Only
 * axis 0 is differentiable; the gradient scatters-adds rows, so repeated indices accumulate.
 */
export const gather = defineOp('Gather', {
  forward: (g, data: TensorHandle, indices: TensorHandle, gatherAxis?: number) => {
    const axis = gatherAxis ?? 0;
    let shape: Dim[] | undefined;
    if (data.shape !== undefined && indices.shape !== undefined) {
      const a = normalizeAxis(axis, data.shape.length);
      shape = [...data.shape.slice(0, a), ...indices.shape, ...data.shape.slice(a + 1)];
    }
    return g.op('Gather', [data, indices], { axis }, { outputShapes: [shape] });
  },
  backward: (c): Gradients => {
    const { g } = c;
    const [data, indices] = c.inputs as TensorHandle[];
    if (!data || !indices) throw new HarkError('INTERNAL', 'Gather needs two inputs');
    if (normalizeAxis(Number(c.attributes.axis ?? 0), rankOf(data)) !== 0) {
      throw new HarkError('INVALID_ARGUMENT', 'the gradient of Gather supports axis 0 only');
    }
    const index64 =
      indices.type === 'int64'
        ? indices
        : g.op(
            'Cast',
            [indices],
            { to: 7 },
            { outputTypes: ['int64'], outputShapes: [indices.shape] },
          );
    const positions = unsqueeze(g, index64, [-1]);
    const dx = g.op(
      'ScatterND',
      [zerosLike(g, data), positions, outputGradient(c)],
      {
        reduction: 'add',
      },
      { outputShapes: [data.shape] },
    );
    return [dx, null];
  },
});

/**
 * x broadcast to a shape (numbers, or a shape tensor with `outputShape` telling what it is).
 *
 * @example
 * const tiled = expand(g, bias, [4, 256]);
 */
export const expand = defineOp('Expand', {
  forward: (
    g,
    x: TensorHandle,
    shape: readonly number[] | TensorHandle,
    outputShape?: readonly Dim[],
  ) => {
    const isList = Array.isArray(shape);
    const target = isList ? g.int64s(shape as readonly number[]) : (shape as TensorHandle);
    const inferred = isList ? broadcastShapes(x.shape, shape as readonly number[]) : undefined;
    return g.op('Expand', [x, target], {}, { outputShapes: [outputShape ?? inferred] });
  },
  backward: (c): Gradients => [sumToShape(c.g, outputGradient(c), firstInput(c)), null],
});

/**
 * x padded with a constant: `pads` = [begin of each axis..., end of each axis...] (≥ 0).
 *
 * @example
 * const padded = pad(g, frames, [0, 0, 0, 0, 3, 0]); // 3 frames before, on axis 2
 */
export const pad = defineOp('Pad', {
  forward: (g, x: TensorHandle, pads: readonly number[], padValue?: number) => {
    const value = padValue ?? 0;
    if (pads.some((p) => p < 0)) throw new HarkError('INVALID_ARGUMENT', 'pads must be ≥ 0');
    const rank = rankOf(x);
    const shape = (x.shape as Dim[]).map((d, i) =>
      typeof d === 'number'
        ? d + (pads[i] as number) + (pads[rank + i] as number)
        : pads[i] === 0 && pads[rank + i] === 0
          ? d
          : null,
    );
    return g.op(
      'Pad',
      [x, g.int64s(pads), g.constant(value, { type: x.type })],
      {
        mode: 'constant',
      },
      { outputShapes: [shape] },
    );
  },
  backward: (c): Gradients => {
    const x = firstInput(c);
    const mode = c.attributes.mode ?? 'constant';
    if (mode !== 'constant')
      throw new HarkError('INVALID_ARGUMENT', 'only constant Pad is differentiable');
    const pads = constantNumbers(c.g, c.inputs[1], 'Pad pads');
    const rank = rankOf(x);
    const axes = Array.from({ length: rank }, (_, i) => i);
    const starts = axes.map((i) => pads[i] as number);
    const ends = axes.map((i) => (pads[rank + i] === 0 ? TO_THE_END : -(pads[rank + i] as number)));
    const { g } = c;
    const dx = g.op(
      'Slice',
      [outputGradient(c), g.int64s(starts), g.int64s(ends), g.int64s(axes)],
      {},
      { outputShapes: [x.shape] },
    );
    return [dx, null, null];
  },
});
