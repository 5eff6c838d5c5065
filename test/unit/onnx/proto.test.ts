import { describe, expect, it } from 'vitest';
import {
  AttributeType,
  DataType,
  GraphBuilder,
  decodeModel,
  decodeTensor,
  encodeModel,
  encodeTensor,
  floatInitializers,
  initializerByName,
  summarizeModel,
  tensorData,
  tensorToFloat32,
} from '../../../src-main/engine/onnx';
import type { ModelProto } from '../../../src-main/engine/onnx';
import { ProtoReader, ProtoWriter } from '../../../src-main/engine/onnx/wire';
import { HarkError } from '../../../src-main/engine/errors';

function fullModel(): ModelProto {
  const body = {
    name: 'body',
    nodes: [{ inputs: ['s'], outputs: ['t'], opType: 'Neg', attributes: [] }],
    initializers: [],
    inputs: [{ name: 's', type: { elemType: DataType.FLOAT, shape: [] } }],
    outputs: [{ name: 't', type: { elemType: DataType.FLOAT } }],
    valueInfos: [],
  };
  return {
    irVersion: 8,
    opsetImports: [
      { domain: '', version: 17 },
      { domain: 'com.microsoft', version: 1 },
    ],
    producerName: 'hark',
    producerVersion: '0.1.0',
    domain: 'hark.test',
    modelVersion: 3,
    docString: 'everything',
    graph: {
      name: 'main',
      docString: 'graph doc',
      nodes: [
        {
          inputs: ['x', '', 'w'],
          outputs: ['y', 'z'],
          name: 'n0',
          opType: 'Custom',
          domain: 'com.microsoft',
          docString: 'node doc',
          attributes: [
            { name: 'f', type: AttributeType.FLOAT, f: 0.25 },
            { name: 'i', type: AttributeType.INT, i: -7 },
            { name: 'big', type: AttributeType.INT, i: 2 ** 40 + 3 },
            { name: 's', type: AttributeType.STRING, s: new TextEncoder().encode('reflect') },
            { name: 'floats', type: AttributeType.FLOATS, floats: [1.5, -2] },
            { name: 'ints', type: AttributeType.INTS, ints: [0, -1, 300] },
            {
              name: 'strings',
              type: AttributeType.STRINGS,
              strings: [new Uint8Array([97]), new Uint8Array([98, 99])],
            },
            {
              name: 't',
              type: AttributeType.TENSOR,
              t: {
                name: '',
                dataType: DataType.INT64,
                dims: [2],
                rawData: new Uint8Array(new BigInt64Array([5n, -5n]).buffer),
              },
            },
            { name: 'g', type: AttributeType.GRAPH, g: body },
            { name: 'graphs', type: AttributeType.GRAPHS, graphs: [body, body] },
          ],
        },
      ],
      initializers: [
        {
          name: 'w',
          dataType: DataType.FLOAT,
          dims: [2, 3],
          rawData: new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer),
        },
        { name: 'fd', dataType: DataType.FLOAT, dims: [2], floatData: [0.5, -1.25] },
        { name: 'id', dataType: DataType.INT64, dims: [3], int64Data: [1n, -2n, 2n ** 62n] },
        { name: 'i32', dataType: DataType.INT32, dims: [2], int32Data: [-3, 4] },
        { name: 'dd', dataType: DataType.DOUBLE, dims: [1], doubleData: [Math.PI] },
      ],
      inputs: [{ name: 'x', type: { elemType: DataType.FLOAT, shape: ['batch', 80, null] } }],
      outputs: [
        { name: 'y', type: { elemType: DataType.FLOAT, shape: ['batch', 'time', 29] } },
        { name: 'z', type: { elemType: DataType.INT64 }, docString: 'no shape' },
      ],
      valueInfos: [{ name: 'v', type: { elemType: DataType.BOOL, shape: [] } }],
    },
    metadataProps: [
      { key: 'model_type', value: 'EncDecCTCModelBPE' },
      { key: 'vocab_size', value: '29' },
    ],
  };
}

