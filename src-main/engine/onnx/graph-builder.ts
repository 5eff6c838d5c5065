/**
 * Builds ONNX graphs in code. Every value is a `TensorHandle` (a name, an element type and, where
 * known, a shape with sizes or symbolic names such as 'batch'). Nodes are recorded in order with
 * their input and output handles, so the autodiff in `../train` can walk them backwards.
 *
 * Opset: ai.onnx 17 (IR version 8). onnxruntime-node 1.31 and the onnxruntime 1.28 bundled with
 * sherpa-onnx-node both run it, it is the first opset with LayerNormalization, and its CPU, CUDA
 * and WebGPU kernels are mature. Note that in opset 17 ReduceSum takes `axes` as an input while
 * ReduceMean/ReduceMax/ReduceLogSumExp still take an `axes` attribute (moved to inputs in 18).
 */

import { HarkError } from '../errors';
import { AttributeType, DataType, encodeModel, rawDataOf } from './proto';
import type {
  AttributeProto,
  Dim,
  GraphProto,
  ModelProto,
  NodeProto,
  TensorProto,
  ValueInfoProto,
} from './proto';
import { dataTypeCode, elementTypeOf } from './element-type';
import type { ElementType } from './element-type';

export const DEFAULT_OPSET_VERSION = 17;
/** The IR version that goes with opset 17. */
export const DEFAULT_IR_VERSION = 8;

/** A value in a graph under construction. */
export interface TensorHandle {
  readonly name: string;
  readonly type: ElementType;
  /** Sizes, symbolic names or null per axis; undefined when even the rank is unknown. */
  readonly shape: Dim[] | undefined;
  /** How it came to be: a graph input, an initializer, a constant, or a node output. */
  readonly origin: 'input' | 'initializer' | 'constant' | 'node';
  /** The node that produced it (origin 'node' only). */
  readonly producer: NodeRecord | undefined;
}

