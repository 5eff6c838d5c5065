import { halfToFloat } from './float16';

/**
 * A column of log10 values (probabilities or backoff weights) of one n-gram order, stored as
 * float32 (models built or parsed in memory, writable) or as float16 bit patterns (a view into a
 * loaded binary file, read-only).
 */
export interface LogTable {
  readonly length: number;
  get(index: number): number;
}

/** float32 values, writable: what the builder, the pruner and the ARPA reader produce. */
export class Float32LogTable implements LogTable {
  constructor(readonly values: Float32Array) {}
  get length(): number {
    return this.values.length;
  }
  get(index: number): number {
    return this.values[index]!;
  }
}

/** float16 bit patterns, decoded on access through a lookup table. */
export class HalfLogTable implements LogTable {
  constructor(readonly bits: Uint16Array) {}
  get length(): number {
    return this.bits.length;
  }
  get(index: number): number {
    return halfToFloat(this.bits[index]!);
  }
}
