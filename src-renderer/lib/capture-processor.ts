/**
 * The AudioWorklet that captures the microphone. It mixes the input to mono, gathers blocks of
 * `BLOCK_FRAMES` samples, measures each block (RMS, peak, samples at full scale, at the native
 * rate), resamples it to 16 kHz (the engine's rate: the smallest payload) with a windowed-sinc
 * low-pass, and posts the result transferred, not copied. The page's main thread only appends
 * chunks and moves the meter. Loaded with `?worker&url`, which bundles its one import; it runs in
 * the AudioWorkletGlobalScope.
 *
 * Out: { type: 'chunk', samples (16 kHz), rms, peak, clipped, frames }; after { type: 'flush' }
 * in, the partial block followed by { type: 'flushed' }.
 */

import { CAPTURE_TARGET_RATE, StreamResampler } from './stream-resampler';

/** About 85 ms at 48 kHz: the meter moves about twelve times a second. */
const BLOCK_FRAMES = 4096;
const FULL_SCALE = 0.999;

interface WorkletPort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<{ type: string }>) => void) | null;
}

declare const AudioWorkletProcessor: new () => { readonly port: WorkletPort };
declare function registerProcessor(name: string, processor: unknown): void;
declare const sampleRate: number;

class CaptureProcessor extends AudioWorkletProcessor {
  private readonly block = new Float32Array(BLOCK_FRAMES);
  private filled = 0;
  private readonly resampler = new StreamResampler(sampleRate, CAPTURE_TARGET_RATE);

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