/** A recorded node: op, handles in and out, and the attributes as given. */
export interface NodeRecord {
  readonly opType: string;
  readonly domain: string;
  readonly name: string;
  /** null marks an omitted optional input. */
  readonly inputs: readonly (TensorHandle | null)[];
  readonly outputs: readonly TensorHandle[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/** A float attribute that happens to be a whole number (1 would otherwise be written as INT). */
export interface FloatAttribute {
  readonly float: number;
}
/** A list of floats, e.g. `floats([1, 2])`. */
export interface FloatsAttribute {
  readonly floats: readonly number[];
}
/** A list of ints, needed only for an empty list (an empty array counts as INTS anyway). */
export interface IntsAttribute {
  readonly ints: readonly number[];
}

/**
 * What an attribute may be. Whole numbers become INT and others FLOAT, except for the attribute
 * names that are always floats in the standard ops (alpha, beta, epsilon, ...); wrap with
 * `float()` / `floats()` to force FLOAT. Strings become STRING, a `TensorProto` TENSOR, a
 * `GraphBuilder` or `GraphProto` GRAPH.
 */
export type AttributeValue =
  | number
  | bigint
  | string
  | readonly number[]
  | readonly string[]
  | FloatAttribute
  | FloatsAttribute
  | IntsAttribute
  | TensorProto
  | GraphProto
  | GraphBuilder;

/** Forces a FLOAT attribute. @example g.op('LeakyRelu', [x], { alpha: float(1) }) */
export function float(value: number): FloatAttribute {
  return { float: value };
}
/** Forces a FLOATS attribute. */
export function floats(values: readonly number[]): FloatsAttribute {
  return { floats: values };
}
/** Forces an INTS attribute (useful for an empty list). */
export function ints(values: readonly number[]): IntsAttribute {
  return { ints: values };
}

/** Attribute names that are FLOAT in every standard op that has them. */
const FLOAT_ATTRIBUTE_NAMES = new Set([
  'alpha',
  'beta',
  'gamma',
  'epsilon',
  'momentum',
  'lambd',
  'bias',
  'mean',
  'scale',
  'low',
  'high',
  'value_float',
  'value_floats',
  'spatial_scale',
]);

/** Ops whose outputs are not of their first input's type (`index` = which output). */
const OUTPUT_TYPE_RULES: Record<string, (node: NodeBeingTyped, index: number) => ElementType> = {
  Shape: () => 'int64',
  Size: () => 'int64',
  ArgMax: () => 'int64',
  ArgMin: () => 'int64',
  NonZero: () => 'int64',
  Equal: () => 'bool',
  Less: () => 'bool',
  LessOrEqual: () => 'bool',
  Greater: () => 'bool',
  GreaterOrEqual: () => 'bool',
  Not: () => 'bool',
  And: () => 'bool',
  Or: () => 'bool',
  Xor: () => 'bool',
  IsNaN: () => 'bool',
  IsInf: () => 'bool',
  Where: (node) => node.inputs[1]?.type ?? 'float32',
  Cast: (node) => elementTypeOf(Number(node.attributes.to)),
  ConstantOfShape: (node) => {
    const value = node.attributes.value;
    return isTensorProto(value) ? elementTypeOf(value.dataType) : 'float32';
  },
  // Loop body outputs: condition, then carried values and scan outputs (the node's outputs).
  Loop: (node, index) => bodyOutputType(node.attributes.body, index + 1),
  Scan: (node, index) => bodyOutputType(node.attributes.body, index),
  If: (node, index) => bodyOutputType(node.attributes.then_branch, index),
};

function bodyOutputType(body: AttributeValue | undefined, index: number): ElementType {
  if (body instanceof GraphBuilder) {
    const output = body.outputs[index];
    if (output !== undefined) return output.type;
  }
  return 'float32';
}

interface NodeBeingTyped {
  inputs: readonly (TensorHandle | null)[];
  attributes: Readonly<Record<string, AttributeValue>>;
}

/** Options of one `node()` call. */
export interface NodeOptions {
  /** How many outputs, or their names (default 1, auto-named). */
  outputs?: number | readonly string[];
  /** Element types of the outputs (default: by op, else the first input's). */
  outputTypes?: readonly ElementType[];
  /** Shapes of the outputs, where the caller knows them. */
  outputShapes?: readonly (readonly Dim[] | undefined)[];
  /** Operator set domain ('' = ai.onnx). */
  domain?: string;
  /** Node name (default: derived from the first output). */
  name?: string;
}

/** Options of a model built from the root graph. */
export interface ModelOptions {
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** Added to (and overriding) the metadata set with `metadata()`. */
  metadata?: Record<string, string>;
}

export type InitializerData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** Values accepted by `constant()`. */
export type ConstantValue =
  number | bigint | readonly number[] | readonly bigint[] | InitializerData;

/** Shared by a root graph and its subgraphs: names are unique across all of them. */
class NameScope {
  private readonly used = new Set<string>();
  private readonly counters = new Map<string, number>();

  claim(name: string): void {
    if (this.used.has(name)) throw new HarkError('INVALID_ARGUMENT', `name ${name} is used twice`);
    this.used.add(name);
  }

  fresh(base: string): string {
    let n = this.counters.get(base) ?? 0;
    let name = `${base}_${n}`;
    while (this.used.has(name)) name = `${base}_${++n}`;
    this.counters.set(base, n + 1);
    this.used.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.used.has(name);
  }
}

/**
 * A graph under construction (the model's main graph, or a Scan/Loop/If body).
 *
 * @example
 * const g = new GraphBuilder({ name: 'affine' });
 * const x = g.input('x', 'float32', ['batch', 3]);
 * const w = g.initializer('w', new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2]);
 * const y = g.op('MatMul', [x, w], {}, { outputShapes: [['batch', 2]] });
 * g.output(g.op('Relu', [y]), 'y');
 * g.metadata('model_type', 'EncDecCTCModelBPE');
 * const bytes = g.toModelBytes({ producerName: 'hark' });
 */
export class GraphBuilder {
  readonly name: string;
  readonly opsetVersion: number;
  readonly parent: GraphBuilder | undefined;
  private readonly scope: NameScope;
  private readonly inputList: TensorHandle[] = [];
  private readonly outputList: TensorHandle[] = [];
  private readonly initializerList: { handle: TensorHandle; tensor: TensorProto }[] = [];
  private readonly nodeList: NodeRecord[] = [];
  private readonly metadataEntries = new Map<string, string>();
  private readonly constantCache = new Map<string, TensorHandle>();
  private readonly initializerData = new Map<string, InitializerData>();

  constructor(options: { name?: string; opsetVersion?: number; parent?: GraphBuilder } = {}) {
    this.parent = options.parent;
    this.scope = options.parent?.scope ?? new NameScope();
    this.opsetVersion =
      options.opsetVersion ?? options.parent?.opsetVersion ?? DEFAULT_OPSET_VERSION;
    this.name = options.name ?? 'graph';
  }

  /** Graph inputs in declaration order. */
  get inputs(): readonly TensorHandle[] {
    return this.inputList;
  }
  /** Graph outputs in declaration order. */
  get outputs(): readonly TensorHandle[] {
    return this.outputList;
  }
  /** Nodes in the order they were added (a topological order). */
  get nodes(): readonly NodeRecord[] {
    return this.nodeList;
  }
  /** Initializers (weights and constants) with their handles. */
  get initializers(): readonly { handle: TensorHandle; tensor: TensorProto }[] {
    return this.initializerList;
  }

  /**
   * Declares a graph input.
   *
   * @example
   * const features = g.input('audio_signal', 'float32', ['N', 80, 'T']);
   */
  input(name: string, type: ElementType, shape: readonly Dim[] | undefined): TensorHandle {
    this.scope.claim(name);
    const handle = makeHandle(name, type, shape, 'input');
    this.inputList.push(handle);
    return handle;
  }

  /**
   * Adds a named weight. The array is referenced, not copied, until the model is serialised.
   * Uint8Array data is uint8 unless `options.type` says 'bool'.
   *
   * @example
   * const w = g.initializer('proj.weight', new Float32Array(80 * 29), [80, 29]);
   */
  initializer(
    name: string,
    data: InitializerData,
    dims: readonly number[],
    options: { type?: ElementType } = {},
  ): TensorHandle {
    this.scope.claim(name);
    return this.addInitializer(name, data, dims, 'initializer', options.type);
  }

  /**
   * A constant tensor (stored as an initializer). A number gives a scalar, an array a 1-D
   * tensor, unless `dims` is given. Small constants are shared: asking twice for the same value
   * returns the same handle.
   *
   * @example
   * const half = g.constant(0.5);
   * const axes = g.constant([1], { type: 'int64' });
   */
  constant(
    value: ConstantValue,
    options: { type?: ElementType; dims?: readonly number[]; name?: string } = {},
  ): TensorHandle {
    const type = options.type ?? inferConstantType(value);
    const data = toInitializerData(value, type);
    const dims =
      options.dims ?? (typeof value === 'number' || typeof value === 'bigint' ? [] : [data.length]);
    const key =
      options.name === undefined && data.length <= 16
        ? `${type}|${dims.join(',')}|${Array.from(data as ArrayLike<number | bigint>).join(',')}`
        : undefined;
    if (key !== undefined) {
      const cached = this.findConstant(key);
      if (cached !== undefined) return cached;
    }
    const name = options.name ?? this.scope.fresh('const');
    if (options.name !== undefined) this.scope.claim(name);
    const handle = this.addInitializer(name, data, dims, 'constant', type);
    if (key !== undefined) this.constantCache.set(key, handle);
    return handle;
  }

  /** A 1-D int64 constant, the usual shape/axes/starts argument. */
  int64s(values: readonly number[]): TensorHandle {
    return this.constant(values, { type: 'int64' });
  }

  /**
   * Adds a node and returns its outputs.
   *
   * @example
   * const [values, indices] = g.node('TopK', [x, g.int64s([5])], { axis: -1 }, { outputs: 2,
   *   outputTypes: ['float32', 'int64'] });
   */
  node(
    opType: string,
    inputs: readonly (TensorHandle | null)[],
    attributes: Record<string, AttributeValue | undefined> = {},
    options: NodeOptions = {},
  ): TensorHandle[] {
    const attrs: Record<string, AttributeValue> = {};
    for (const [key, value] of Object.entries(attributes))
      if (value !== undefined) attrs[key] = value;
    const outputNames =
      typeof options.outputs === 'object'
        ? options.outputs.map((n) => (this.scope.claim(n), n))
        : Array.from({ length: options.outputs ?? 1 }, () => this.scope.fresh(opType));
    const typeRule = OUTPUT_TYPE_RULES[opType];
    const firstInputType = inputs.find((i) => i !== null)?.type ?? 'float32';
    const defaultType = (index: number) =>
      typeRule?.({ inputs, attributes: attrs }, index) ?? firstInputType;
    const record: {
      opType: string;
      domain: string;
      name: string;
      inputs: readonly (TensorHandle | null)[];
      outputs: TensorHandle[];
      attributes: Record<string, AttributeValue>;
    } = {
      opType,
      domain: options.domain ?? '',
      name: options.name ?? `${outputNames[0] ?? opType}_node`,
      inputs: [...inputs],
      outputs: [],
      attributes: attrs,
    };
    record.outputs = outputNames.map((name, i) =>
      makeHandle(
        name,
        options.outputTypes?.[i] ?? defaultType(i),
        options.outputShapes?.[i],
        'node',
        record,
      ),
    );
    this.nodeList.push(record);
    return record.outputs;
  }

  /**
   * Adds a single-output node and returns its output.
   *
   * @example
   * const y = g.op('Softmax', [x], { axis: -1 });
   */
  op(
    opType: string,
    inputs: readonly (TensorHandle | null)[],
    attributes: Record<string, AttributeValue | undefined> = {},
    options: Omit<NodeOptions, 'outputs'> & { output?: string } = {},
  ): TensorHandle {
    const { output, ...rest } = options;
    const [out] = this.node(opType, inputs, attributes, {
      ...rest,
      ...(output !== undefined ? { outputs: [output] } : {}),
    });
    return out as TensorHandle;
  }

  /**
   * Declares a graph output. With a `name` different from the handle's, an Identity node
   * gives the value that name.
   *
   * @example
   * g.output(logProbs, 'logprobs');
   */
  output(handle: TensorHandle, name?: string): TensorHandle {
    let out = handle;
    if (name !== undefined && name !== handle.name) {
      out = this.op(
        'Identity',
        [handle],
        {},
        {
          output: name,
          outputTypes: [handle.type],
          outputShapes: [handle.shape],
        },
      );
    }
    if (this.outputList.some((o) => o.name === out.name)) {
      throw new HarkError('INVALID_ARGUMENT', `output ${out.name} is declared twice`);
    }
    this.outputList.push(out);
    return out;
  }

  /**
   * A body graph for Scan, Loop or If. It may use this graph's handles (outer scope); names stay
   * unique across both. Pass it as the attribute value.
   *
   * @example
   * const body = g.subgraph('body');
   * const i = body.input('i', 'int64', []);
   * ...
   * g.node('Loop', [maxTrips, cond, state], { body }, { outputs: 1 });
   */
  subgraph(name: string): GraphBuilder {
    return new GraphBuilder({ name, parent: this });
  }

  /** Sets one metadata_props entry (root graph only). */
  metadata(key: string, value: string | number): this {
    this.metadataEntries.set(key, String(value));
    return this;
  }

  /**
   * The data of a constant or initializer handle (searching outer graphs too), or undefined for
   * computed values and inputs. Gradient rules use it to read axes and shapes.
   *
   * @example
   * g.constantValue(g.int64s([0, -1])); // BigInt64Array [0n, -1n]
   */
  constantValue(handle: TensorHandle): InitializerData | undefined {
    if (handle.origin !== 'constant' && handle.origin !== 'initializer') return undefined;
    return this.initializerData.get(handle.name) ?? this.parent?.constantValue(handle);
  }

  /** True when `name` is already taken somewhere in this graph family. */
  hasName(name: string): boolean {
    return this.scope.has(name);
  }

  /** A fresh unique name starting with `base`. */
  freshName(base: string): string {
    return this.scope.fresh(base);
  }

  /** This graph as a GraphProto. */
  toGraphProto(): GraphProto {
    return {
      name: this.name,
      nodes: this.nodeList.map(toNodeProto),
      initializers: this.initializerList.map((i) => i.tensor),
      inputs: this.inputList.map(toValueInfo),
      outputs: this.outputList.map(toValueInfo),
      valueInfos: [],
    };
  }

  /** A whole model around this (root) graph. */
  toModelProto(options: ModelOptions = {}): ModelProto {
    if (this.parent !== undefined) {
      throw new HarkError('INVALID_ARGUMENT', `graph ${this.name} is a subgraph, not a model`);
    }
    if (this.outputList.length === 0) {
      throw new HarkError('INVALID_ARGUMENT', `graph ${this.name} has no outputs`);
    }
    const metadata = new Map(this.metadataEntries);
    for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
    return {
      irVersion: DEFAULT_IR_VERSION,
      opsetImports: [{ domain: '', version: this.opsetVersion }],
      producerName: options.producerName ?? 'hark',
      ...(options.producerVersion !== undefined
        ? { producerVersion: options.producerVersion }
        : {}),
      ...(options.docString !== undefined ? { docString: options.docString } : {}),
      graph: this.toGraphProto(),
      metadataProps: [...metadata].map(([key, value]) => ({ key, value })),
    };
  }

  /**
   * The serialised model, ready for `InferenceSession.create(bytes)` or a file.
   *
   * @example
   * const session = await ort.InferenceSession.create(g.toModelBytes());
   */
  toModelBytes(options: ModelOptions = {}): Uint8Array {
    return encodeModel(this.toModelProto(options));
  }

  private addInitializer(
    name: string,
    data: InitializerData,
    dims: readonly number[],
    origin: 'initializer' | 'constant',
    type: ElementType | undefined,
  ): TensorHandle {
    const elementType = type ?? arrayElementType(data);
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) {
      throw new HarkError(
        'INVALID_ARGUMENT',
        `initializer ${name} has ${data.length} values for dims [${dims.join(', ')}]`,
      );
    }
    const handle = makeHandle(name, elementType, dims, origin);
    this.initializerData.set(name, data);
    this.initializerList.push({
      handle,
      tensor: {
        name,
        dataType: dataTypeCode(elementType),
        dims: [...dims],
        rawData: rawDataOf(data),
      },
    });
    return handle;
  }

  private findConstant(key: string): TensorHandle | undefined {
    return this.constantCache.get(key) ?? this.parent?.findConstant(key);
  }
}

function makeHandle(
  name: string,
  type: ElementType,
  shape: readonly Dim[] | undefined,
  origin: TensorHandle['origin'],
  producer?: NodeRecord,
): TensorHandle {
  return { name, type, shape: shape === undefined ? undefined : [...shape], origin, producer };
}

function arrayElementType(data: InitializerData): ElementType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  return 'uint8';
}

