/**
 * LayerNormalization as one primitive (analytic gradient) vs composed from primitives
 * (autodiff-derived gradient): forward + backward time on CPU.
 * Run: npx tsx test/engine/train/layer-norm-benchmark.ts [threads]
 */
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src-main/engine/onnx';
import type { TensorHandle } from '../../../src-main/engine/onnx';
import { gradients } from '../../../src-main/engine/train/autodiff/gradients';
import { layerNorm, layerNormComposed, mul, reduceSum } from '../../../src-main/engine/train/ops';

const [batch, frames, width] = [16, 200, 256];
const threads = Number(process.argv[2] ?? 1);

async function measure(label: string, norm: typeof layerNorm): Promise<void> {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [batch, frames, width]);
  const scale = g.input('scale', 'float32', [width]);
  const bias = g.input('bias', 'float32', [width]);
  const probe = g.input('probe', 'float32', [batch, frames, width]);
  const loss = reduceSum(g, mul(g, norm(g, x, scale, bias), probe), undefined, { keepdims: false });
  const grads = gradients(g, loss, [x, scale, bias]);
  for (const name of ['x', 'scale', 'bias']) g.output(grads.get(name) as TensorHandle, `d_${name}`);
  const nodes = g.nodes.length;
  const session = await ort.InferenceSession.create(g.toModelBytes(), {
    intraOpNumThreads: threads,
    graphOptimizationLevel: 'all',
  });
  const size = batch * frames * width;
  const random = () => new Float32Array(size).map(() => Math.random() - 0.5);
  const feeds = {
    x: new ort.Tensor('float32', random(), [batch, frames, width]),
    scale: new ort.Tensor('float32', new Float32Array(width).fill(1), [width]),
    bias: new ort.Tensor('float32', new Float32Array(width), [width]),
    probe: new ort.Tensor('float32', random(), [batch, frames, width]),
  };
  for (let i = 0; i < 3; i++) await session.run(feeds);
  const runs = 20;
  const start = performance.now();
  for (let i = 0; i < runs; i++) await session.run(feeds);
  const ms = (performance.now() - start) / runs;
  console.log(
    `${label.padEnd(10)} ${nodes} nodes, forward+backward ${ms.toFixed(2)} ms (${batch}×${frames}×${width}, ${threads} thread(s))`,
  );
  await session.release();
}

async function main(): Promise<void> {
  await measure('primitive', layerNorm);
  await measure('composed', layerNormComposed);
  await measure('primitive', layerNorm);
  await measure('composed', layerNormComposed);
}

void main();
