/**
 * IMA ADPCM (WAVE format tag 0x0011, 4 bits per sample) as Microsoft lays it out in WAV files.
 * Every block is self-contained: per channel a 4-byte header (first sample as int16, step index,
 * a reserved byte), then 4-bit codes, low nibble first; with several channels the codes come in
 * runs of 4 bytes (8 samples) per channel in turn.
 */

const INDEX_ADJUST = [-1, -1, -1, -1, 2, 4, 6, 8];

const STEP_SIZES = [
  7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 21, 23, 25, 28, 31, 34, 37, 41, 45, 50, 55, 60, 66, 73,
  80, 88, 97, 107, 118, 130, 143, 157, 173, 190, 209, 230, 253, 279, 307, 337, 371, 408, 449, 494,
  544, 598, 658, 724, 796, 876, 963, 1060, 1166, 1282, 1411, 1552, 1707, 1878, 2066, 2272, 2499,
  2749, 3024, 3327, 3660, 4026, 4428, 4871, 5358, 5894, 6484, 7132, 7845, 8630, 9493, 10442, 11487,
  12635, 13899, 15289, 16818, 18500, 20350, 22385, 24623, 27086, 29794, 32767,
];

/**
 * Decodes one IMA ADPCM block (or a final partial block) and adds each channel's samples, scaled by
 * `gain`, into `out` from `outOffset`. Mixing to mono is therefore `gain = 1 / (32768 * channels)`
 * with `out` zeroed first. Decodes `frames` samples per channel.
 *
 * @example
 * const out = new Float32Array(505);
 * addImaBlock(block, { channels: 1, frames: 505, gain: 1 / 32768 }, out, 0);
 */
export function addImaBlock(
  block: Uint8Array,
  options: { channels: number; frames: number; gain: number },
  out: Float32Array,
  outOffset: number,
): void {
  const { channels, frames, gain } = options;
  if (frames <= 0) return;
  for (let channel = 0; channel < channels; channel++) {
    const headerAt = 4 * channel;
    let predictor = ((block[headerAt]! | (block[headerAt + 1]! << 8)) << 16) >> 16;
    let index = Math.min(88, block[headerAt + 2]!);
    out[outOffset]! += predictor * gain;
    for (let frame = 1; frame < frames; frame++) {
      const code = frame - 1;
      const byteAt = nibbleByteOffset(code, channel, channels);
      const byte = block[byteAt]!;
      const nibble = code & 1 ? byte >> 4 : byte & 0x0f;
      const step = STEP_SIZES[index]!;
      let delta = step >> 3;
      if (nibble & 4) delta += step;
      if (nibble & 2) delta += step >> 1;
      if (nibble & 1) delta += step >> 2;
      predictor += nibble & 8 ? -delta : delta;
      if (predictor > 32767) predictor = 32767;
      else if (predictor < -32768) predictor = -32768;
      index += INDEX_ADJUST[nibble & 7]!;
      if (index < 0) index = 0;
      else if (index > 88) index = 88;
      out[outOffset + frame]! += predictor * gain;
    }
  }
}

/** Where the byte holding code number `code` (0-based, after the header) of `channel` sits. */
function nibbleByteOffset(code: number, channel: number, channels: number): number {
  const headerBytes = 4 * channels;
  if (channels === 1) return headerBytes + (code >> 1);
  const run = code >> 3; // 8 codes = 4 bytes per channel per run
  return headerBytes + run * headerBytes + channel * 4 + ((code & 7) >> 1);
}
