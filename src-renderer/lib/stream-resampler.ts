/** The engine's rate: what the capture worklet sends. */
export const CAPTURE_TARGET_RATE = 16000;
/** Taps on each side of the interpolation kernel. */
const HALF_TAPS = 24;

/**
 * A streaming band-limited resampler: windowed-sinc interpolation (a Hann window over
 * `HALF_TAPS` input samples each side) with the cut-off below the lower Nyquist frequency, fed
 * block by block with no seams between blocks. It runs in the capture AudioWorklet, so it imports
 * nothing.
 *
 * @example
 * const resampler = new StreamResampler(48000, 16000);
 * const out = resampler.push(block); // about a third as many samples
 */
export class StreamResampler {
  private readonly step: number;
  private readonly cutoff: number;
  private pending = new Float32Array(0);
  /** Position of the next output sample, in input samples from pending[0]. */
  private time = 0;

  constructor(inRate: number, outRate: number) {
    this.step = inRate / outRate;
    this.cutoff = Math.min(1, 1 / this.step) * 0.94;
  }

  push(input: Float32Array): Float32Array {
    if (this.step === 1) return input.slice();
    const joined = new Float32Array(this.pending.length + input.length);
    joined.set(this.pending);
    joined.set(input, this.pending.length);
    const out: number[] = [];
    while (Math.floor(this.time) + HALF_TAPS < joined.length) {
      out.push(this.sampleAt(joined, this.time));
      this.time += this.step;
    }
    const drop = Math.max(0, Math.floor(this.time) - HALF_TAPS);
    this.pending = joined.slice(drop);
    this.time -= drop;
    return Float32Array.from(out);
  }

  private sampleAt(input: Float32Array, time: number): number {
    const centre = Math.floor(time);
    let sum = 0;
    for (let k = -HALF_TAPS + 1; k <= HALF_TAPS; k++) {
      const index = centre + k;
      if (index < 0 || index >= input.length) continue;
      const distance = time - index;
      const x = Math.PI * this.cutoff * distance;
      const sinc = x === 0 ? 1 : Math.sin(x) / x;
      const window = 0.5 + 0.5 * Math.cos((Math.PI * distance) / HALF_TAPS);
      sum += input[index]! * this.cutoff * sinc * window;
    }
    return sum;
  }
}
