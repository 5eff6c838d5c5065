/**
 * `npm run bench -- [--model DIR] [--device auto|cpu|...] [--threads N]`: real-time factor per
 * stage (audio, features, model, decoding, total) and peak memory for a 10-minute speech file and
 * a one-hour 44.1 kHz stereo 16-bit WAV, both synthesized into the temp folder and deleted after.
 * Decodes as the CLI and the app do by default (DEFAULT_DECODING: beam search with models/lm-en,
 * where it exists), and prints the decoding time as a share of the model's. Prints figures;
 * asserts nothing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEVICE_CHOICES, Engine, type DeviceChoice, type Transcript } from '../src-main/engine';
import { DEFAULT_DECODING } from '../src-main/engine/transcribe/decoding-defaults';
import { speechSamples, writeRepeatedWav } from './bench-audio';
import { writeBenchModel } from './bench-model';

const MB = 1024 * 1024;

interface Measured {
  label: string;
  transcript: Transcript;
  /** RSS after each window (bytes), in order. */
  rssByWindow: number[];
  maxRssBytes: number;
}

function options(): {
  modelDir: string | undefined;
  device: DeviceChoice;
  threads: number | undefined;
} {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, device: { type: 'string' }, threads: { type: 'string' } },
  });
  const device = (values.device ?? 'auto') as DeviceChoice;
  if (!DEVICE_CHOICES.includes(device))
    throw new Error(`--device must be one of ${DEVICE_CHOICES.join(', ')}`);
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads > 0))
    throw new Error('--threads must be a positive integer');
  return { modelDir: values.model, device, threads };
}

async function measure(engine: Engine, file: string, label: string): Promise<Measured> {
  const rssByWindow: number[] = [];
  const transcript = await engine.transcribeFile(file, {
    onProgress: () => rssByWindow.push(process.memoryUsage().rss),
  });
  return { label, transcript, rssByWindow, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
}

function row(cells: string[], widths: number[]): string {
  return cells
    .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
    .join('  ');
}

function report(results: Measured[]): void {
  const widths = [34, 9, 8, 8, 8, 8, 8, 13, 16];
  console.log('real-time factor per stage (seconds spent per second of audio) and peak memory');
  console.log(
    row(
      [
        'file',
        'audio',
        'audio',
        'features',
        'model',
        'decoding',
        'total',
        'peak RSS',
        'decoding/model',
      ],
      widths,
    ),
  );
  for (const { label, transcript, maxRssBytes } of results) {
    const { durationSec } = transcript.audio;
    const t = transcript.timings;
    const rtf = (seconds: number): string => (seconds / durationSec).toFixed(4);
    console.log(
      row(
        [
          label,
          `${(durationSec / 60).toFixed(1)} min`,
          rtf(t.audioSec),
          rtf(t.featuresSec),
          rtf(t.modelSec),
          rtf(t.decodingSec),
          rtf(t.totalSec),
          `${(maxRssBytes / MB).toFixed(0)} MB`,
          `${((100 * t.decodingSec) / t.modelSec).toFixed(1)} %`,
        ],
        widths,
      ),
    );
  }
  for (const { label, rssByWindow } of results) {
    const at = (fraction: number): string =>
      `${((rssByWindow[Math.min(rssByWindow.length - 1, Math.floor(fraction * rssByWindow.length))] ?? 0) / MB).toFixed(0)}`;
    console.log(
      `RSS during ${label}: ${at(0.1)} MB at 10 %, ${at(0.5)} MB at 50 %, ${at(1)} MB at the end`,
    );
  }
}

async function main(): Promise<void> {
  const args = options();
  const work = mkdtempSync(path.join(tmpdir(), 'hark-bench-'));
  try {
    let modelDir = args.modelDir ?? path.resolve(__dirname, '..', 'models', 'base-en');
    let modelNote = '';
    if (args.modelDir === undefined && !existsSync(path.join(modelDir, 'model.onnx'))) {
      modelDir = path.join(work, 'bench-model');
      const parameters = writeBenchModel(modelDir);
      modelNote = ` (models/base-en is missing: a stand-in built on the fly, ${(parameters / 1e6).toFixed(2)} M random parameters; speed only)`;
    }
    const lmDir = path.resolve(__dirname, '..', 'models', 'lm-en');
    const beam = DEFAULT_DECODING.method === 'beam' && existsSync(lmDir);
    const engine = await Engine.create({
      modelDir,
      device: args.device,
      ...(args.threads ? { threads: args.threads } : {}),
      decoding: beam
        ? { method: 'beam', lmDir, beamWidth: DEFAULT_DECODING.beamWidth }
        : { method: 'greedy' },
    });
    const { decodingInfo: decoding } = engine;
    console.log(
      `Hark benchmark: model ${engine.model.name}${modelNote}; decoding ${decoding.method}` +
        (decoding.method === 'beam'
          ? ` (width ${decoding.beamWidth}, LM ${decoding.languageModel?.name ?? 'none'}, α ${decoding.alpha}, β ${decoding.beta})`
          : ''),
    );
    console.log(
      `provider ${engine.device.provider}; threads ${args.threads ?? 'default'}; ${engine.device.rejected.map((r) => `${r.provider} not used: ${r.reason}`).join('; ')}`,
    );

    // Each file is written just before it is measured and deleted right after.
    const results: Measured[] = [];
    const tenMinutes = path.join(work, 'speech-10min-16k-mono.wav');
    await writeRepeatedWav(tenMinutes, await speechSamples(work, 16000), {
      sampleRate: 16000,
      channels: 1,
      durationSec: 600,
    });
    results.push(await measure(engine, tenMinutes, '10 min, 16 kHz mono'));
    rmSync(tenMinutes);
    const oneHour = path.join(work, 'speech-1h-44k-stereo.wav');
    await writeRepeatedWav(oneHour, await speechSamples(work, 44100), {
      sampleRate: 44100,
      channels: 2,
      durationSec: 3600,
    });
    results.push(await measure(engine, oneHour, '1 h, 44.1 kHz stereo 16-bit'));
    rmSync(oneHour);
    await engine.dispose();
    report(results);
    console.log(
      "\naudio = reading, decoding and resampling the WAV; peak RSS = the process's maximum so far.",
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
