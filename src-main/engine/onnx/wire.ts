/**
 * Protocol Buffers wire format: just enough to read and write ONNX models.
 *
 * Writing keeps large byte arrays (tensor data) as references and joins everything once in
 * `finish()`, so a 40 MB model is copied once, not once per nesting level. Reading hands out
 * `subarray` views of the input, never copies.
 *
 * Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 (3/4 are obsolete groups).
 */

import { HarkError } from '../errors';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

const TEXT_ENCODER = new TextEncoder();
const TEXT_DECODER = new TextDecoder('utf-8', { fatal: false });

/** Byte arrays at least this long are kept by reference instead of being copied into a chunk. */
const REFERENCE_THRESHOLD = 256;

/**
 * Builds one protobuf message. Nested messages are written into their own writer first, then
 * appended with their length in front.
 *
 * @example
 * const w = new ProtoWriter();
 * w.string(1, 'relu');
 * w.message(2, (sub) => sub.int64(1, 17));
 * const bytes = w.finish();
 */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  private chunk = new Uint8Array(512);
  private used = 0;
  private flushedLength = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.flushedLength + this.used;
  }

  /** Writes a field key (field number and wire type). */
  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** Writes an unsigned varint of a non-negative safe integer. */
  varint(value: number): void {
    if (value < 0 || !Number.isSafeInteger(value)) {
      this.varint64(BigInt(Math.trunc(value)));
      return;
    }
    this.reserve(10);
    let v = value;
    while (v >= 0x80) {
      this.chunk[this.used++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.chunk[this.used++] = v;
  }

  /** Writes an int64 varint (negative values take ten bytes, two's complement). */
  varint64(value: bigint): void {
    let v = BigInt.asUintN(64, value);
    this.reserve(10);
    while (v >= 0x80n) {
      this.chunk[this.used++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.chunk[this.used++] = Number(v);
  }

  /** Raw bytes without a tag or length. Large arrays are kept by reference. */
  raw(bytes: Uint8Array): void {
    if (bytes.length >= REFERENCE_THRESHOLD) {
      this.flush();
      this.parts.push(bytes);
      this.flushedLength += bytes.length;
      return;
    }
    this.reserve(bytes.length);
    this.chunk.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** int64/int32/enum field as a varint; skips nothing (proto2 presence is the caller's call). */
  int64(field: number, value: number | bigint): void {
    this.tag(field, WIRE_VARINT);
    if (typeof value === 'bigint') this.varint64(value);
    else this.varint(value);
  }

  float32(field: number, value: number): void {
    this.tag(field, WIRE_FIXED32);
    this.reserve(4);
    new DataView(this.chunk.buffer, this.chunk.byteOffset).setFloat32(this.used, value, true);
    this.used += 4;
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, WIRE_BYTES);
    this.varint(value.length);
    this.raw(value);
  }

  string(field: number, value: string): void {
    this.bytes(field, TEXT_ENCODER.encode(value));
  }

  /** A nested message, written by `write` into a fresh writer. */
  message(field: number, write: (sub: ProtoWriter) => void): void {
    const sub = new ProtoWriter();
    write(sub);
    this.tag(field, WIRE_BYTES);
    this.varint(sub.length);
    sub.flush();
    for (const part of sub.parts) this.raw(part);
  }

  /** A packed repeated varint field (int32/int64). */
  packedInt64(field: number, values: ArrayLike<number | bigint>): void {
    this.message(field, (sub) => {
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as number | bigint;
        if (typeof v === 'bigint') sub.varint64(v);
        else sub.varint(v);
      }
    });
  }

  /** A packed repeated float field. */
  packedFloat32(field: number, values: ArrayLike<number>): void {
    const data = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) data[i] = values[i] as number;
    this.bytes(field, littleEndianBytes(data));
  }

  /** A packed repeated double field. */
  packedFloat64(field: number, values: ArrayLike<number>): void {
    const data = Float64Array.from(values as ArrayLike<number>);
    this.bytes(field, littleEndianBytes(data));
  }

  /** All bytes of the message, joined once. */
  finish(): Uint8Array {
    this.flush();
    if (this.parts.length === 1) return this.parts[0] as Uint8Array;
    const out = new Uint8Array(this.flushedLength);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.chunk.length) return;
    this.flush();
    if (bytes > this.chunk.length) this.chunk = new Uint8Array(Math.max(bytes, 512));
  }

  private flush(): void {
    if (this.used === 0) return;
    this.parts.push(this.chunk.subarray(0, this.used));
    this.flushedLength += this.used;
    this.chunk = new Uint8Array(Math.max(512, Math.min(this.chunk.length * 2, 1 << 16)));
    this.used = 0;
  }
}

/** The bytes of a typed array in little-endian order (a view when the platform is little-endian). */
export function littleEndianBytes(array: ArrayBufferView): Uint8Array {
  if (!IS_LITTLE_ENDIAN) throw new HarkError('INTERNAL', 'big-endian platforms are not supported');
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reads one protobuf message. `next()` yields field keys; the caller reads the value with the
 * matching method or calls `skip(wireType)` for fields it does not know.
 *
 * @example
 * const r = new ProtoReader(bytes);
 * while (r.more()) {
 *   const { field, wireType } = r.key();
 *   if (field === 1) name = r.string();
 *   else r.skip(wireType);
 * }
 */
export class ProtoReader {
  pos: number;
  private readonly view: DataView;

  constructor(
    readonly buffer: Uint8Array,
    start = 0,
    readonly end = buffer.length,
  ) {
    this.pos = start;
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  more(): boolean {
    return this.pos < this.end;
  }

  key(): { field: number; wireType: number } {
    const key = this.varint();
    return { field: Math.floor(key / 8), wireType: key & 7 };
  }

  /** An unsigned varint as a number (exact up to 2^53). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.byte();
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
    throw this.error('varint longer than 10 bytes');
  }

  /** A signed int64 varint as a number (negative values decoded from two's complement). */
  int64(): number {
    const start = this.pos;
    const unsigned = this.varint();
    if (unsigned < 2 ** 63) return unsigned;
    this.pos = start;
    return Number(this.int64Big());
  }

  /** A signed int64 varint as a bigint (exact). */
  int64Big(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = this.byte();
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return BigInt.asIntN(64, result);
    }
    throw this.error('varint longer than 10 bytes');
  }

  float32(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  float64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A length-delimited field's bytes, as a view of the input. */
  bytes(): Uint8Array {
    const length = this.varint();
    this.need(length);
    const out = this.buffer.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string {
    return TEXT_DECODER.decode(this.bytes());
  }

  /** A reader over the next length-delimited field (a nested message). */
  sub(): ProtoReader {
    const length = this.varint();
    this.need(length);
    const reader = new ProtoReader(this.buffer, this.pos, this.pos + length);
    this.pos += length;
    return reader;
  }

  /** Reads a repeated varint field that may be packed (wire type 2) or not (wire type 0). */
  repeatedInt64(wireType: number, into: number[]): void {
    if (wireType === WIRE_BYTES) {
      const sub = this.sub();
      while (sub.more()) into.push(sub.int64());
    } else into.push(this.int64());
  }

  /** Reads a repeated float field that may be packed or not. */
  repeatedFloat32(wireType: number, into: number[]): void {
    if (wireType === WIRE_BYTES) {
      const sub = this.sub();
      while (sub.more()) into.push(sub.float32());
    } else into.push(this.float32());
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE_BYTES: {
        const length = this.varint();
        this.need(length);
        this.pos += length;
        return;
      }
      case WIRE_FIXED32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw this.error(`unsupported wire type ${wireType}`);
    }
  }

  error(problem: string): HarkError {
    return new HarkError(
      'MODEL_INVALID',
      `not a valid ONNX protobuf: ${problem} at byte ${this.pos}`,
    );
  }

  private byte(): number {
    if (this.pos >= this.end) throw this.error('message ends inside a field');
    return this.buffer[this.pos++] as number;
  }

  private need(length: number): void {
    if (this.pos + length > this.end) throw this.error('field runs past the end of its message');
  }
}
