/**
 * N-D convolution (1-D over time, 2-D over time × frequency), with groups for depthwise
 * convolutions, strides, pads and dilations — and its gradient rule:
 * - input: with stride 1 a convolution with the flipped kernel, otherwise a ConvTranspose of the
 *   output gradient with the same weights;
 * - weights: for 1-D group-1 kernels one Gemm per tap; otherwise a convolution of the input with
 *   the output gradient, batch and channel axes swapped (the output gradient becomes the kernel,
 *   strides and dilations trade places), grouped as well for depthwise convolutions;
 * - bias: a sum over batch and positions.
 * Timings: test/engine/train/conv-benchmark.ts.
 */

import { HarkError } from '../../errors';
import type { Dim, GraphBuilder, TensorHandle } from '../../onnx';
import { defineOp } from '../autodiff/registry';
import type { Gradients } from '../autodiff/registry';
import { dimTensor } from '../autodiff/shapes';
import { outputGradient } from './elementwise';
import { reduceSum } from './reduce';
import { gemm } from './matmul';
import { TO_THE_END, concat, pad, reshape, transpose, unsqueeze } from './shape-ops';

export interface ConvOptions {
  /** Per spatial axis; default 1. */
  strides?: readonly number[];
  /** [begin of each spatial axis..., end of each...]; default 0. */
  pads?: readonly number[];
  /** Per spatial axis; default 1. */
  dilations?: readonly number[];
  /** Channel groups (= channels for a depthwise convolution); default 1. */
  group?: number;
}

interface ResolvedConv {
  strides: number[];
  pads: number[];
  dilations: number[];
  group: number;
  kernel: number[];
}

function resolve(w: TensorHandle, options: ConvOptions): ResolvedConv {
  const kernel = (w.shape ?? []).slice(2);
  if (!kernel.every((k): k is number => typeof k === 'number')) {
    throw new HarkError('INVALID_ARGUMENT', `conv weights ${w.name} need a static shape`);
  }
  const spatial = kernel.length;
  return {
    strides: [...(options.strides ?? new Array<number>(spatial).fill(1))],
    pads: [...(options.pads ?? new Array<number>(2 * spatial).fill(0))],
    dilations: [...(options.dilations ?? new Array<number>(spatial).fill(1))],
    group: options.group ?? 1,
    kernel,
  };
}

/** The output size along one axis; a symbolic input gives a name derived from it. */
function outputSize(size: Dim, axis: number, c: ResolvedConv): Dim {
  const k = c.kernel[axis] as number;
  const s = c.strides[axis] as number;
  const d = c.dilations[axis] as number;
  const before = c.pads[axis] as number;
  const after = c.pads[axis + c.kernel.length] as number;
  if (typeof size === 'number')
    return Math.floor((size + before + after - d * (k - 1) - 1) / s) + 1;
  if (size === null) return null;
  if (k === 1 && s === 1 && before === 0 && after === 0) return size;
  // Same formula on the same symbol gives the same size: name it by the formula.
  return `conv(${size};k${k}s${s}d${d}p${before},${after})`;
}

/**
 * y = conv(x, w) + b with x (N, C, ...spatial), w (O, C / group, ...kernel), b (O) or null.
 *
 * @example
 * const y = conv(g, x, w, b, { strides: [2], pads: [1, 1] }); // 1-D, halves the time axis
 * const dw = conv(g, x, wDepthwise, null, { group: channels, pads: [7, 7] });
 */
export const conv = defineOp('Conv', {
  forward: (
    g,
    x: TensorHandle,
    w: TensorHandle,
    b: TensorHandle | null,
    options: ConvOptions = {},
  ) => {
    const c = resolve(w, options);
    const shape =
      x.shape === undefined
        ? undefined
        : [
            x.shape[0] ?? null,
            w.shape?.[0] ?? null,
            ...x.shape.slice(2).map((size, axis) => outputSize(size, axis, c)),
          ];
    return g.op(
      'Conv',
      [x, w, b],
      { strides: c.strides, pads: c.pads, dilations: c.dilations, group: c.group },
      { outputShapes: [shape] },
    );
  },
  backward: (context): Gradients => {
    const { g } = context;
    const [x, w, b] = context.inputs;
    if (!x || !w) throw new HarkError('INTERNAL', 'Conv needs an input and weights');
    const dy = outputGradient(context);
    const c = resolve(w, {
      strides: context.attributes.strides as number[] | undefined,
      pads: context.attributes.pads as number[] | undefined,
      dilations: context.attributes.dilations as number[] | undefined,
      group: Number(context.attributes.group ?? 1),
    });
    return [
      context.needsGradient[0] ? inputGradient(g, x, w, dy, c) : null,
      context.needsGradient[1] ? weightGradient(g, x, w, dy, c) : null,
      b && context.needsGradient[2]
        ? reduceSum(g, dy, [0, ...c.kernel.map((_, i) => i + 2)], { keepdims: false })
        : null,
    ];
  },
});

