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

const x = (dims: number[], extra: Partial<CheckedInput> = {}): CheckedInput => ({
  name: 'x',
  dims,
  ...extra,
});
const y = (dims: number[], extra: Partial<CheckedInput> = {}): CheckedInput => ({
  name: 'y',
  dims,
  ...extra,
});
const positive = (n: number) => Array.from({ length: n }, (_, i) => 0.5 + ((i * 0.37) % 1.5));

const elementwise: Case[] = [
  {
    name: 'Add (broadcast over rows)',
    inputs: [x([3, 4]), y([4])],
    build: (g, [a, b]) => ops.add(g, a!, b!),
  },
  {
    name: 'Add (keepdims broadcast)',
    inputs: [x([2, 1, 4]), y([2, 3, 1])],
    build: (g, [a, b]) => ops.add(g, a!, b!),
  },
  { name: 'Sub', inputs: [x([2, 3]), y([2, 1])], build: (g, [a, b]) => ops.sub(g, a!, b!) },
  {
    name: 'Mul (scalar broadcast)',
    inputs: [x([2, 3]), y([])],
    build: (g, [a, b]) => ops.mul(g, a!, b!),
  },
  {
    name: 'Div',
    inputs: [x([2, 3]), y([3], { data: [0.7, -1.3, 2.1] })],
    build: (g, [a, b]) => ops.div(g, a!, b!),
  },
  { name: 'Neg', inputs: [x([5])], build: (g, [a]) => ops.neg(g, a!) },
  { name: 'Exp', inputs: [x([2, 3])], build: (g, [a]) => ops.exp(g, a!) },
  { name: 'Log', inputs: [x([6], { data: positive(6) })], build: (g, [a]) => ops.log(g, a!) },
  { name: 'Sqrt', inputs: [x([6], { data: positive(6) })], build: (g, [a]) => ops.sqrt(g, a!) },
  { name: 'Pow 2', inputs: [x([5])], build: (g, [a]) => ops.pow(g, a!, 2) },
  {
    name: 'Pow 1.5',
    inputs: [x([5], { data: positive(5) })],
    build: (g, [a]) => ops.pow(g, a!, 1.5),
  },
  {
    name: 'Pow -0.5',
    inputs: [x([5], { data: positive(5) })],
    build: (g, [a]) => ops.pow(g, a!, -0.5),
  },
  {
    name: 'Relu',
    inputs: [x([8], { data: [-1, -0.5, -0.1, 0.1, 0.3, 0.7, 1, -2] })],
    build: (g, [a]) => ops.relu(g, a!),
  },
  { name: 'Sigmoid', inputs: [x([2, 4])], build: (g, [a]) => ops.sigmoid(g, a!) },
  { name: 'Tanh', inputs: [x([2, 4])], build: (g, [a]) => ops.tanh(g, a!) },
  {
    name: 'Where (mask, broadcast)',
    inputs: [{ name: 'mask', dims: [2, 1], type: 'bool', data: [1, 0] }, x([2, 3]), y([3])],
    build: (g, [m, a, b]) => ops.where(g, m!, a!, b!),
  },
  {
    name: 'Cast float64 → float32 → float64',
    inputs: [x([4])],
    build: (g, [a]) =>
      ops.cast(g, ops.mul(g, ops.cast(g, a!, 'float32'), g.constant(3)), 'float64'),
    options: { step: 1e-2, absolute: 1e-4, relative: 1e-4 },
  },
];

const products: Case[] = [
  {
    name: 'MatMul 2-D',
    inputs: [x([3, 4]), y([4, 2])],
    build: (g, [a, b]) => ops.matmul(g, a!, b!),
  },
  {
    name: 'MatMul batched @ weight',
    inputs: [x([2, 3, 4]), y([4, 5])],
    build: (g, [a, b]) => ops.matmul(g, a!, b!),
  },
  {
    name: 'MatMul batched @ batched',
    inputs: [x([2, 2, 3, 4]), y([2, 2, 4, 3])],
    build: (g, [a, b]) => ops.matmul(g, a!, b!),
  },
  {
    name: 'MatMul broadcast batch',
    inputs: [x([2, 3, 4]), y([1, 4, 3])],
    build: (g, [a, b]) => ops.matmul(g, a!, b!),
  },
  {
    name: 'Gemm transB + bias',
    inputs: [x([3, 4]), y([5, 4]), { name: 'c', dims: [5] }],
    build: (g, [a, b, c]) => ops.gemm(g, a!, b!, c!, { transB: 1 }),
  },
  {
    name: 'Gemm transA, alpha, beta',
    inputs: [x([4, 3]), y([4, 2]), { name: 'c', dims: [3, 1] }],
    build: (g, [a, b, c]) => ops.gemm(g, a!, b!, c!, { transA: 1, alpha: 0.5, beta: 2 }),
  },
  {
    name: 'Gemm transA + transB',
    inputs: [x([4, 3]), y([2, 4])],
    build: (g, [a, b]) => ops.gemm(g, a!, b!, null, { transA: 1, transB: 1 }),
  },
];

