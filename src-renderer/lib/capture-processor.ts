/**
 * The AudioWorklet that captures the microphone. It mixes the input to mono, gathers blocks of
 * `BLOCK_FRAMES` samples, measures each block (RMS, peak, samples at full scale, at the native
 * rate), resamples it to 16 kHz (the engine's rate: the smallest payload) with a windowed-sinc
 * low-pass, and posts the result transferred, not copied. The page's main thread only appends
 * chunks and moves the meter. Loaded with `?worker&url`; it runs in the AudioWorkletGlobalScope
 * and imports nothing.
 *
 * Out: { type: 'chunk', samples (16 kHz), rms, peak, clipped, frames }; after { type: 'flush' }
 * in, the partial block followed by { type: 'flushed' }.
 */

/** About 85 ms at 48 kHz: the meter moves about twelve times a second. */
const BLOCK_FRAMES = 4096;
const TARGET_RATE = 16000;
/** Taps on each side of the interpolation kernel. */
const HALF_TAPS = 24;
const FULL_SCALE = 0.999;

interface WorkletPort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<{ type: string }>) => void) | null;
}

declare const AudioWorkletProcessor: new () => { readonly port: WorkletPort };
declare function registerProcessor(name: string, processor: unknown): void;
declare const sampleRate: number;

/** A streaming band-limited resampler from `inRate` to 16 kHz. */
class StreamResampler {
  private readonly step: number;
  private readonly cutoff: number;
  private pending = new Float32Array(0);
  /** Position of the next output sample, in input samples from pending[0]. */
  private time = 0;

  constructor(inRate: number) {
    this.step = inRate / TARGET_RATE;
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

class CaptureProcessor extends AudioWorkletProcessor {
  private readonly block = new Float32Array(BLOCK_FRAMES);
  private filled = 0;
  private readonly resampler = new StreamResampler(sampleRate);

  constructor() {
    super();
    this.port.onmessage = (event) => {
      if (event.data.type === 'flush') {
        this.post();
        this.port.postMessage({ type: 'flushed' });
      }
    };
  }

  process(inputs: Float32Array[][]): boolean {
    const channels = inputs[0] ?? [];
    const first = channels[0];
    if (!first) return true;
    const count = channels.length;
    for (let i = 0; i < first.length; i++) {
      let sum = 0;
      for (const channel of channels) sum += channel[i] ?? 0;
      this.block[this.filled++] = sum / count;
      if (this.filled === BLOCK_FRAMES) this.post();
    }
    return true;
  }

  private post(): void {
    if (this.filled === 0) return;
    const native = this.block.subarray(0, this.filled);
    let sum = 0;
    let peak = 0;
    let clipped = 0;
    for (const value of native) {
      sum += value * value;
      const magnitude = Math.abs(value);
      if (magnitude > peak) peak = magnitude;
      if (magnitude >= FULL_SCALE) clipped++;
    }
    const samples = this.resampler.push(native);
    const message = {
      type: 'chunk',
      samples,
      rms: Math.sqrt(sum / native.length),
      peak,
      clipped,
      frames: native.length,
    };
    this.port.postMessage(message, [samples.buffer]);
    this.filled = 0;
  }
}

registerProcessor('hark-capture', CaptureProcessor);