function inputGradient(
  g: GraphBuilder,
  x: TensorHandle,
  w: TensorHandle,
  dy: TensorHandle,
  c: ResolvedConv,
): TensorHandle {
  const spatial = c.kernel.length;
  const sizes = (x.shape ?? []).slice(2);
  const flipped = flippedKernelInputGradient(g, x, w, dy, c);
  if (flipped !== undefined) return flipped;
  const common = { strides: c.strides, dilations: c.dilations, group: c.group };
  if (sizes.length === spatial && sizes.every((s): s is number => typeof s === 'number')) {
    // The positions the last window does not reach get output_padding (< stride).
    const outputPadding = sizes.map((size, i) => {
      const reach = (c.dilations[i] as number) * ((c.kernel[i] as number) - 1) + 1;
      const padded = size + (c.pads[i] as number) + (c.pads[i + spatial] as number);
      return (padded - reach) % (c.strides[i] as number);
    });
    return g.op(
      'ConvTranspose',
      [dy, w],
      { ...common, pads: c.pads, output_padding: outputPadding },
      {
        outputShapes: [x.shape],
      },
    );
  }
  // Symbolic sizes: trim only the leading pads, over-produce by stride − 1 at the end, then cut
  // to the input's size at run time.
  const pads = [...c.pads.slice(0, spatial), ...new Array<number>(spatial).fill(0)];
  const full = g.op('ConvTranspose', [dy, w], {
    ...common,
    pads,
    output_padding: c.strides.map((s) => s - 1),
  });
  const axes = c.kernel.map((_, i) => i + 2);
  const ends = g.op(
    'Concat',
    axes.map((axis) => dimTensor(g, x, axis)),
    { axis: 0 },
  );
  return g.op(
    'Slice',
    [full, g.int64s(axes.map(() => 0)), ends, g.int64s(axes)],
    {},
    {
      outputShapes: [x.shape],
    },
  );
}

/**
 * With stride 1 the input gradient is a plain convolution of the output gradient with the
 * kernel flipped (and in/out channels swapped). For depthwise kernels ONNX Runtime runs it faster
 * than ConvTranspose (C256, k15, T200, N16: 11–14 ms vs 13–18 ms), for dense ones about as fast.
 * Undefined when it does not apply (strides, pads wider than the kernel, groups other than 1 or
 * depthwise).
 */
function flippedKernelInputGradient(
  g: GraphBuilder,
  x: TensorHandle,
  w: TensorHandle,
  dy: TensorHandle,
  c: ResolvedConv,
): TensorHandle | undefined {
  const reach = c.kernel.map((k, i) => (c.dilations[i] as number) * (k - 1));
  const pads = [...reach, ...reach].map((r, i) => r - (c.pads[i] as number));
  if (c.strides.some((s) => s !== 1) || pads.some((p) => p < 0)) return undefined;
  const [filters, perGroup] = w.shape ?? [];
  const channels = x.shape?.[1];
  if (typeof filters !== 'number' || typeof perGroup !== 'number') return undefined;
  const kernelAxes = c.kernel.map((_, i) => i + 2);
  let kernel: TensorHandle;
  if (c.group === 1) {
    kernel = transpose(g, w, [1, 0, ...kernelAxes]); // (C, O, ...k)
  } else if (perGroup === 1 && channels === c.group) {
    kernel = reshape(g, w, [c.group, filters / c.group, ...c.kernel]); // (C, multiplier, ...k)
  } else {
    return undefined;
  }
  const flip = g.op(
    'Slice',
    [
      kernel,
      g.int64s(kernelAxes.map(() => -1)),
      g.int64s(kernelAxes.map(() => -TO_THE_END)),
      g.int64s(kernelAxes),
      g.int64s(kernelAxes.map(() => -1)),
    ],
    {},
    { outputShapes: [kernel.shape] },
  );
  return g.op(
    'Conv',
    [dy, flip],
    { strides: c.strides, pads, dilations: c.dilations, group: c.group },
    { outputShapes: [x.shape] },
  );
}