describe('ONNX protobuf codec', () => {
  it('decodes what it encodes, field for field', () => {
    const model = fullModel();
    const decoded = decodeModel(encodeModel(model));
    expect(decoded).toEqual(model);
  });

  it('re-encodes a decoded model to identical bytes', () => {
    const bytes = encodeModel(fullModel());
    expect(encodeModel(decodeModel(bytes))).toEqual(bytes);
  });

  it('encodes varints and negative int64 as protobuf does', () => {
    const w = new ProtoWriter();
    w.varint(0);
    w.varint(127);
    w.varint(128);
    w.varint(300);
    w.varint64(-1n);
    w.varint(2 ** 53 - 1);
    const bytes = w.finish();
    expect(Array.from(bytes.subarray(0, 6))).toEqual([0x00, 0x7f, 0x80, 0x01, 0xac, 0x02]);
    expect(Array.from(bytes.subarray(6, 16))).toEqual([...new Array(9).fill(0xff), 0x01]);
    const r = new ProtoReader(bytes);
    expect([r.varint(), r.varint(), r.varint(), r.varint(), r.int64(), r.varint()]).toEqual([
      0,
      127,
      128,
      300,
      -1,
      2 ** 53 - 1,
    ]);
    expect(r.more()).toBe(false);
  });

  it('reads packed and unpacked repeated fields alike (other writers choose either)', () => {
    // dims packed (field 1, wire type 2), float_data unpacked (field 4, wire type 5).
    const w = new ProtoWriter();
    w.packedInt64(1, [2, 1]);
    w.int64(2, DataType.FLOAT);
    w.float32(4, 1.5);
    w.float32(4, -3);
    w.string(8, 'mixed');
    w.tag(15, 0); // an unknown field is skipped
    w.varint(99);
    const t = decodeTensor(w.finish());
    expect(t).toEqual({
      name: 'mixed',
      dataType: DataType.FLOAT,
      dims: [2, 1],
      floatData: [1.5, -3],
    });
    expect(Array.from(tensorToFloat32(t))).toEqual([1.5, -3]);
  });

  it('keeps raw tensor data as a view of the model bytes, copying only when misaligned', () => {
    const g = new GraphBuilder();
    const weights = Float32Array.from({ length: 1000 }, (_, i) => i / 7);
    const w = g.initializer('w', weights, [10, 100]);
    g.output(g.op('Identity', [w]), 'out');
    const bytes = g.toModelBytes();
    const model = decodeModel(bytes);
    const raw = initializerByName(model, 'w').rawData!;
    expect(raw.buffer).toBe(bytes.buffer);

    const data = tensorToFloat32(initializerByName(model, 'w'));
    expect(Array.from(data)).toEqual(Array.from(weights));
    expect(data.buffer === bytes.buffer).toBe(raw.byteOffset % 4 === 0);

    // The same bytes at every alignment decode to the same values.
    for (let shift = 1; shift < 4; shift++) {
      const shifted = new Uint8Array(bytes.length + shift);
      shifted.set(bytes, shift);
      // A Node Buffer too: its slice() is a view, the reader must still copy.
      const input = shift === 2 ? Buffer.from(shifted.buffer, shift) : shifted.subarray(shift);
      const again = floatInitializers(decodeModel(input));
      expect(Array.from(again.get('w')!.data)).toEqual(Array.from(weights));
      expect(again.get('w')!.dims).toEqual([10, 100]);
    }
  });

  it('reads typed-field tensors of every integer kind', () => {
    const ints = decodeTensor(
      encodeTensor({
        name: 'i',
        dataType: DataType.INT64,
        dims: [2],
        int64Data: [-(2n ** 63n), 9n],
      }),
    );
    expect(Array.from(tensorData(ints) as BigInt64Array)).toEqual([-(2n ** 63n), 9n]);
    const i32 = decodeTensor(
      encodeTensor({ name: 'j', dataType: DataType.INT32, dims: [3], int32Data: [-1, 0, 65536] }),
    );
    expect(Array.from(tensorData(i32) as Int32Array)).toEqual([-1, 0, 65536]);
  });

  it('summarises inputs without the initializers old exporters list as inputs', () => {
    const model = fullModel();
    model.graph.inputs.push({ name: 'w', type: { elemType: DataType.FLOAT, shape: [2, 3] } });
    const summary = summarizeModel(model);
    expect(summary.inputs).toEqual([{ name: 'x', type: 'float32', shape: ['batch', 80, null] }]);
    expect(summary.outputs[1]).toEqual({ name: 'z', type: 'int64', shape: undefined });
    expect(summary.metadata.vocab_size).toBe('29');
    expect(summary.opsetVersion).toBe(17);
  });

  it('reports truncated or garbage bytes as MODEL_INVALID naming the file', () => {
    const bytes = encodeModel(fullModel());
    const attempt = (input: Uint8Array) => () => decodeModel(input, { file: 'bad.onnx' });
    expect(attempt(bytes.subarray(0, bytes.length - 5))).toThrow(HarkError);
    expect(attempt(bytes.subarray(0, bytes.length - 5))).toThrow(/^bad\.onnx: not a valid ONNX/);
    expect(attempt(new TextEncoder().encode('RIFF....WAVEfmt '))).toThrow(HarkError);
    expect(attempt(new Uint8Array(0))).toThrow(/has no graph/);
    try {
      attempt(new Uint8Array([0x0a, 0xff]))();
    } catch (error) {
      expect((error as HarkError).code).toBe('MODEL_INVALID');
      expect((error as HarkError).file).toBe('bad.onnx');
    }
  });

  it('rejects tensor data whose size does not match the dims', () => {
    const t = { name: 'w', dataType: DataType.FLOAT, dims: [3], floatData: [1, 2] };
    expect(() => tensorData(t)).toThrow(/2 values for dims \[3\]/);
  });
});
