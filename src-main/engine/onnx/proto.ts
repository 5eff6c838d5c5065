/**
 * The ONNX protobuf messages Hark reads and writes, as plain TypeScript objects, with their
 * encoders and decoders. Field numbers follow onnx/onnx.proto (IR version 8+); each interface
 * lists them. Fields Hark does not use are skipped when reading and never written.
 *
 * Names are camelCase and repeated fields are plural (`graph.nodes` is onnx `graph.node`).
 * Tensor payloads are kept as bytes views of the decoded buffer: decoding a model copies no
 * weights (see `tensorData` in model-reader.ts to get typed arrays).
 */

import { HarkError } from '../errors';
import { ProtoReader, ProtoWriter, WIRE_BYTES, WIRE_FIXED64, littleEndianBytes } from './wire';

/** TensorProto.DataType codes. */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
} as const;

/** AttributeProto.AttributeType codes. */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
} as const;

export type AttributeTypeCode = (typeof AttributeType)[keyof typeof AttributeType];

/** StringStringEntryProto: key 1, value 2. */
export interface StringEntry {
  key: string;
  value: string;
}

/** OperatorSetIdProto: domain 1, version 2. */
export interface OpsetId {
  domain: string;
  version: number;
}

/**
 * TensorProto: dims 1, data_type 2, float_data 4, int32_data 5, string_data 6, int64_data 7,
 * name 8, raw_data 9, double_data 10, uint64_data 11, doc_string 12, external_data 13,
 * data_location 14. Hark writes `rawData`; the typed fields appear when reading models written
 * by other tools.
 */
export interface TensorProto {
  name: string;
  dataType: number;
  dims: number[];
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: bigint[];
  doubleData?: number[];
  uint64Data?: bigint[];
  stringData?: Uint8Array[];
  externalData?: StringEntry[];
  dataLocation?: number;
  docString?: string;
}

/** One dimension: a size, a symbolic name (dim_param), or null when unknown. */
export type Dim = number | string | null;

/**
 * TypeProto (tensor_type 1, sequence_type 4, denotation 6), TypeProto.Tensor (elem_type 1,
 * shape 2), TensorShapeProto (dim 1), Dimension (dim_value 1, dim_param 2). Only tensor types
 * are modelled; `shape` undefined means the rank is unknown.
 */
export interface TensorType {
  elemType: number;
  shape?: Dim[];
}

/** ValueInfoProto: name 1, type 2, doc_string 3. */
export interface ValueInfoProto {
  name: string;
  type?: TensorType;
  docString?: string;
}

/**
 * AttributeProto: name 1, f 2, i 3, s 4, t 5, g 6, floats 7, ints 8, strings 9, tensors 10,
 * graphs 11, doc_string 13, type 20. Integers are numbers (exact up to 2^53; larger int64
 * values such as INT64_MAX are clamped when written).
 */
export interface AttributeProto {
  name: string;
  type: AttributeTypeCode;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: GraphProto[];
  docString?: string;
}

/** NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, doc_string 6, domain 7. */
export interface NodeProto {
  inputs: string[];
  outputs: string[];
  name?: string;
  opType: string;
  domain?: string;
  attributes: AttributeProto[];
  docString?: string;
}

/**
 * GraphProto: node 1, name 2, initializer 5, doc_string 10, input 11, output 12,
 * value_info 13.
 */
export interface GraphProto {
  name: string;
  nodes: NodeProto[];
  initializers: TensorProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  valueInfos: ValueInfoProto[];
  docString?: string;
}

/**
 * ModelProto: ir_version 1, producer_name 2, producer_version 3, domain 4, model_version 5,
 * doc_string 6, graph 7, opset_import 8, metadata_props 14.
 */
