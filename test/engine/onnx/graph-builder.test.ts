import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import {
  GraphBuilder,
  castTo,
  decodeModel,
  encodeModel,
  float,
  summarizeModel,
  tensorValue,
} from '../../../src-main/engine/onnx';
import type { ModelProto } from '../../../src-main/engine/onnx';

async function run(
  bytes: Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

function floats(tensor: ort.Tensor | undefined): number[] {
  if (tensor === undefined) throw new Error('missing output');
  return Array.from(tensor.data as Float32Array);
}

describe('GraphBuilder models in onnxruntime-node', () => {
  it('computes relu(x·W + b) like plain JS, with a symbolic batch', async () => {
    const g = new GraphBuilder({ name: 'affine' });
    const x = g.input('x', 'float32', ['batch', 3]);
    const wData = new Float32Array([0.5, -1, 2, 0.25, -0.75, 1.5]);
    const bData = new Float32Array([0.1, -0.2]);
    const w = g.initializer('w', wData, [3, 2]);
    const b = g.initializer('b', bData, [2]);
    const y = g.op('Relu', [g.op('Add', [g.op('MatMul', [x, w]), b])]);
    g.output(y, 'y');
    const xData = new Float32Array([1, 2, 3, -1, 0.5, -2, 0, 0, 0, 4, -3, 1]);

    const { y: out } = await run(g.toModelBytes(), { x: new ort.Tensor('float32', xData, [4, 3]) });

    const expected: number[] = [];
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 2; c++) {
        let sum = bData[c] as number;
        for (let k = 0; k < 3; k++)
          sum += (xData[r * 3 + k] as number) * (wData[k * 2 + c] as number);
        expected.push(Math.max(0, sum));
      }
    }
    expect(out?.dims).toEqual([4, 2]);
    floats(out).forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 5));
  });

  it('writes float, int, ints, string and tensor attributes the way ORT reads them', async () => {
    const g = new GraphBuilder();
    const a = g.input('a', 'float32', [2, 3]);
    const b = g.input('b', 'float32', [2, 3]);
    // Gemm: alpha (FLOAT by name even though whole), transB (INT).
    const gemm = g.op('Gemm', [a, b], { alpha: 2, beta: float(1), transB: 1 });
    // LeakyRelu alpha 0.1 (non-integer), Transpose perm (INTS), negative axis.
    const leaky = g.op('LeakyRelu', [g.constant([-10, 10], { dims: [1, 2] })], { alpha: 0.1 });
    const transposed = g.op('Transpose', [a], { perm: [1, 0] });
    const concat = g.op('Concat', [transposed, transposed], { axis: -1 });
    // ConstantOfShape takes a TENSOR attribute; Cast an INT 'to'.
    const filled = g.op('ConstantOfShape', [g.int64s([2, 2])], {
      value: tensorValue(new Float32Array([7.5]), [1]),
    });
    const cast = g.op('Cast', [filled], { to: castTo('int64') });
    // Pad mode is a STRING.
    const padded = g.op('Pad', [a, g.int64s([0, 1, 0, 0])], { mode: 'reflect' });
    g.output(gemm, 'gemm');
    g.output(leaky, 'leaky');
    g.output(concat, 'concat');
    g.output(cast, 'cast');
    g.output(padded, 'padded');
    expect(cast.type).toBe('int64');

    const aData = new Float32Array([1, 2, 3, 4, 5, 6]);
    const bData = new Float32Array([1, 0, -1, 2, 1, 0]);
    const out = await run(g.toModelBytes(), {
      a: new ort.Tensor('float32', aData, [2, 3]),
      b: new ort.Tensor('float32', bData, [2, 3]),
    });

    // gemm = 2 · a · bᵀ
    expect(floats(out.gemm)).toEqual([2 * (1 - 3), 2 * (2 + 2), 2 * (4 - 6), 2 * (8 + 5)]);
    floats(out.leaky).forEach((v, i) => expect(v).toBeCloseTo([-1, 10][i] as number, 6));
    expect(out.concat?.dims).toEqual([3, 4]);
    expect(floats(out.concat)).toEqual([1, 4, 1, 4, 2, 5, 2, 5, 3, 6, 3, 6]);
    expect(Array.from(out.cast?.data as BigInt64Array)).toEqual([7n, 7n, 7n, 7n]);
    expect(floats(out.padded)).toEqual([2, 1, 2, 3, 5, 4, 5, 6]);
  });

  it('runs a Loop whose body graph uses an outer-scope value', async () => {
    // Sums x + step·i for i in 0..n-1 with a loop-carried value.
    const g = new GraphBuilder();
    const trips = g.input('trips', 'int64', []);
    const x = g.input('x', 'float32', [3]);
    const step = g.constant(0.5);
    const body = g.subgraph('sum_body');
    const i = body.input('i', 'int64', []);
    const cond = body.input('cond_in', 'bool', []);
    const acc = body.input('acc_in', 'float32', [3]);
    const term = body.op('Add', [
      x,
      body.op('Mul', [step, body.op('Cast', [i], { to: castTo('float32') })]),
    ]);
    body.output(body.op('Identity', [cond]), 'cond_out');
    body.output(body.op('Add', [acc, term]), 'acc_out');
    const [total] = g.node('Loop', [trips, null, g.constant(new Float32Array(3), { dims: [3] })], {
      body,
    });
    g.output(total!, 'total');

    const xData = new Float32Array([1, -2, 3]);
    const out = await run(g.toModelBytes(), {
      trips: new ort.Tensor('int64', new BigInt64Array([4n]), []),
      x: new ort.Tensor('float32', xData, [3]),
    });
    // 4·x + 0.5·(0+1+2+3)
    expect(floats(out.total)).toEqual(Array.from(xData, (v) => 4 * v + 3));
  });

  it('runs a Scan over the first axis (cumulative sum)', async () => {
    const g = new GraphBuilder();
    const sequence = g.input('sequence', 'float32', ['T', 2]);
    const body = g.subgraph('cumsum_body');
    const state = body.input('state_in', 'float32', [2]);
    const item = body.input('item', 'float32', [2]);
    const next = body.op('Add', [state, item]);
    body.output(next, 'state_out');
    body.output(body.op('Identity', [next]), 'scan_out');
    const [finalState, partials] = g.node(
      'Scan',
      [g.constant(new Float32Array(2), { dims: [2] }), sequence],
      { body, num_scan_inputs: 1 },
      { outputs: 2 },
    );
    g.output(finalState!, 'final');
    g.output(partials!, 'partials');

    const out = await run(g.toModelBytes(), {
      sequence: new ort.Tensor('float32', new Float32Array([1, 10, 2, 20, 3, 30]), [3, 2]),
    });
    expect(floats(out.final)).toEqual([6, 60]);
    expect(floats(out.partials)).toEqual([1, 10, 3, 30, 6, 60]);
  });

  it('gives ORT initializers written with float_data and int64_data (other tools do)', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [2, 2]);
    const w = g.initializer('w', new Float32Array([1, 2, 3, 4]), [2, 2]);
    const y = g.op('Reshape', [g.op('Mul', [x, w]), g.int64s([4])]);
    g.output(y, 'y');
    const model: ModelProto = g.toModelProto();
    for (const t of model.graph.initializers) {
      const raw = t.rawData!;
      delete t.rawData;
      if (t.dataType === 1) t.floatData = Array.from(new Float32Array(raw.slice().buffer));
      else t.int64Data = Array.from(new BigInt64Array(raw.slice().buffer));
    }
    const out = await run(encodeModel(model), {
      x: new ort.Tensor('float32', new Float32Array([1, 1, 2, 2]), [2, 2]),
    });
    expect(out.y?.dims).toEqual([4]);
    expect(floats(out.y)).toEqual([1, 2, 6, 8]);
  });

  it('round-trips a model through decode and encode without changing what ORT computes', async () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['N', 'T']);
    g.output(g.op('Softmax', [g.op('Mul', [x, g.constant(2)])], { axis: -1 }), 'p');
    g.metadata('vocab_size', 5);
    const bytes = g.toModelBytes();
    const again = encodeModel(decodeModel(bytes));
    expect(again).toEqual(bytes);
    expect(summarizeModel(decodeModel(again)).metadata).toEqual({ vocab_size: '5' });
    const feeds = { x: new ort.Tensor('float32', new Float32Array([0, 1, 2, 3]), [1, 4]) };
    expect(floats((await run(again, feeds)).p)).toEqual(floats((await run(bytes, feeds)).p));
  });
});