const reductions: Case[] = [
  {
    name: 'ReduceSum keepdims',
    inputs: [x([2, 3, 4])],
    build: (g, [a]) => ops.reduceSum(g, a!, [1]),
  },
  {
    name: 'ReduceSum all, no keepdims',
    inputs: [x([2, 3])],
    build: (g, [a]) => ops.reduceSum(g, a!, undefined, { keepdims: false }),
  },
  {
    name: 'ReduceMean two axes',
    inputs: [x([2, 3, 4])],
    build: (g, [a]) => ops.reduceMean(g, a!, [0, -1], { keepdims: false }),
  },
  {
    name: 'ReduceMean over a symbolic axis',
    inputs: [x([2, 5, 3], { declaredShape: ['N', 'T', 3] })],
    build: (g, [a]) => ops.reduceMean(g, a!, [1]),
  },
  { name: 'Softmax', inputs: [x([2, 5])], build: (g, [a]) => ops.softmax(g, a!, -1) },
  { name: 'Softmax axis 1 of 3', inputs: [x([2, 3, 2])], build: (g, [a]) => ops.softmax(g, a!, 1) },
  { name: 'LogSoftmax', inputs: [x([3, 4])], build: (g, [a]) => ops.logSoftmax(g, a!, -1) },
];

const shapes: Case[] = [
  { name: 'Transpose', inputs: [x([2, 3, 4])], build: (g, [a]) => ops.transpose(g, a!, [2, 0, 1]) },
  {
    name: 'Reshape with 0 and -1',
    inputs: [x([2, 3, 4])],
    build: (g, [a]) => ops.reshape(g, a!, [0, -1, 2]),
  },
  {
    name: 'Reshape of a symbolic shape',
    inputs: [x([2, 6], { declaredShape: ['N', 6] })],
    build: (g, [a]) => ops.reshape(g, a!, [0, 2, 3]),
  },
  { name: 'Unsqueeze', inputs: [x([2, 3])], build: (g, [a]) => ops.unsqueeze(g, a!, [0, -1]) },
  { name: 'Squeeze', inputs: [x([2, 1, 3, 1])], build: (g, [a]) => ops.squeeze(g, a!, [1, 3]) },
  {
    name: 'Slice static with negative end',
    inputs: [x([4, 5])],
    build: (g, [a]) => ops.slice(g, a!, { starts: [1, 0], ends: [-1, 3], axes: [0, 1] }),
  },
  {
    name: 'Slice of a symbolic axis',
    inputs: [x([2, 7], { declaredShape: ['N', 'T'] })],
    build: (g, [a]) => ops.slice(g, a!, { starts: [1], ends: [-2], axes: [1] }),
  },
  {
    name: 'Concat',
    inputs: [x([2, 3]), y([2, 2])],
    build: (g, [a, b]) => ops.concat(g, [a!, b!, a!], -1),
  },
  {
    name: 'Concat symbolic',
    inputs: [x([2, 3], { declaredShape: ['N', 'A'] }), y([2, 2], { declaredShape: ['N', 'B'] })],
    build: (g, [a, b]) => ops.concat(g, [a!, b!], 1),
  },
  {
    name: 'Split (one piece unused)',
    inputs: [x([2, 6])],
    build: (g, [a]) => {
      const [p, , r] = ops.split(g, a!, [2, 1, 3], 1);
      return ops.concat(g, [ops.mul(g, p!, p!), r!], 1);
    },
  },
  {
    name: 'Gather rows with repeats (embedding)',
    inputs: [x([5, 3]), { name: 'ids', dims: [2, 3], type: 'int64', data: [0, 4, 4, 2, 0, 4] }],
    build: (g, [table, ids]) => ops.gather(g, table!, ids!, 0),
  },
  { name: 'Expand', inputs: [x([3, 1])], build: (g, [a]) => ops.expand(g, a!, [2, 3, 4]) },
  { name: 'Pad', inputs: [x([2, 3])], build: (g, [a]) => ops.pad(g, a!, [1, 0, 0, 2]) },
];

describe.each([
  ['elementwise', elementwise],
  ['products', products],
  ['reductions and softmax', reductions],
  ['shape ops', shapes],
])('gradients of %s match central differences (float64)', (_, cases) => {
  it.each(cases)('$name', async (c) => {
    await checkGradient({ inputs: c.inputs, build: c.build, ...c.options });
  });
});
