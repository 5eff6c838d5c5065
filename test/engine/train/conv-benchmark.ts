/**
 * Convolution forward vs its gradients (input, weights) on one CPU thread, for the shapes a
 * Conformer-style CTC model uses. Run: npx tsx test/engine/train/conv-benchmark.ts
 * Each gradient figure includes the forward convolution and the loss.
 */
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src-main/engine/onnx';
import type { TensorHandle } from '../../../src-main/engine/onnx';
import { gradients } from '../../../src-main/engine/train/autodiff/gradients';
import { conv, mul, reduceSum } from '../../../src-main/engine/train/ops';

async function bench(
  label: string,
  xDims: number[],
  wDims: number[],
  opts: Parameters<typeof conv>[4],
  wrt: string[],
) {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', xDims);
  const w = g.input('w', 'float32', wDims);
  const y = conv(g, x, w, null, opts);
  if (wrt.length === 0) g.output(y, 'y');
  else {
    const loss = reduceSum(g, mul(g, y, y), undefined, { keepdims: false });
    const grads = gradients(
      g,
      loss,
      wrt.map((n) => (n === 'x' ? x : w)),
    );
    for (const n of wrt) g.output(grads.get(n) as TensorHandle, 'd' + n);
  }
  const s = await ort.InferenceSession.create(g.toModelBytes(), { intraOpNumThreads: 1 });
  const size = (d: number[]) => d.reduce((a, b) => a * b, 1);
  const feeds = {
    x: new ort.Tensor(
      'float32',
      new Float32Array(size(xDims)).map(() => Math.random()),
      xDims,
    ),
    w: new ort.Tensor(
      'float32',
      new Float32Array(size(wDims)).map(() => Math.random()),
      wDims,
    ),
  };
  for (let i = 0; i < 2; i++) await s.run(feeds);
  const runs = 10;
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await s.run(feeds);
    best = Math.min(best, performance.now() - t);
  }
  console.log(
    label.padEnd(36),
    (wrt.join('+') || 'forward').padEnd(8),
    best.toFixed(1),
    'ms (best of 10)',
  );
}
async function main() {
  const cases: [string, number[], number[], Parameters<typeof conv>[4]][] = [
    ['depthwise C256 k15 T200 N16', [16, 256, 200], [256, 1, 15], { group: 256, pads: [7, 7] }],
    ['conv1d C256→256 k3 T200 N16', [16, 256, 200], [256, 256, 3], { pads: [1, 1] }],
    [
      'conv2d C1→32 k3 s2 800×80 N8',
      [8, 1, 800, 80],
      [32, 1, 3, 3],
      { strides: [2, 2], pads: [1, 1, 1, 1] },
    ],
    [
      'conv2d C32→32 k3 s2 400×40 N8',
      [8, 32, 400, 40],
      [32, 32, 3, 3],
      { strides: [2, 2], pads: [1, 1, 1, 1] },
    ],
  ];
  for (const c of cases)
    for (const wrt of [[], ['x'], ['w']]) await bench(c[0], c[1], c[2], c[3], wrt);
}
void main();
