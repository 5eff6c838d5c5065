/** Element type names (as onnxruntime-node spells them) and their ONNX DataType codes. */

import { HarkError } from '../errors';
import { DataType } from './proto';

/** Element type names used across the builder and the reader. */
export type ElementType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool'
  | 'string';

const ELEMENT_TYPE_CODES: Record<ElementType, number> = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  float16: DataType.FLOAT16,
  int64: DataType.INT64,
  int32: DataType.INT32,
  int16: DataType.INT16,
  int8: DataType.INT8,
  uint8: DataType.UINT8,
  uint16: DataType.UINT16,
  uint32: DataType.UINT32,
  uint64: DataType.UINT64,
  bool: DataType.BOOL,
  string: DataType.STRING,
};

/** The ONNX DataType code of an element type name. */
export function dataTypeCode(type: ElementType): number {
  return ELEMENT_TYPE_CODES[type];
}

/** The element type name of an ONNX DataType code (throws MODEL_INVALID for unknown codes). */
export function elementTypeOf(code: number): ElementType {
  for (const [name, value] of Object.entries(ELEMENT_TYPE_CODES)) {
    if (value === code) return name as ElementType;
  }
  throw new HarkError('MODEL_INVALID', `unsupported tensor data type ${code}`);
}
