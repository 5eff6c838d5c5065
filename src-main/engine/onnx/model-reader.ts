/**
 * Reading what other code needs from a decoded ONNX model: metadata, inputs and outputs, and
 * initializers as typed arrays.
 */

import { readFile } from 'node:fs/promises';
import { HarkError } from '../errors';
import { DataType, decodeModel } from './proto';
import { elementTypeOf } from './element-type';
import type { ElementType } from './element-type';
import type { Dim, GraphProto, ModelProto, TensorProto, ValueInfoProto } from './proto';

export type { ElementType } from './element-type';

/** The typed arrays tensor data comes back as. */
export type TensorArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array;

/** A graph input or output as other code wants to see it. */
export interface ValueDescription {
  name: string;
  type: ElementType | undefined;
  /** undefined when the rank is unknown; entries are sizes, symbolic names or null. */
  shape: Dim[] | undefined;
}

/** What the engine needs to know about a model without running it. */
export interface ModelSummary {
  metadata: Record<string, string>;
  inputs: ValueDescription[];
  outputs: ValueDescription[];
  opsetVersion: number | undefined;
  producerName: string | undefined;
}

/**
 * Reads and decodes a model file; a missing or malformed file is a HarkError naming it.
 *
 * @example
 * const { model } = await readModelFile('models/base-en/model.onnx');
 * const weights = initializerArrays(model);
 */
export async function readModelFile(file: string): Promise<{ model: ModelProto; bytes: Buffer }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HarkError('MODEL_NOT_FOUND', 'no such file', { file });
    if (code === 'EISDIR') throw new HarkError('FILE_IS_DIRECTORY', 'is a folder', { file });
    throw new HarkError('FILE_UNREADABLE', String(error), { file, cause: error });
  }
  return { model: decodeModel(bytes, { file }), bytes };
}

/**
 * Metadata, inputs, outputs and opset of a decoded model.
 *
 * @example
 * const summary = summarizeModel(decodeModel(bytes));
 * summary.metadata.vocab_size; // '29'
 * summary.inputs[0]; // { name: 'audio_signal', type: 'float32', shape: ['N', 80, 'T'] }
 */
export function summarizeModel(model: ModelProto): ModelSummary {
  const initializerNames = new Set(model.graph.initializers.map((t) => t.name));
  return {
    metadata: metadataOf(model),
    // Initializers listed as inputs (IR < 4 style) are weights, not inputs.
    inputs: model.graph.inputs.filter((v) => !initializerNames.has(v.name)).map(describeValue),
    outputs: model.graph.outputs.map(describeValue),
    opsetVersion: model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')
      ?.version,
    producerName: model.producerName,
  };
}

/** metadata_props as a plain record. */
export function metadataOf(model: ModelProto): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of model.metadataProps) out[key] = value;
  return out;
}

/** A ValueInfoProto as name, element type name and shape. */
export function describeValue(value: ValueInfoProto): ValueDescription {
  return {
    name: value.name,
    type: value.type === undefined ? undefined : elementTypeOf(value.type.elemType),
    shape: value.type?.shape,
  };
}

/**
 * The data of a tensor as a typed array: a view of the model bytes when `rawData` is suitably
 * aligned, otherwise a copy. Handles `rawData` and the typed fields (float_data, int64_data, ...)
 * that other tools write. Tensors stored in external files are not supported.
 *
 * @example
 * const w = tensorData(model.graph.initializers[0]!) as Float32Array;
 */
export function tensorData(tensor: TensorProto): TensorArray {
  if (tensor.dataLocation === 1 || tensor.externalData !== undefined) {
    throw new HarkError(
      'MODEL_INVALID',
      `tensor ${tensor.name} keeps its data in an external file`,
    );
  }
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  const type = elementTypeOf(tensor.dataType);
  let array: TensorArray;
  if (tensor.rawData !== undefined) array = viewRaw(tensor.rawData, type);
  else array = fromTypedFields(tensor, type);
  if (array.length !== count) {
    throw new HarkError(
      'MODEL_INVALID',
      `tensor ${tensor.name} has ${array.length} values for dims [${tensor.dims.join(', ')}]`,
    );
  }
  return array;
}

/**
 * A float tensor's data as Float32Array (float64 and float16 data are converted).
 *
 * @example
 * const embedding = tensorToFloat32(initializerByName(model, 'embed.weight'));
 */
