import { describe, it } from 'vitest';
import type { GraphBuilder, TensorHandle } from '../../../src-main/engine/onnx';
import * as ops from '../../../src-main/engine/train/ops';
import { checkGradient } from './gradient-check';
import type { CheckedInput, GradientCheck } from './gradient-check';

type Build = (g: GraphBuilder, x: TensorHandle[]) => TensorHandle;
interface Case {
  name: string;
  inputs: CheckedInput[];
  build: Build;
  options?: Partial<GradientCheck>;
}

const input = (name: string, dims: number[], extra: Partial<CheckedInput> = {}): CheckedInput => ({
  name,
  dims,
  ...extra,
});

// ONNX Runtime's CPU Conv, ConvTranspose and LayerNormalization statistics are float32 only: these run in float32, where a
// linear op's central difference is exact up to rounding.
const float32: Partial<GradientCheck> = {
  type: 'float32',
  step: 1e-2,
  absolute: 2e-3,
  relative: 5e-3,
};

const convolutions: Case[] = [
  {
    name: '1-D, stride 2, pads 1/1, bias',
    inputs: [input('x', [2, 3, 9]), input('w', [4, 3, 3]), input('b', [4])],
    build: (g, [x, w, b]) => ops.conv(g, x!, w!, b!, { strides: [2], pads: [1, 1] }),
  },
  {
    name: '1-D, stride 3, dilation 2, asymmetric pads (uneven tail)',
    inputs: [input('x', [1, 2, 11]), input('w', [3, 2, 3])],
    build: (g, [x, w]) => ops.conv(g, x!, w!, null, { strides: [3], dilations: [2], pads: [2, 0] }),
  },
  {
    name: '1-D dense, stride 1, dilation 2, pads 2/1 (flipped-kernel input gradient)',
    inputs: [input('x', [2, 3, 8]), input('w', [2, 3, 3]), input('b', [2])],
    build: (g, [x, w, b]) => ops.conv(g, x!, w!, b!, { dilations: [2], pads: [2, 1] }),
  },
  {
    name: '2-D dense, stride 1, same padding',
    inputs: [input('x', [1, 2, 5, 4]), input('w', [3, 2, 3, 3])],
    build: (g, [x, w]) => ops.conv(g, x!, w!, null, { pads: [1, 1, 1, 1] }),
  },
  {
    name: '1-D depthwise (group = channels), same padding',
    inputs: [input('x', [2, 4, 10]), input('w', [4, 1, 5]), input('b', [4])],
    build: (g, [x, w, b]) => ops.conv(g, x!, w!, b!, { group: 4, pads: [2, 2] }),
  },
  {
    name: '1-D depthwise with channel multiplier 2 and stride 2',
    inputs: [input('x', [2, 3, 9]), input('w', [6, 1, 3])],
    build: (g, [x, w]) => ops.conv(g, x!, w!, null, { group: 3, strides: [2], pads: [1, 1] }),
  },
  {
    name: '2-D, stride 2×2 (subsampling)',
    inputs: [input('x', [2, 1, 9, 8]), input('w', [3, 1, 3, 3]), input('b', [3])],
    build: (g, [x, w, b]) => ops.conv(g, x!, w!, b!, { strides: [2, 2], pads: [1, 1, 1, 1] }),
  },
  {
    name: '2-D, 2 → 3 channels, stride 2×1, no pads',
    inputs: [input('x', [1, 2, 7, 5]), input('w', [3, 2, 3, 2])],
    build: (g, [x, w]) => ops.conv(g, x!, w!, null, { strides: [2, 1] }),
  },
  {
    name: '1-D over a symbolic time axis (run-time trimming)',
    inputs: [input('x', [2, 3, 10], { declaredShape: ['N', 3, 'T'] }), input('w', [2, 3, 3])],
    build: (g, [x, w]) => ops.conv(g, x!, w!, null, { strides: [2], pads: [1, 0] }),
  },
  {
    name: '1-D depthwise over a symbolic time axis',
    inputs: [input('x', [2, 3, 9], { declaredShape: ['N', 3, 'T'] }), input('w', [3, 1, 3])],
    build: (g, [x, w]) => ops.conv(g, x!, w!, null, { group: 3, pads: [1, 1] }),
  },
];

const normalization: Case[] = [
  {
    name: 'LayerNormalization primitive, last axis',
    inputs: [input('x', [2, 3, 5]), input('scale', [5]), input('bias', [5])],
    build: (g, [x, s, b]) => ops.layerNorm(g, x!, s!, b!),
    options: float32,
  },
  {
    name: 'LayerNormalization primitive, last two axes',
    inputs: [input('x', [2, 3, 4]), input('scale', [3, 4]), input('bias', [3, 4])],
    build: (g, [x, s, b]) => ops.layerNorm(g, x!, s!, b!, { axis: 1 }),
    options: float32,
  },
  {
    name: 'LayerNormalization composed from primitives (float64)',
    inputs: [input('x', [2, 3, 5]), input('scale', [5]), input('bias', [5])],
    build: (g, [x, s, b]) => ops.layerNormComposed(g, x!, s!, b!),
  },
];

const composites: Case[] = [
  { name: 'SiLU', inputs: [input('x', [2, 5])], build: (g, [x]) => ops.silu(g, x!) },
  { name: 'GLU', inputs: [input('x', [2, 6, 3])], build: (g, [x]) => ops.glu(g, x!, 1) },
  {
    name: 'feed-forward (linear, SiLU, linear)',
    inputs: [
      input('x', [2, 3, 4]),
      input('w1', [4, 6]),
      input('b1', [6]),
      input('w2', [6, 4]),
      input('b2', [4]),
    ],
    build: (g, [x, w1, b1, w2, b2]) =>
      ops.feedForward(g, x!, { w1: w1!, b1: b1!, w2: w2!, b2: b2! }),
  },
  {
    name: 'dropout with an explicit mask',
    inputs: [
      input('x', [2, 4]),
      input('mask', [2, 4], { data: [2, 0, 2, 2, 0, 0, 2, 2], differentiable: false }),
    ],
    build: (g, [x, m]) => ops.dropout(g, x!, m!),
  },
  {
    name: 'multi-head self-attention with a padding mask',
    inputs: [
      input('x', [2, 3, 4]),
      ...['query', 'key', 'value', 'output'].flatMap((n) => [
        input(n, [4, 4]),
        input(`${n}Bias`, [4]),
      ]),
      input('mask', [2, 1, 1, 3], { data: [0, 0, 0, 0, 0, -1e4], differentiable: false }),
    ],
    build: (g, [x, q, qb, k, kb, v, vb, o, ob, mask]) =>
      ops.selfAttention(
        g,
        x!,
        {
          query: q!,
          queryBias: qb!,
          key: k!,
          keyBias: kb!,
          value: v!,
          valueBias: vb!,
          output: o!,
          outputBias: ob!,
        },
        { heads: 2, maskBias: mask! },
      ),
  },
];

describe('gradients of convolutions match central differences (float32)', () => {
  it.each(convolutions)('$name', async (c) => {
    await checkGradient({ inputs: c.inputs, build: c.build, ...float32, ...c.options });
  });
});

describe.each([
  ['normalization', normalization],
  ['composite ops', composites],
])('gradients of %s match central differences', (_, cases) => {
  it.each(cases)('$name', async (c) => {
    await checkGradient({ inputs: c.inputs, build: c.build, ...c.options });
  });
});