function inferConstantType(value: ConstantValue): ElementType {
  if (typeof value === 'bigint') return 'int64';
  if (typeof value === 'number') return 'float32';
  if (ArrayBuffer.isView(value)) return arrayElementType(value);
  return typeof value[0] === 'bigint' ? 'int64' : 'float32';
}

function toInitializerData(value: ConstantValue, type: ElementType): InitializerData {
  const list: readonly (number | bigint)[] | InitializerData =
    typeof value === 'number' || typeof value === 'bigint' ? [value] : value;
  const numbers = () => Array.from(list as ArrayLike<number | bigint>, Number);
  switch (type) {
    case 'float32':
      return list instanceof Float32Array ? list : Float32Array.from(numbers());
    case 'float64':
      return list instanceof Float64Array ? list : Float64Array.from(numbers());
    case 'int64':
      return list instanceof BigInt64Array
        ? list
        : BigInt64Array.from(Array.from(list as ArrayLike<number | bigint>, (v) => BigInt(v)));
    case 'int32':
      return list instanceof Int32Array ? list : Int32Array.from(numbers());
    case 'uint8':
    case 'bool':
      return list instanceof Uint8Array ? list : Uint8Array.from(numbers());
    default:
      throw new HarkError('INVALID_ARGUMENT', `constants of type ${type} are not supported`);
  }
}