export function tensorToFloat32(tensor: TensorProto): Float32Array {
  const data = tensorData(tensor);
  if (data instanceof Float32Array) return data;
  if (tensor.dataType === DataType.FLOAT16) return halfToFloat32(data as Uint16Array);
  if (data instanceof Float64Array) return Float32Array.from(data);
  throw new HarkError(
    'MODEL_INVALID',
    `tensor ${tensor.name} is ${elementTypeOf(tensor.dataType)}, not a float tensor`,
  );
}

/** One initializer by name (throws MODEL_INVALID when absent). */
export function initializerByName(model: ModelProto | GraphProto, name: string): TensorProto {
  const graph = 'graph' in model ? model.graph : model;
  const found = graph.initializers.find((t) => t.name === name);
  if (found === undefined) throw new HarkError('MODEL_INVALID', `no initializer named ${name}`);
  return found;
}

/**
 * Every float initializer of the graph as Float32Array, by name, with its dims.
 *
 * @example
 * const params = floatInitializers(model);
 * params.get('encoder.0.weight')?.data.length;
 */
export function floatInitializers(
  model: ModelProto | GraphProto,
): Map<string, { data: Float32Array; dims: number[] }> {
  const graph = 'graph' in model ? model.graph : model;
  const out = new Map<string, { data: Float32Array; dims: number[] }>();
  for (const t of graph.initializers) {
    if (t.dataType === DataType.FLOAT) out.set(t.name, { data: tensorToFloat32(t), dims: t.dims });
  }
  return out;
}

const BYTES_PER_ELEMENT: Partial<Record<ElementType, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  bool: 1,
};

function viewRaw(raw: Uint8Array, type: ElementType): TensorArray {
  const size = BYTES_PER_ELEMENT[type];
  if (size === undefined) throw new HarkError('MODEL_INVALID', `raw ${type} data is not supported`);
  if (raw.byteLength % size !== 0) {
    throw new HarkError('MODEL_INVALID', `raw ${type} data of ${raw.byteLength} bytes`);
  }
  // Typed array views need aligned offsets; copy the (rare) misaligned tensor.
  // (new Uint8Array(view) copies; Buffer#slice would not.)
  const bytes = raw.byteOffset % size === 0 ? raw : new Uint8Array(raw);
  const { buffer, byteOffset } = bytes;
  const length = bytes.byteLength / size;
  switch (type) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, length);
    case 'float64':
      return new Float64Array(buffer, byteOffset, length);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, length);
    case 'uint64':
      return new BigUint64Array(buffer, byteOffset, length);
    case 'int32':
      return new Int32Array(buffer, byteOffset, length);
    case 'uint32':
      return new Uint32Array(buffer, byteOffset, length);
    case 'int16':
      return new Int16Array(buffer, byteOffset, length);
    case 'uint16':
    case 'float16':
      return new Uint16Array(buffer, byteOffset, length);
    case 'int8':
      return new Int8Array(buffer, byteOffset, length);
    default:
      return bytes;
  }
}

function fromTypedFields(t: TensorProto, type: ElementType): TensorArray {
  switch (type) {
    case 'float32':
      return Float32Array.from(t.floatData ?? []);
    case 'float64':
      return Float64Array.from(t.doubleData ?? []);
    case 'int64':
      return BigInt64Array.from(t.int64Data ?? []);
    case 'uint64':
    case 'uint32':
      return type === 'uint64'
        ? BigUint64Array.from(t.uint64Data ?? [])
        : Uint32Array.from((t.uint64Data ?? []).map(Number));
    case 'int32':
      return Int32Array.from(t.int32Data ?? []);
    case 'int16':
      return Int16Array.from(t.int32Data ?? []);
    case 'int8':
      return Int8Array.from(t.int32Data ?? []);
    case 'uint16':
    case 'float16':
      return Uint16Array.from(t.int32Data ?? []);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(t.int32Data ?? []);
    default:
      throw new HarkError('MODEL_INVALID', `tensor ${t.name}: ${type} data is not supported`);
  }
}

function halfToFloat32(half: Uint16Array): Float32Array {
  const out = new Float32Array(half.length);
  for (let i = 0; i < half.length; i++) {
    const h = half[i] as number;
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) out[i] = sign * 2 ** -14 * (fraction / 1024);
    else if (exponent === 31) out[i] = fraction ? NaN : sign * Infinity;
    else out[i] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  return out;
}
