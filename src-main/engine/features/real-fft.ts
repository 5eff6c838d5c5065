/**
 * Power spectrum of a real signal whose length is a power of two, by the "packed" method: the N real
 * samples are read as N/2 complex numbers (even samples real, odd samples imaginary), one complex
 * FFT of size N/2 runs over them, and a last pass separates the spectra of the even and odd halves.
 * Twiddle factors and the bit-reversal permutation are computed once per size.
 *
 * @example
 * const fft = new RealFft(512);
 * const frame = new Float64Array(512); // windowed samples, zero-padded
 * const power = new Float64Array(257); // |X[k]|^2 for k = 0..256
 * fft.powerSpectrum(frame, power);
 */
export class RealFft {
  readonly size: number;
  private readonly half: number;
  /** cos and sin of -2πk/half for the complex FFT of size half. */
  private readonly cosHalf: Float64Array;
  private readonly sinHalf: Float64Array;
  /** cos and sin of -2πk/size for the final split pass. */
  private readonly cosFull: Float64Array;
  private readonly sinFull: Float64Array;
  private readonly bitReversed: Uint32Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) {
      throw new RangeError(`RealFft: size must be a power of two >= 4, got ${size}`);
    }
    this.size = size;
    const half = size / 2;
    this.half = half;
    this.cosHalf = new Float64Array(half / 2);
    this.sinHalf = new Float64Array(half / 2);
    for (let k = 0; k < half / 2; k++) {
      this.cosHalf[k] = Math.cos((-2 * Math.PI * k) / half);
      this.sinHalf[k] = Math.sin((-2 * Math.PI * k) / half);
    }
    this.cosFull = new Float64Array(half + 1);
    this.sinFull = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      this.cosFull[k] = Math.cos((-2 * Math.PI * k) / size);
      this.sinFull[k] = Math.sin((-2 * Math.PI * k) / size);
    }
    const bits = Math.log2(half);
    this.bitReversed = new Uint32Array(half);
    for (let i = 0; i < half; i++) {
      let reversed = 0;
      for (let b = 0; b < bits; b++) reversed |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitReversed[i] = reversed;
    }
    this.re = new Float64Array(half);
    this.im = new Float64Array(half);
  }

  /**
   * Writes |X[k]|² for k = 0..size/2 (DC to Nyquist, size/2 + 1 values) into `power`.
   * `input` must hold `size` samples; it is not modified.
   */
  powerSpectrum(input: Float64Array, power: Float64Array): void {
    const { half, re, im } = this;
    for (let m = 0; m < half; m++) {
      const target = this.bitReversed[m]!;
      re[target] = input[2 * m]!;
      im[target] = input[2 * m + 1]!;
    }
    this.complexFftInPlace();

    // Split: X[k] = E[k] + W^k O[k], with E = (Z[k] + conj Z[half-k]) / 2 and
    // O = (Z[k] - conj Z[half-k]) / 2i, where Z[half] = Z[0].
    for (let k = 0; k <= half; k++) {
      const a = k % half;
      const b = (half - k) % half;
      const zr = re[a]!;
      const zi = im[a]!;
      const cr = re[b]!;
      const ci = -im[b]!;
      const er = 0.5 * (zr + cr);
      const ei = 0.5 * (zi + ci);
      // (d) / (2i) = -i d / 2 with d = z - c
      const or = 0.5 * (zi - ci);
      const oi = -0.5 * (zr - cr);
      const wr = this.cosFull[k]!;
      const wi = this.sinFull[k]!;
      const xr = er + wr * or - wi * oi;
      const xi = ei + wr * oi + wi * or;
      power[k] = xr * xr + xi * xi;
    }
  }

  /** Iterative radix-2 decimation-in-time FFT over re/im, already in bit-reversed order. */
  private complexFftInPlace(): void {
    const { half, re, im, cosHalf, sinHalf } = this;
    for (let span = 1; span < half; span *= 2) {
      const twiddleStep = half / (2 * span);
      for (let start = 0; start < half; start += 2 * span) {
        for (let j = 0; j < span; j++) {
          const wr = cosHalf[j * twiddleStep]!;
          const wi = sinHalf[j * twiddleStep]!;
          const p = start + j;
          const q = p + span;
          const qr = re[q]! * wr - im[q]! * wi;
          const qi = re[q]! * wi + im[q]! * wr;
          re[q] = re[p]! - qr;
          im[q] = im[p]! - qi;
          re[p] = re[p]! + qr;
          im[p] = im[p]! + qi;
        }
      }
    }
  }
}
