/**
 * IEEE 754 half precision (binary16) for the compact language-model file: 11 significant bits
 * keep a log10 probability of magnitude under 8 within 0.002, half the size of float32.
 * Node 20 has no Float16Array, so values travel as Uint16Array bit patterns.
 */

const scratch = new DataView(new ArrayBuffer(4));

/** Every half-precision bit pattern decoded once: `HALF_TO_FLOAT[bits]`. */
const HALF_TO_FLOAT = (() => {
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    table[bits] =
      exponent === 0
        ? sign * fraction * 2 ** -24
        : exponent === 31
          ? fraction === 0
            ? sign * Infinity
            : NaN
          : sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return table;
})();

/**
 * The value of a half-precision bit pattern.
 *
 * @example
 * halfToFloat(0x3c00); // 1
 */
export function halfToFloat(bits: number): number {
  return HALF_TO_FLOAT[bits & 0xffff]!;
}

/**
 * The half-precision bit pattern nearest to `value` (round to nearest even; overflow → ±Infinity).
 *
 * @example
 * floatToHalf(-2.5); // 0xc100
 */
export function floatToHalf(value: number): number {
  scratch.setFloat32(0, value);
  const x = scratch.getUint32(0);
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 31) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const half = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    return sign | (rest > halfway || (rest === halfway && half & 1) ? half + 1 : half);
  }
  const half = (halfExponent << 10) | (mantissa >> 13);
  const rest = mantissa & 0x1fff;
  // Rounding up may carry into the exponent, which is still the right pattern.
  return sign | (rest > 0x1000 || (rest === 0x1000 && half & 1) ? half + 1 : half);
}

/** Float32 values → half-precision bit patterns. */
export function encodeHalves(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatToHalf(values[i]!);
  return out;
}