function weightGradient(
  g: GraphBuilder,
  x: TensorHandle,
  w: TensorHandle,
  dy: TensorHandle,
  c: ResolvedConv,
): TensorHandle {
  const spatial = c.kernel.length;
  const swap = [1, 0, ...c.kernel.map((_, i) => i + 2)];
  const channels = x.shape?.[1];
  const filters = w.shape?.[0];
  const depthwise = c.group > 1 && w.shape?.[1] === 1 && channels === c.group;
  if (c.group !== 1 && !depthwise) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `the gradient of Conv supports group 1 and depthwise groups, not group ${c.group} of ${w.name}`,
    );
  }
  if (!depthwise) {
    const byTaps = weightGradientByTaps(g, x, w, dy, c);
    if (byTaps !== undefined) return byTaps;
  }
  // Kernel taps k of the weight gradient: Σ_n,t dy[n, o, t] · x[n, c, t·stride + k·dilation].
  const swapped = {
    strides: c.dilations,
    dilations: c.strides,
    pads: c.pads,
  };
  const dyAsKernel = transpose(g, dy, swap); // (O, N, ...out)
  let taps: TensorHandle;
  if (!depthwise) {
    const xAsBatch = transpose(g, x, swap); // (C, N, ...in)
    taps = g.op('Conv', [xAsBatch, dyAsKernel], { ...swapped, group: 1 }); // (C, O, ...K')
  } else {
    // One batch of C·N channels; group c holds channel c of every utterance.
    const xAsChannels = reshape(g, transpose(g, x, swap), [
      1,
      -1,
      ...new Array<number>(spatial).fill(0),
    ]);
    taps = g.op('Conv', [xAsChannels, dyAsKernel], { ...swapped, group: c.group }); // (1, O, ...K')
  }
  // K' ≥ K (positions past the last window): keep the first K taps.
  const axes = c.kernel.map((_, i) => i + 2);
  const cutShape = depthwise
    ? [1, filters ?? null, ...c.kernel]
    : [channels ?? null, filters ?? null, ...c.kernel];
  const cut = g.op(
    'Slice',
    [taps, g.int64s(axes.map(() => 0)), g.int64s(c.kernel), g.int64s(axes)],
    {},
    {
      outputShapes: [cutShape],
    },
  );
  if (depthwise) return reshape(g, cut, [filters as number, 1, ...c.kernel]);
  return transpose(g, cut, swap);
}

/** 1-D kernels with at most this many taps get their weight gradient as one Gemm per tap. */
const MAX_TAPS_FOR_GEMMS = 16;

/**
 * Weight gradient of a group-1 convolution as one big Gemm per kernel tap:
 * dW[:, :, j] = dy (O, N·out) · x_j (N·out, C)ᵀ, x_j being the input positions tap j sees.
 * For 1-D convolutions ONNX Runtime runs these 2–3× faster than the swapped convolution (C256,
 * k3, T200, N16: 37–73 ms vs 104–180 ms on this CPU); for 2-D 3×3 kernels they are no faster, so
 * those keep the swapped convolution (A/B measured on one thread while writing this).
 */
function weightGradientByTaps(
  g: GraphBuilder,
  x: TensorHandle,
  w: TensorHandle,
  dy: TensorHandle,
  c: ResolvedConv,
): TensorHandle | undefined {
  const [filters, channels] = w.shape ?? [];
  const taps = c.kernel.reduce((a, b) => a * b, 1);
  const spatial = c.kernel.length;
  if (typeof filters !== 'number' || typeof channels !== 'number') return undefined;
  if (spatial !== 1 || taps > MAX_TAPS_FOR_GEMMS) return undefined;
  const axes = c.kernel.map((_, i) => i + 2);
  const swap = [1, 0, ...axes];
  const padded = c.pads.some((p) => p !== 0)
    ? pad(g, x, [0, 0, ...c.pads.slice(0, spatial), 0, 0, ...c.pads.slice(spatial)])
    : x;
  const channelsFirst = transpose(g, padded, swap); // (C, N, ...in + pads)
  const outputRows = reshape(g, transpose(g, dy, swap), [filters, -1]); // (O, N·out)
  // Tap j covers positions j·dilation, j·dilation + stride, ... : `out` of them per axis.
  const outSizes = axes.map((axis) => {
    const size = dy.shape?.[axis];
    return typeof size === 'number' ? size : dimTensor(g, dy, axis);
  });
  const columns: TensorHandle[] = [];
  for (let tap = 0; tap < taps; tap++) {
    const offsets: number[] = [];
    let rest = tap;
    for (let i = spatial - 1; i >= 0; i--) {
      const k = c.kernel[i] as number;
      offsets[i] = (rest % k) * (c.dilations[i] as number);
      rest = Math.floor(rest / k);
    }
    const ends = outSizes.map((size, i) => {
      const stride = c.strides[i] as number;
      const start = offsets[i] as number;
      if (typeof size === 'number') return start + (size - 1) * stride + 1;
      const span = g.op('Mul', [g.op('Sub', [size, g.int64s([1])]), g.int64s([stride])]);
      return g.op('Add', [span, g.int64s([start + 1])]);
    });
    const endTensor = ends.every((e): e is number => typeof e === 'number')
      ? g.int64s(ends)
      : g.op(
          'Concat',
          ends.map((e) => (typeof e === 'number' ? g.int64s([e]) : e)),
          { axis: 0 },
        );
    const seen = g.op('Slice', [
      channelsFirst,
      g.int64s(offsets),
      endTensor,
      g.int64s(axes),
      g.int64s(c.strides),
    ]);
    const rows = reshape(g, seen, [channels, -1]); // (C, N·out)
    const product = gemm(g, outputRows, rows, null, { transB: 1 }); // (O, C)
    columns.push(unsqueeze(g, product, [2]));
  }
  const stacked = taps === 1 ? (columns[0] as TensorHandle) : concat(g, columns, 2); // (O, C, taps)
  return reshape(g, stacked, [filters, channels, ...c.kernel]);
}
