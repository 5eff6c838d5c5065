/** Hand-made WAV files, good and broken, for the CLI's batch tests. */

export function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

function u32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

function u16(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff];
}

export interface WavSpec {
  formatTag?: number;
  channels?: number;
  sampleRate?: number;
  bitsPerSample?: number;
  /** Raw bytes of the data chunk. */
  data: Uint8Array;
  /** Data size written in the header instead of the real one. */
  declaredDataSize?: number;
  /** A chunk placed between fmt and data, with a declared size that may lie. */
  extraChunk?: { id: string; body: Uint8Array; declaredSize?: number };
}

/** A RIFF/WAVE file: fmt chunk (16 bytes), optional extra chunk, data chunk. */
export function wavBytes(spec: WavSpec): Uint8Array {
  const channels = spec.channels ?? 1;
  const sampleRate = spec.sampleRate ?? 16000;
  const bits = spec.bitsPerSample ?? 16;
  const blockAlign = channels * Math.ceil(bits / 8);
  const fmt = [
    ...ascii('fmt '),
    ...u32(16),
    ...u16(spec.formatTag ?? 1),
    ...u16(channels),
    ...u32(sampleRate),
    ...u32(sampleRate * blockAlign),
    ...u16(blockAlign),
    ...u16(bits),
  ];
  const extra = spec.extraChunk
    ? [
        ...ascii(spec.extraChunk.id),
        ...u32(spec.extraChunk.declaredSize ?? spec.extraChunk.body.length),
        ...spec.extraChunk.body,
      ]
    : [];
  const head = [
    ...ascii('WAVE'),
    ...fmt,
    ...extra,
    ...ascii('data'),
    ...u32(spec.declaredDataSize ?? spec.data.length),
  ];
  const out = new Uint8Array(8 + head.length + spec.data.length);
  out.set([...ascii('RIFF'), ...u32(head.length + spec.data.length), ...head]);
  out.set(spec.data, 8 + head.length);
  return out;
}

/** 16-bit PCM bytes, interleaved, of a sine at `frequencyHz` on every channel. */
export function pcm16Sine(options: {
  seconds: number;
  sampleRate: number;
  channels: number;
  frequencyHz?: number;
}): Uint8Array {
  const frames = Math.round(options.seconds * options.sampleRate);
  const out = new Uint8Array(frames * options.channels * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < frames; i++) {
    const value = Math.round(
      8000 * Math.sin((2 * Math.PI * (options.frequencyHz ?? 440) * i) / options.sampleRate),
    );
    for (let c = 0; c < options.channels; c++)
      view.setInt16((i * options.channels + c) * 2, value, true);
  }
  return out;
}

/** 32-bit float bytes with a NaN in the middle. */
export function float32WithNaN(frames: number): Uint8Array {
  const values = new Float32Array(frames).map((_, i) => 0.1 * Math.sin(i / 5));
  values[Math.floor(frames / 2)] = Number.NaN;
  return new Uint8Array(values.buffer);
}
