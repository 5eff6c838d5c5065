import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src-main/engine/onnx';
import type { TensorHandle } from '../../../src-main/engine/onnx';
import { defineGradient, gradients } from '../../../src-main/engine/train/autodiff/gradients';
import { add, exp, matmul, mul, reduceSum, tanh } from '../../../src-main/engine/train/ops';
import { checkGradient } from './gradient-check';

async function run(g: GraphBuilder, feeds: Record<string, ort.Tensor>) {
  const session = await ort.InferenceSession.create(g.toModelBytes());
  try {
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

describe('reverse-mode autodiff', () => {
  it('emits nothing for branches that lead only to frozen tensors', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2, 3]);
    const trained = g.input('trained', 'float32', [3, 3]);
    const frozen = g.input('frozen', 'float32', [3, 3]);
    const a = tanh(g, matmul(g, x, trained));
    const b = tanh(g, matmul(g, x, frozen));
    const loss = reduceSum(g, add(g, a, b), undefined, { keepdims: false });
    const before = g.nodes.length;
    const grads = gradients(g, loss, [trained]);
    const emitted = g.nodes.slice(before);

    expect([...grads.keys()]).toEqual(['trained']);
    const frozenBranch = new Set([frozen.name, b.name, b.producer?.inputs[0]?.name]);
    for (const node of emitted) {
      for (const input of node.inputs) expect(frozenBranch.has(input?.name)).toBe(false);
    }
    // Tanh backward (3) + MatMul weight gradient (1) + the loss's seed plumbing: a handful.
    expect(emitted.length).toBeLessThan(12);
  });

  it('returns no gradient for a tensor the loss does not depend on', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [3]);
    const unused = g.input('unused', 'float32', [3]);
    const loss = reduceSum(g, exp(g, x), undefined, { keepdims: false });
    const grads = gradients(g, loss, [x, unused]);
    expect(grads.has('x')).toBe(true);
    expect(grads.has('unused')).toBe(false);
  });

  it('sums the gradients of a value used along several paths', async () => {
    // f(x) = Σ x·x + tanh(x) + x  →  f'(x) = 2x + 1 − tanh²(x) + 1
    await checkGradient({
      inputs: [{ name: 'x', dims: [6] }],
      build: (g, [x]) => add(g, add(g, mul(g, x!, x!), tanh(g, x!)), x!),
    });
  });

  it('uses a declared custom gradient instead of walking the nodes inside it', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [4]);
    // A span the op table cannot differentiate: TopK. Its declared gradient is 3 · dy.
    const doubled = mul(g, x, g.constant(2));
    const [sorted] = g.node(
      'TopK',
      [doubled, g.int64s([4])],
      { axis: 0 },
      {
        outputs: 2,
        outputTypes: ['float32', 'int64'],
        outputShapes: [[4], [4]],
      },
    );
    const span = sorted as TensorHandle;
    defineGradient(g, {
      inputs: [x],
      outputs: [span],
      backward: (builder, [dy]) => [mul(builder, dy as TensorHandle, builder.constant(3))],
    });
    const loss = reduceSum(g, span, undefined, { keepdims: false });
    const grads = gradients(g, loss, [x]);
    g.output(grads.get('x') as TensorHandle, 'dx');
    const out = await run(g, {
      x: new ort.Tensor('float32', new Float32Array([1, -2, 3, 0]), [4]),
    });
    expect(Array.from(out.dx?.data as Float32Array)).toEqual([3, 3, 3, 3]);
  });

  it('names the op when a path to the loss has no gradient rule', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [4]);
    const [values] = g.node(
      'TopK',
      [x, g.int64s([2])],
      { axis: 0 },
      {
        outputs: 2,
        outputTypes: ['float32', 'int64'],
        outputShapes: [[2], [2]],
      },
    );
    const loss = reduceSum(g, values as TensorHandle, undefined, { keepdims: false });
    expect(() => gradients(g, loss, [x])).toThrow(/no gradient rule for TopK/);
  });
});
