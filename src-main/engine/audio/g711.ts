/**
 * G.711 companding (A-law and µ-law, ITU-T G.711): each 8-bit code expands to a 16-bit linear
 * value. Both are decoded through 256-entry tables, already scaled to [-1, 1).
 */

/** Expands one A-law code to a 16-bit linear value (−32256…32256). */
export function alawToLinear(code: number): number {
  const value = code ^ 0x55;
  const segment = (value & 0x70) >> 4;
  let magnitude = (value & 0x0f) << 4;
  if (segment === 0) magnitude += 8;
  else magnitude = (magnitude + 0x108) << (segment - 1);
  // In A-law a set sign bit means positive.
  return value & 0x80 ? magnitude : -magnitude;
}

/** Expands one µ-law code to a 16-bit linear value (−32124…32124). */
export function mulawToLinear(code: number): number {
  const value = ~code & 0xff;
  const exponent = (value & 0x70) >> 4;
  const magnitude = (((value & 0x0f) << 3) + 0x84) << exponent;
  return value & 0x80 ? 0x84 - magnitude : magnitude - 0x84;
}

function buildTable(expand: (code: number) => number): Float32Array {
  const table = new Float32Array(256);
  for (let code = 0; code < 256; code++) table[code] = expand(code) / 32768;
  return table;
}

/**
 * Code → sample in [-1, 1) lookup tables.
 *
 * @example
 * ALAW_TABLE[0xd5]; // 0.000244140625, the smallest positive A-law step
 */
export const ALAW_TABLE = buildTable(alawToLinear);
export const MULAW_TABLE = buildTable(mulawToLinear);
