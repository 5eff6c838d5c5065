import { describe, expect, it } from 'vitest';
import {
  AttributeType,
  GraphBuilder,
  decodeModel,
  float,
  floats,
  ints,
  toAttribute,
} from '../../../src-main/engine/onnx';
import { HarkError } from '../../../src-main/engine/errors';

describe('GraphBuilder', () => {
  it('records nodes with their input and output handles, in order', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', ['batch', 4]);
    const y = g.op('Relu', [x], {}, { outputShapes: [['batch', 4]] });
    const [values, indices] = g.node(
      'TopK',
      [y, g.int64s([2])],
      { axis: -1 },
      {
        outputs: 2,
        outputTypes: ['float32', 'int64'],
      },
    );
    expect(g.nodes.map((n) => n.opType)).toEqual(['Relu', 'TopK']);
    expect(y.producer?.inputs).toEqual([x]);
    expect(y.shape).toEqual(['batch', 4]);
    expect(indices?.type).toBe('int64');
    expect(values?.producer).toBe(indices?.producer);
    expect(g.op('Shape', [x]).type).toBe('int64');
    expect(g.op('Less', [x, x]).type).toBe('bool');
  });

  it('shares small equal constants and keeps names unique', () => {
    const g = new GraphBuilder();
    const a = g.constant(0.5);
    expect(g.constant(0.5)).toBe(a);
    expect(g.constant(0.5, { type: 'float64' })).not.toBe(a);
    expect(g.int64s([1, 2])).toBe(g.int64s([1, 2]));
    const sub = g.subgraph('body');
    expect(sub.constant(0.5)).toBe(a); // outer scope is visible in a body
    const names = new Set(
      [a, g.constant(1), g.constant(2), sub.constant(3), g.op('Neg', [a]), g.op('Neg', [a])].map(
        (h) => h.name,
      ),
    );
    expect(names.size).toBe(6);
  });

  it('refuses a name used twice, wrong initializer sizes and output-less models', () => {
    const g = new GraphBuilder();
    g.input('x', 'float32', [1]);
    expect(() => g.initializer('x', new Float32Array(1), [1])).toThrow(HarkError);
    expect(() => g.initializer('w', new Float32Array(5), [2, 3])).toThrow(/5 values for dims/);
    expect(() => g.toModelBytes()).toThrow(/no outputs/);
    expect(() => g.subgraph('b').toModelProto()).toThrow(/subgraph/);
  });

  it('chooses attribute types from values and names, with explicit overrides', () => {
    expect(toAttribute('axis', 1).type).toBe(AttributeType.INT);
    expect(toAttribute('epsilon', 1).type).toBe(AttributeType.FLOAT);
    expect(toAttribute('ratio', 0.5)).toMatchObject({ type: AttributeType.FLOAT, f: 0.5 });
    expect(toAttribute('value', float(2))).toMatchObject({ type: AttributeType.FLOAT, f: 2 });
    expect(toAttribute('perm', [0, 2, 1])).toMatchObject({ type: AttributeType.INTS });
    expect(toAttribute('scales', [1, 1.5])).toMatchObject({ type: AttributeType.FLOATS });
    expect(toAttribute('sizes', floats([1, 2]))).toMatchObject({ type: AttributeType.FLOATS });
    expect(toAttribute('axes', ints([]))).toMatchObject({ type: AttributeType.INTS, ints: [] });
    expect(toAttribute('mode', 'reflect').type).toBe(AttributeType.STRING);
    expect(toAttribute('names', ['a', 'b']).type).toBe(AttributeType.STRINGS);
    const body = new GraphBuilder({ name: 'b' });
    expect(toAttribute('body', body).type).toBe(AttributeType.GRAPH);
  });

  it('writes a model with opset 17, metadata and a renamed output', () => {
    const g = new GraphBuilder({ name: 'm' });
    const x = g.input('x', 'float32', ['N', 80, 'T']);
    g.output(g.op('Neg', [x], {}, { outputShapes: [['N', 80, 'T']] }), 'neg');
    g.metadata('subsampling_factor', 4);
    const model = decodeModel(g.toModelBytes({ metadata: { normalize_type: 'per_feature' } }));
    expect(model.irVersion).toBe(8);
    expect(model.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(model.metadataProps).toEqual([
      { key: 'subsampling_factor', value: '4' },
      { key: 'normalize_type', value: 'per_feature' },
    ]);
    expect(model.graph.outputs).toEqual([
      { name: 'neg', type: { elemType: 1, shape: ['N', 80, 'T'] } },
    ]);
    expect(model.graph.nodes.map((n) => n.opType)).toEqual(['Neg', 'Identity']);
  });

  it('drops trailing omitted inputs but keeps inner ones as empty names', () => {
    const g = new GraphBuilder();
    const x = g.input('x', 'float32', [3]);
    const one = g.constant(1);
    g.output(g.op('Clip', [x, null, one]), 'a');
    g.output(g.op('Clip', [x, null, null]), 'b');
    const nodes = decodeModel(g.toModelBytes()).graph.nodes.filter((n) => n.opType === 'Clip');
    expect(nodes[0]?.inputs).toEqual(['x', '', one.name]);
    expect(nodes[1]?.inputs).toEqual(['x']);
  });
});