function toValueInfo(handle: TensorHandle): ValueInfoProto {
  return {
    name: handle.name,
    type: {
      elemType: dataTypeCode(handle.type),
      ...(handle.shape !== undefined ? { shape: handle.shape } : {}),
    },
  };
}

function toNodeProto(node: NodeRecord): NodeProto {
  return {
    inputs: trimOptionalInputs(node.inputs.map((i) => i?.name ?? '')),
    outputs: node.outputs.map((o) => o.name),
    name: node.name,
    opType: node.opType,
    ...(node.domain !== '' ? { domain: node.domain } : {}),
    attributes: Object.entries(node.attributes).map(([name, value]) => toAttribute(name, value)),
  };
}

function trimOptionalInputs(names: string[]): string[] {
  let end = names.length;
  while (end > 0 && names[end - 1] === '') end--;
  return names.slice(0, end);
}

function isTensorProto(value: unknown): value is TensorProto {
  return typeof value === 'object' && value !== null && 'dataType' in value && 'dims' in value;
}

function isGraphProto(value: unknown): value is GraphProto {
  return typeof value === 'object' && value !== null && 'nodes' in value && 'initializers' in value;
}

const TEXT_ENCODER = new TextEncoder();

/** Turns a builder attribute value into an AttributeProto. */
export function toAttribute(name: string, value: AttributeValue): AttributeProto {
  const isFloatName = FLOAT_ATTRIBUTE_NAMES.has(name);
  if (typeof value === 'number') {
    return isFloatName || !Number.isInteger(value)
      ? { name, type: AttributeType.FLOAT, f: value }
      : { name, type: AttributeType.INT, i: value };
  }
  if (typeof value === 'bigint') return { name, type: AttributeType.INT, i: Number(value) };
  if (typeof value === 'string') {
    return { name, type: AttributeType.STRING, s: TEXT_ENCODER.encode(value) };
  }
  if (value instanceof GraphBuilder)
    return { name, type: AttributeType.GRAPH, g: value.toGraphProto() };
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((v) => typeof v === 'string')) {
      return {
        name,
        type: AttributeType.STRINGS,
        strings: value.map((s) => TEXT_ENCODER.encode(s)),
      };
    }
    const numbers = value as readonly number[];
    return isFloatName || numbers.some((v) => !Number.isInteger(v))
      ? { name, type: AttributeType.FLOATS, floats: [...numbers] }
      : { name, type: AttributeType.INTS, ints: [...numbers] };
  }
  if (isTensorProto(value)) return { name, type: AttributeType.TENSOR, t: value };
  if (isGraphProto(value)) return { name, type: AttributeType.GRAPH, g: value };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: [...value.floats] };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: [...value.ints] };
  throw new HarkError('INVALID_ARGUMENT', `attribute ${name} has an unsupported value`);
}

/**
 * A TensorProto for a `value` attribute (Constant, ConstantOfShape).
 *
 * @example
 * g.op('ConstantOfShape', [shape], { value: tensorValue(new Float32Array([0]), [1]) });
 */
export function tensorValue(
  data: InitializerData,
  dims: readonly number[],
  name = '',
): TensorProto {
  const type = arrayElementType(data);
  return { name, dataType: dataTypeCode(type), dims: [...dims], rawData: rawDataOf(data) };
}

/** The DataType code for Cast's `to` attribute. @example g.op('Cast', [x], { to: castTo('int64') }) */
export function castTo(type: ElementType): number {
  return dataTypeCode(type);
}

export { DataType };
