/**
 * `npx tsx scripts/corpus/check.ts [DIR] [--sox N]`: a listening proxy for a corpus. For every
 * split it decodes every WAV of the manifest and reports the speaking rate (words per second)
 * by synthesizer, peak and RMS levels, and how many files are silent or clipped; `sox stat` is
 * run on N sampled files as an independent check.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { peak, power } from './dsp';
import { readUtteranceVoices, verifyManifest } from './store';
import type { Split } from './voices';
import { decodePcm16Wav } from './wav';

const SILENT_RMS_DBFS = -60;
const CLIPPED_PEAK = 0.999;

function quantiles(values: number[]): string {
  if (values.length === 0) return 'n/a';
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number).toFixed(2);
  return `p5 ${at(0.05)} · median ${at(0.5)} · p95 ${at(0.95)} (min ${at(0)}, max ${at(1)})`;
}

function soxStat(path: string): string {
  const result = spawnSync('sox', [path, '-n', 'stat'], { encoding: 'utf8' });
  const pick = (label: string) =>
    result.stderr.match(new RegExp(`${label}:\\s+(\\S+)`))?.[1] ?? '?';
  return `max ${pick('Maximum amplitude')} · RMS ${pick('RMS\\s+amplitude')} · length ${pick('Length \\(seconds\\)')} s`;
}

function main(): void {
  const { values, positionals } = parseArgs({
    options: { sox: { type: 'string', default: '5' } },
    allowPositionals: true,
  });
  const outDir = resolve(positionals[0] ?? 'work-data/corpus');
  const soxSamples = Number(values.sox);
  for (const split of ['train', 'dev', 'test'] as Split[]) {
    if (!existsSync(join(outDir, split, 'manifest.jsonl'))) continue;
    const entries = verifyManifest(outDir, split, 16000);
    const voiceOf = new Map(
      [...readUtteranceVoices(outDir, split)].map(([path, voice]) => [
        path,
        voice.split(':')[0] ?? '?',
      ]),
    );
    const rates = new Map<string, number[]>();
    const peaks: number[] = [];
    const rmsLevels: number[] = [];
    let silent = 0;
    let clipped = 0;
    for (const entry of entries) {
      const path = join(outDir, split, entry.audio_filepath);
      const audio = decodePcm16Wav(readFileSync(path), path);
      const level = peak(audio.samples);
      const rmsDb = 10 * Math.log10(Math.max(power(audio.samples), 1e-12));
      peaks.push(20 * Math.log10(Math.max(level, 1e-9)));
      rmsLevels.push(rmsDb);
      if (rmsDb < SILENT_RMS_DBFS) silent += 1;
      if (level >= CLIPPED_PEAK) clipped += 1;
      const synthesizer = voiceOf.get(entry.audio_filepath) ?? 'all';
      const list = rates.get(synthesizer) ?? [];
      list.push(entry.text.split(' ').length / entry.duration);
      rates.set(synthesizer, list);
    }
    const hours = entries.reduce((sum, entry) => sum + entry.duration, 0) / 3600;
    process.stdout.write(
      `${split}: ${entries.length} files, ${hours.toFixed(2)} h, ${silent} silent (RMS < ${SILENT_RMS_DBFS} dBFS), ${clipped} clipped (peak ≥ ${CLIPPED_PEAK})\n`,
    );
    for (const [synthesizer, list] of [...rates].sort()) {
      process.stdout.write(
        `  words/s ${synthesizer.padEnd(8)} ${quantiles(list)}  [${list.length} files]\n`,
      );
    }
    process.stdout.write(
      `  peak dBFS        ${quantiles(peaks)}\n  RMS dBFS         ${quantiles(rmsLevels)}\n`,
    );
    const step = Math.max(1, Math.floor(entries.length / Math.max(soxSamples, 1)));
    for (let i = 0; i < entries.length && i / step < soxSamples; i += step) {
      const entry = entries[i] as (typeof entries)[number];
      process.stdout.write(
        `  sox stat ${entry.audio_filepath}: ${soxStat(join(outDir, split, entry.audio_filepath))} · "${entry.text.slice(0, 60)}"\n`,
      );
    }
  }
}

main();
