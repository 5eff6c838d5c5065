/** Helpers for the audio tests: make signals, write WAV files (with wavefile or by hand), decode references. */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WaveFile } from 'wavefile';

/** A fresh temporary folder and a function that removes it. */
export function makeTempDir(prefix: string): {
  dir: string;
  path: (name: string) => string;
  remove: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), `hark-${prefix}-`));
  return {
    dir,
    path: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A deterministic pseudo-random generator (mulberry32) so test signals are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sine(options: {
  frequencyHz: number;
  sampleRate: number;
  seconds: number;
  amplitude?: number;
}): Float64Array {
  const { frequencyHz, sampleRate, seconds, amplitude = 0.5 } = options;
  const samples = new Float64Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i++)
    samples[i] = amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate);
  return samples;
}

/** A test signal in [-0.9, 0.9]: two tones plus noise, different per channel. */
export function testSignal(options: {
  sampleRate: number;
  frames: number;
  channel: number;
}): Float64Array {
  const { sampleRate, frames, channel } = options;
  const random = seededRandom(1234 + channel);
  const out = new Float64Array(frames);
  for (let i = 0; i < frames; i++) {
    const t = i / sampleRate;
    out[i] =
      0.4 * Math.sin(2 * Math.PI * (300 + 100 * channel) * t) +
      0.3 * Math.sin(2 * Math.PI * 1234 * t + channel) +
      0.2 * (random() * 2 - 1);
  }
  return out;
}

/** Scales [-1, 1] samples to the integer (or float) values wavefile's fromScratch expects for a bit depth. */
export function toWavefileValues(samples: Float64Array, bitDepth: string): number[] {
  if (bitDepth === '32f' || bitDepth === '64') return Array.from(samples);
  if (bitDepth === '8')
    return Array.from(samples, (s) => Math.max(0, Math.min(255, Math.round(s * 128 + 128))));
  const bits = Number(bitDepth);
  const full = 2 ** (bits - 1);
  return Array.from(samples, (s) => Math.max(-full, Math.min(full - 1, Math.round(s * full))));
}

export type Codec = 'alaw' | 'mulaw' | 'ima-adpcm';

/** Writes a WAV with wavefile; returns the file's bytes. */
export function writeWithWavefile(
  path: string,
  options: {
    sampleRate: number;
    bitDepth: string;
    channels: Float64Array[];
    codec?: Codec;
    container?: 'RIFF' | 'RIFX';
  },
): Uint8Array {
  const { sampleRate, bitDepth, channels, codec, container = 'RIFF' } = options;
  const wav = new WaveFile();
  const values = channels.map((channel) => toWavefileValues(channel, bitDepth));
  wav.fromScratch(
    channels.length,
    sampleRate,
    bitDepth,
    values.length === 1 ? values[0]! : values,
    { container },
  );
  if (codec === 'alaw') wav.toALaw();
  if (codec === 'mulaw') wav.toMuLaw();
  if (codec === 'ima-adpcm') wav.toIMAADPCM();
  const bytes = wav.toBuffer();
  writeFileSync(path, bytes);
  return bytes;
}

/**
 * wavefile's own decoding of a file, mixed to mono and scaled to [-1, 1] the same way Hark scales
 * (integer samples divided by 2^(bits-1), 8-bit unsigned centred on 128). Not for IMA ADPCM.
 */
export function wavefileReference(path: string): Float64Array {
  const wav = new WaveFile(readFileSync(path));
  const fmt = wav.fmt as { audioFormat: number; numChannels: number; bitsPerSample: number };
  if (fmt.audioFormat === 6) wav.fromALaw();
  if (fmt.audioFormat === 7) wav.fromMuLaw();
  const bitDepth = wav.bitDepth;
  const perChannel = wav.getSamples(false, Float64Array) as unknown as
    Float64Array | Float64Array[];
  const channels =
    fmt.numChannels === 1 ? [perChannel as Float64Array] : (perChannel as Float64Array[]);
  const scale = (value: number): number => {
    if (bitDepth === '32f' || bitDepth === '64') return value;
    if (bitDepth === '8') return (value - 128) / 128;
    const containerBits = Math.ceil(Number(bitDepth) / 8) * 8;
    return value / 2 ** (containerBits - 1);
  };
  const frames = channels[0]!.length;
  const mono = new Float64Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (const channel of channels) sum += scale(channel[i]!);
    mono[i] = sum / channels.length;
  }
  return mono;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

export interface Chunk {
  id: string;
  body: Uint8Array;
  /** Size to write in the chunk header instead of the body's length (to make headers lie). */
  declaredSize?: number;
  /** Leave out the pad byte after an odd-sized body (a common writer bug). */
  omitPad?: boolean;
}

/** Assembles a RIFF/RIFX/RF64 file from chunks, by hand. */
export function buildRiff(
  chunks: Chunk[],
  options: { container?: string; riffSize?: number } = {},
): Uint8Array {
  const { container = 'RIFF' } = options;
  const littleEndian = container !== 'RIFX';
  const parts: Uint8Array[] = [];
  for (const chunk of chunks) {
    const header = new Uint8Array(8);
    header.set(ascii(chunk.id), 0);
    new DataView(header.buffer).setUint32(4, chunk.declaredSize ?? chunk.body.length, littleEndian);
    parts.push(header, chunk.body);
    if (chunk.body.length % 2 === 1 && !chunk.omitPad) parts.push(new Uint8Array(1));
  }
  const bodyLength = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(12 + bodyLength);
  out.set(ascii(container), 0);
  new DataView(out.buffer).setUint32(4, options.riffSize ?? 4 + bodyLength, littleEndian);
  out.set(ascii('WAVE'), 8);
  let offset = 12;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The body of a fmt chunk. `extensible` adds cbSize 22, valid bits, channel mask and a SubFormat GUID. */
export function fmtBody(options: {
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign?: number;
  littleEndian?: boolean;
  extensible?: { validBits: number; subFormatTag?: number; guidBytes?: Uint8Array };
}): Uint8Array {
  const {
    formatTag,
    channels,
    sampleRate,
    bitsPerSample,
    littleEndian = true,
    extensible,
  } = options;
  const blockAlign = options.blockAlign ?? channels * Math.ceil(bitsPerSample / 8);
  const body = new Uint8Array(extensible ? 40 : 16);
  const view = new DataView(body.buffer);
  view.setUint16(0, formatTag, littleEndian);
  view.setUint16(2, channels, littleEndian);
  view.setUint32(4, sampleRate, littleEndian);
  view.setUint32(8, sampleRate * blockAlign, littleEndian);
  view.setUint16(12, blockAlign, littleEndian);
  view.setUint16(14, bitsPerSample, littleEndian);
  if (extensible) {
    view.setUint16(16, 22, littleEndian);
    view.setUint16(18, extensible.validBits, littleEndian);
    view.setUint32(20, 0, littleEndian);
    const guid =
      extensible.guidBytes ??
      Uint8Array.from([
        0, 0, 0, 0, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
      ]);
    body.set(guid, 24);
    if (!extensible.guidBytes) view.setUint16(24, extensible.subFormatTag ?? 1, true);
  }
  return body;
}

/** Little-endian 16-bit PCM bytes of samples in [-1, 1]. */
export function pcm16Bytes(samples: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++)
    view.setInt16(2 * i, Math.round(samples[i]! * 32767), true);
  return bytes;
}

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}
