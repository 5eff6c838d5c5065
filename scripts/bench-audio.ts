/** Benchmark audio: espeak-ng speech, repeated into long WAV files written in a streaming way. */
import { execFileSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { readAudioWhole } from '../src-main/engine/audio';

const PARAGRAPH = [
  'The committee met on Tuesday morning to review the budget for the coming year.',
  'Several members asked whether the new library could open before the winter holidays.',
  'After a long discussion, they agreed to publish the figures and to invite comments from the public.',
  'The weather stayed cold and grey, but the hall was warm and the coffee was strong.',
  'Nobody expected the meeting to last until the afternoon, yet the questions kept coming.',
  'In the end the chair thanked everyone, closed the session, and promised a shorter agenda next time.',
].join(' ');

/** About forty seconds of espeak-ng speech as mono samples at `sampleRate`. */
export async function speechSamples(workDir: string, sampleRate: number): Promise<Float32Array> {
  const file = path.join(workDir, 'paragraph.wav');
  execFileSync('espeak-ng', ['-v', 'en-us', '-s', '160', '-w', file, PARAGRAPH]);
  return (await readAudioWhole(file, { targetSampleRate: sampleRate })).samples;
}

function wavHeader(options: { sampleRate: number; channels: number; dataBytes: number }): Buffer {
  const { sampleRate, channels, dataBytes } = options;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

/**
 * Writes `durationSec` of 16-bit PCM by repeating `source` (mono) on every channel (the second
 * channel slightly quieter), one block at a time: memory stays small whatever the length.
 */
export async function writeRepeatedWav(
  file: string,
  source: Float32Array,
  options: { sampleRate: number; channels: number; durationSec: number },
): Promise<void> {
  const { sampleRate, channels, durationSec } = options;
  const frames = Math.round(durationSec * sampleRate);
  const block = Buffer.alloc(source.length * channels * 2);
  for (let i = 0; i < source.length; i++) {
    for (let c = 0; c < channels; c++) {
      const value = Math.max(-1, Math.min(1, source[i]! * (c === 0 ? 1 : 0.8)));
      block.writeInt16LE(Math.round(value * 32767), (i * channels + c) * 2);
    }
  }
  const handle = await open(file, 'w');
  try {
    await handle.write(wavHeader({ sampleRate, channels, dataBytes: frames * channels * 2 }));
    for (let written = 0; written < frames; written += source.length) {
      const count = Math.min(source.length, frames - written);
      await handle.write(block, 0, count * channels * 2);
    }
  } finally {
    await handle.close();
  }
}