export interface ModelProto {
  irVersion: number;
  opsetImports: OpsetId[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph: GraphProto;
  metadataProps: StringEntry[];
}

// ---------------------------------------------------------------------------------------------
// Encoding

/**
 * Serialises a model to ONNX protobuf bytes.
 *
 * @example
 * const bytes = encodeModel({ irVersion: 8, opsetImports: [{ domain: '', version: 17 }],
 *   graph, metadataProps: [{ key: 'vocab_size', value: '29' }] });
 * await fs.promises.writeFile('model.onnx', bytes);
 */
export function encodeModel(model: ModelProto): Uint8Array {
  const w = new ProtoWriter();
  w.int64(1, model.irVersion);
  if (model.producerName !== undefined) w.string(2, model.producerName);
  if (model.producerVersion !== undefined) w.string(3, model.producerVersion);
  if (model.domain !== undefined) w.string(4, model.domain);
  if (model.modelVersion !== undefined) w.int64(5, model.modelVersion);
  if (model.docString !== undefined) w.string(6, model.docString);
  w.message(7, (sub) => writeGraph(sub, model.graph));
  for (const opset of model.opsetImports) {
    w.message(8, (sub) => {
      if (opset.domain !== '') sub.string(1, opset.domain);
      sub.int64(2, opset.version);
    });
  }
  for (const entry of model.metadataProps) w.message(14, (sub) => writeEntry(sub, entry));
  return w.finish();
}

/** Serialises one graph (for tests and tools; models go through `encodeModel`). */
export function encodeGraph(graph: GraphProto): Uint8Array {
  const w = new ProtoWriter();
  writeGraph(w, graph);
  return w.finish();
}

/** Serialises one tensor. */
export function encodeTensor(tensor: TensorProto): Uint8Array {
  const w = new ProtoWriter();
  writeTensor(w, tensor);
  return w.finish();
}

function writeEntry(w: ProtoWriter, entry: StringEntry): void {
  w.string(1, entry.key);
  w.string(2, entry.value);
}

function writeGraph(w: ProtoWriter, graph: GraphProto): void {
  for (const node of graph.nodes) w.message(1, (sub) => writeNode(sub, node));
  w.string(2, graph.name);
  for (const tensor of graph.initializers) w.message(5, (sub) => writeTensor(sub, tensor));
  if (graph.docString !== undefined) w.string(10, graph.docString);
  for (const value of graph.inputs) w.message(11, (sub) => writeValueInfo(sub, value));
  for (const value of graph.outputs) w.message(12, (sub) => writeValueInfo(sub, value));
  for (const value of graph.valueInfos) w.message(13, (sub) => writeValueInfo(sub, value));
}

function writeNode(w: ProtoWriter, node: NodeProto): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  if (node.name !== undefined) w.string(3, node.name);
  w.string(4, node.opType);
  for (const attribute of node.attributes) w.message(5, (sub) => writeAttribute(sub, attribute));
  if (node.docString !== undefined) w.string(6, node.docString);
  if (node.domain !== undefined && node.domain !== '') w.string(7, node.domain);
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** An attribute integer as an exact int64 (clamped: 2^63 - 1 rounds up to 2^63 as a double). */
function toInt64(value: number): bigint {
  const big = BigInt(Math.trunc(value));
  return big > INT64_MAX ? INT64_MAX : big < INT64_MIN ? INT64_MIN : big;
}

function writeAttribute(w: ProtoWriter, a: AttributeProto): void {
  w.string(1, a.name);
  if (a.f !== undefined) w.float32(2, a.f);
  if (a.i !== undefined) w.int64(3, toInt64(a.i));
  if (a.s !== undefined) w.bytes(4, a.s);
  if (a.t !== undefined) {
    const t = a.t;
    w.message(5, (sub) => writeTensor(sub, t));
  }
  if (a.g !== undefined) {
    const g = a.g;
    w.message(6, (sub) => writeGraph(sub, g));
  }
  for (const f of a.floats ?? []) w.float32(7, f);
  for (const i of a.ints ?? []) w.int64(8, toInt64(i));
  for (const s of a.strings ?? []) w.bytes(9, s);
  for (const t of a.tensors ?? []) w.message(10, (sub) => writeTensor(sub, t));
  for (const g of a.graphs ?? []) w.message(11, (sub) => writeGraph(sub, g));
  if (a.docString !== undefined) w.string(13, a.docString);
  w.int64(20, a.type);
}

function writeTensor(w: ProtoWriter, t: TensorProto): void {
  for (const dim of t.dims) w.int64(1, dim);
  w.int64(2, t.dataType);
  if (t.floatData !== undefined) w.packedFloat32(4, t.floatData);
  if (t.int32Data !== undefined) w.packedInt64(5, t.int32Data);
  for (const s of t.stringData ?? []) w.bytes(6, s);
  if (t.int64Data !== undefined) w.packedInt64(7, t.int64Data);
  if (t.name !== '') w.string(8, t.name);
  if (t.rawData !== undefined) w.bytes(9, t.rawData);
  if (t.doubleData !== undefined) w.packedFloat64(10, t.doubleData);
  if (t.uint64Data !== undefined) w.packedInt64(11, t.uint64Data);
  if (t.docString !== undefined) w.string(12, t.docString);
  for (const entry of t.externalData ?? []) w.message(13, (sub) => writeEntry(sub, entry));
  if (t.dataLocation !== undefined) w.int64(14, t.dataLocation);
}

function writeValueInfo(w: ProtoWriter, value: ValueInfoProto): void {
  w.string(1, value.name);
  if (value.type !== undefined) {
    const type = value.type;
    w.message(2, (typeWriter) =>
      typeWriter.message(1, (tensorWriter) => {
        tensorWriter.int64(1, type.elemType);
        if (type.shape !== undefined) {
          const shape = type.shape;
          tensorWriter.message(2, (shapeWriter) => {
            for (const dim of shape) {
              shapeWriter.message(1, (dimWriter) => {
                if (typeof dim === 'number') dimWriter.int64(1, dim);
                else if (typeof dim === 'string') dimWriter.string(2, dim);
              });
            }
          });
        }
      }),
    );
  }
  if (value.docString !== undefined) w.string(3, value.docString);
}

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Parses ONNX protobuf bytes. Tensor data stays a view of `bytes` (nothing is copied), so keep
 * `bytes` alive and unmodified while the model is in use. Throws `MODEL_INVALID` (naming
 * `options.file` when given) on malformed input.
 *
 * @example
 * const model = decodeModel(await fs.promises.readFile('model.onnx'), { file: 'model.onnx' });
 * console.log(model.metadataProps, model.graph.inputs.map((v) => v.name));
 */
export function decodeModel(bytes: Uint8Array, options: { file?: string } = {}): ModelProto {
  try {
    return readModel(new ProtoReader(bytes));
  } catch (error) {
    if (error instanceof HarkError && options.file !== undefined) {
      throw new HarkError(error.code, error.detail, { file: options.file, cause: error });
    }
    throw error;
  }
}

/** Parses a serialised GraphProto. */
export function decodeGraph(bytes: Uint8Array): GraphProto {
  return readGraph(new ProtoReader(bytes));
}

/** Parses a serialised TensorProto. */
export function decodeTensor(bytes: Uint8Array): TensorProto {
  return readTensor(new ProtoReader(bytes));
}

function readModel(r: ProtoReader): ModelProto {
  const model: ModelProto = {
    irVersion: 0,
    opsetImports: [],
    graph: emptyGraph(),
    metadataProps: [],
  };
  let sawGraph = false;
  while (r.more()) {
    const { field, wireType } = r.key();
    if (field === 1 && wireType === 0) model.irVersion = r.int64();
    else if (field === 2 && wireType === WIRE_BYTES) model.producerName = r.string();
    else if (field === 3 && wireType === WIRE_BYTES) model.producerVersion = r.string();
    else if (field === 4 && wireType === WIRE_BYTES) model.domain = r.string();
    else if (field === 5 && wireType === 0) model.modelVersion = r.int64();
    else if (field === 6 && wireType === WIRE_BYTES) model.docString = r.string();
    else if (field === 7 && wireType === WIRE_BYTES) {
      model.graph = readGraph(r.sub());
      sawGraph = true;
    } else if (field === 8 && wireType === WIRE_BYTES) model.opsetImports.push(readOpset(r.sub()));
    else if (field === 14 && wireType === WIRE_BYTES) model.metadataProps.push(readEntry(r.sub()));
    else r.skip(wireType);
  }
  if (!sawGraph) throw r.error('the model has no graph');
  return model;
}

function emptyGraph(): GraphProto {
  return { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfos: [] };
}

function readOpset(r: ProtoReader): OpsetId {
  const opset: OpsetId = { domain: '', version: 0 };
  while (r.more()) {
    const { field, wireType } = r.key();
    if (field === 1 && wireType === WIRE_BYTES) opset.domain = r.string();
    else if (field === 2 && wireType === 0) opset.version = r.int64();
    else r.skip(wireType);
  }
  return opset;
}

function readEntry(r: ProtoReader): StringEntry {
  const entry: StringEntry = { key: '', value: '' };
  while (r.more()) {
    const { field, wireType } = r.key();
    if (field === 1 && wireType === WIRE_BYTES) entry.key = r.string();
    else if (field === 2 && wireType === WIRE_BYTES) entry.value = r.string();
    else r.skip(wireType);
  }
  return entry;
}

function readGraph(r: ProtoReader): GraphProto {
  const graph = emptyGraph();
  while (r.more()) {
    const { field, wireType } = r.key();
    if (wireType !== WIRE_BYTES) r.skip(wireType);
    else if (field === 1) graph.nodes.push(readNode(r.sub()));
    else if (field === 2) graph.name = r.string();
    else if (field === 5) graph.initializers.push(readTensor(r.sub()));
    else if (field === 10) graph.docString = r.string();
    else if (field === 11) graph.inputs.push(readValueInfo(r.sub()));
    else if (field === 12) graph.outputs.push(readValueInfo(r.sub()));
    else if (field === 13) graph.valueInfos.push(readValueInfo(r.sub()));
    else r.skip(wireType);
  }
  return graph;
}

function readNode(r: ProtoReader): NodeProto {
  const node: NodeProto = { inputs: [], outputs: [], opType: '', attributes: [] };
  while (r.more()) {
    const { field, wireType } = r.key();
    if (wireType !== WIRE_BYTES) r.skip(wireType);
    else if (field === 1) node.inputs.push(r.string());
    else if (field === 2) node.outputs.push(r.string());
    else if (field === 3) node.name = r.string();
    else if (field === 4) node.opType = r.string();
    else if (field === 5) node.attributes.push(readAttribute(r.sub()));
    else if (field === 6) node.docString = r.string();
    else if (field === 7) node.domain = r.string();
    else r.skip(wireType);
  }
  return node;
}

function readAttribute(r: ProtoReader): AttributeProto {
  const a: AttributeProto = { name: '', type: AttributeType.UNDEFINED };
  while (r.more()) {
    const { field, wireType } = r.key();
    switch (field) {
      case 1:
        a.name = r.string();
        break;
      case 2:
        a.f = r.float32();
        break;
      case 3:
        a.i = r.int64();
        break;
      case 4:
        a.s = r.bytes();
        break;
      case 5:
        a.t = readTensor(r.sub());
        break;
      case 6:
        a.g = readGraph(r.sub());
        break;
      case 7:
        r.repeatedFloat32(wireType, (a.floats ??= []));
        break;
      case 8:
        r.repeatedInt64(wireType, (a.ints ??= []));
        break;
      case 9:
        (a.strings ??= []).push(r.bytes());
        break;
      case 10:
        (a.tensors ??= []).push(readTensor(r.sub()));
        break;
      case 11:
        (a.graphs ??= []).push(readGraph(r.sub()));
        break;
      case 13:
        a.docString = r.string();
        break;
      case 20:
        a.type = r.int64() as AttributeTypeCode;
        break;
      default:
        r.skip(wireType);
    }
  }
  if (a.type === AttributeType.UNDEFINED) a.type = inferAttributeType(a);
  return a;
}

/** IR version 1 attributes have no type field: infer it from the field that is set. */
function inferAttributeType(a: AttributeProto): AttributeTypeCode {
  if (a.f !== undefined) return AttributeType.FLOAT;
  if (a.i !== undefined) return AttributeType.INT;
  if (a.s !== undefined) return AttributeType.STRING;
  if (a.t !== undefined) return AttributeType.TENSOR;
  if (a.g !== undefined) return AttributeType.GRAPH;
  if (a.floats !== undefined) return AttributeType.FLOATS;
  if (a.ints !== undefined) return AttributeType.INTS;
  if (a.strings !== undefined) return AttributeType.STRINGS;
  if (a.tensors !== undefined) return AttributeType.TENSORS;
  if (a.graphs !== undefined) return AttributeType.GRAPHS;
  return AttributeType.UNDEFINED;
}

function readTensor(r: ProtoReader): TensorProto {
  const t: TensorProto = { name: '', dataType: DataType.UNDEFINED, dims: [] };
  while (r.more()) {
    const { field, wireType } = r.key();
    switch (field) {
      case 1:
        r.repeatedInt64(wireType, t.dims);
        break;
      case 2:
        t.dataType = r.int64();
        break;
      case 4:
        r.repeatedFloat32(wireType, (t.floatData ??= []));
        break;
      case 5:
        r.repeatedInt64(wireType, (t.int32Data ??= []));
        break;
      case 6:
        (t.stringData ??= []).push(r.bytes());
        break;
      case 7:
        readRepeatedBigInt(r, wireType, (t.int64Data ??= []), true);
        break;
      case 8:
        t.name = r.string();
        break;
      case 9:
        t.rawData = r.bytes();
        break;
      case 10:
        readRepeatedDouble(r, wireType, (t.doubleData ??= []));
        break;
      case 11:
        readRepeatedBigInt(r, wireType, (t.uint64Data ??= []), false);
        break;
      case 12:
        t.docString = r.string();
        break;
      case 13:
        (t.externalData ??= []).push(readEntry(r.sub()));
        break;
      case 14:
        t.dataLocation = r.int64();
        break;
      default:
        r.skip(wireType);
    }
  }
  return t;
}

function readRepeatedBigInt(r: ProtoReader, wireType: number, into: bigint[], signed: boolean) {
  const read = (reader: ProtoReader) => {
    const v = reader.int64Big();
    into.push(signed ? v : BigInt.asUintN(64, v));
  };
  if (wireType === WIRE_BYTES) {
    const sub = r.sub();
    while (sub.more()) read(sub);
  } else read(r);
}

function readRepeatedDouble(r: ProtoReader, wireType: number, into: number[]) {
  if (wireType === WIRE_BYTES) {
    const sub = r.sub();
    while (sub.more()) into.push(sub.float64());
  } else if (wireType === WIRE_FIXED64) into.push(r.float64());
  else r.skip(wireType);
}

function readValueInfo(r: ProtoReader): ValueInfoProto {
  const value: ValueInfoProto = { name: '' };
  while (r.more()) {
    const { field, wireType } = r.key();
    if (wireType !== WIRE_BYTES) r.skip(wireType);
    else if (field === 1) value.name = r.string();
    else if (field === 2) {
      const type = readTypeProto(r.sub());
      if (type !== undefined) value.type = type;
    } else if (field === 3) value.docString = r.string();
    else r.skip(wireType);
  }
  return value;
}

/** Returns the tensor type, or undefined for sequence/map/optional types (not modelled). */
function readTypeProto(r: ProtoReader): TensorType | undefined {
  let type: TensorType | undefined;
  while (r.more()) {
    const { field, wireType } = r.key();
    if (field === 1 && wireType === WIRE_BYTES) type = readTensorType(r.sub());
    else r.skip(wireType);
  }
  return type;
}

function readTensorType(r: ProtoReader): TensorType {
  const type: TensorType = { elemType: DataType.UNDEFINED };
  while (r.more()) {
    const { field, wireType } = r.key();
    if (field === 1 && wireType === 0) type.elemType = r.int64();
    else if (field === 2 && wireType === WIRE_BYTES) type.shape = readShape(r.sub());
    else r.skip(wireType);
  }
  return type;
}

function readShape(r: ProtoReader): Dim[] {
  const dims: Dim[] = [];
  while (r.more()) {
    const { field, wireType } = r.key();
    if (field === 1 && wireType === WIRE_BYTES) dims.push(readDimension(r.sub()));
    else r.skip(wireType);
  }
  return dims;
}

function readDimension(r: ProtoReader): Dim {
  let dim: Dim = null;
  while (r.more()) {
    const { field, wireType } = r.key();
    if (field === 1 && wireType === 0) dim = r.int64();
    else if (field === 2 && wireType === WIRE_BYTES) dim = r.string();
    else r.skip(wireType);
  }
  return dim;
}

/** Raw little-endian bytes of a typed array, for `TensorProto.rawData`. */
export function rawDataOf(array: ArrayBufferView): Uint8Array {
  return littleEndianBytes(array);
}
