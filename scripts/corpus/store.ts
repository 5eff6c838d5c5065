/**
 * The corpus on disk and how a run resumes:
 *
 *   <out>/corpus.json                     summary (seed, voices, held-out list, figures)
 *   <out>/<split>/manifest.jsonl          NeMo manifest, paths relative to <out>/<split>
 *   <out>/<split>/utterances.jsonl        voice, rate, pitch, augmentation of each manifest line
 *   <out>/<split>/wav/<id>.wav            16 kHz mono 16-bit
 *   <out>/.work/                          temporary synthesizer files (removed at start)
 *
 * A WAV counts as done when its header is complete and its sizes match the file; anything else
 * (a `.partial-*` leftover, a truncated file) is removed and made again. Manifests are rebuilt
 * from the files that exist, in plan order, and verified after writing.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { HarkError } from '../../src-main/engine/errors';
import { augmentationLabels, type UtterancePlan } from './plan';
import { wavPath } from './render';
import type { Split } from './voices';
import { probeCorpusWav } from './wav';

export interface ManifestEntry {
  audio_filepath: string;
  duration: number;
  text: string;
}

export function manifestPath(outDir: string, split: Split): string {
  return join(outDir, split, 'manifest.jsonl');
}

export function workRoot(outDir: string): string {
  return join(outDir, '.work');
}

/**
 * Takes `<out>/.lock` for this process, so that two runs never work on one folder at once. A
 * lock whose process is gone is taken over. Returns the function that releases it.
 */
export function acquireLock(outDir: string): () => void {
  const file = join(outDir, '.lock');
  if (existsSync(file)) {
    const holder = Number(readFileSync(file, 'utf8').trim());
    let alive = false;
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid) {
      try {
        process.kill(holder, 0);
        alive = true;
      } catch {
        alive = false;
      }
    }
    if (alive) {
      throw new HarkError(
        'INVALID_ARGUMENT',
        `another corpus run (process ${holder}) is working on this folder`,
        { file },
      );
    }
  }
  writeFileSync(file, `${process.pid}\n`);
  return () => rmSync(file, { force: true });
}

/** Writes a text file atomically (temporary file + rename). */
export function writeFileAtomic(path: string, content: string): void {
  const temporary = `${path}.partial-${process.pid}`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

/**
 * Removes what a killed run may have left: the work folder and `*.partial-*` files.
 * Returns how many partial files were removed.
 */
export function removeLeftovers(outDir: string, splits: readonly Split[]): number {
  rmSync(workRoot(outDir), { recursive: true, force: true });
  let removed = 0;
  for (const split of splits) {
    for (const folder of [join(outDir, split), join(outDir, split, 'wav')]) {
      if (!existsSync(folder)) continue;
      for (const name of readdirSync(folder)) {
        if (name.includes('.partial-')) {
          rmSync(join(folder, name), { force: true });
          removed += 1;
        }
      }
    }
  }
  return removed;
}

/**
 * Finds the planned utterances whose WAV is already complete, with their durations. Invalid
 * files under a planned name are deleted so that they are made again.
 */
export function scanFinished(
  outDir: string,
  utterances: readonly UtterancePlan[],
  sampleRate: number,
): { durations: Map<string, number>; invalidRemoved: number } {
  const durations = new Map<string, number>();
  let invalidRemoved = 0;
  for (const utterance of utterances) {
    const path = wavPath(outDir, utterance);
    const duration = probeCorpusWav(path, sampleRate);
    if (duration !== undefined) durations.set(utterance.id, duration);
    else if (existsSync(path)) {
      rmSync(path, { force: true });
      invalidRemoved += 1;
    }
  }
  return { durations, invalidRemoved };
}

/** Manifest lines, in plan order, of the utterances that have a finished WAV. */
export function manifestEntries(
  utterances: readonly UtterancePlan[],
  durations: ReadonlyMap<string, number>,
): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  for (const utterance of utterances) {
    const duration = durations.get(utterance.id);
    if (duration === undefined) continue;
    entries.push({
      audio_filepath: `wav/${utterance.id}.wav`,
      duration: Math.round(duration * 1e4) / 1e4,
      text: utterance.text,
    });
  }
  return entries;
}

/**
 * Writes `<split>/utterances.jsonl`: for each finished utterance (manifest order) its voice,
 * rate, pitch and augmentation, so that results can be broken down by voice or condition.
 */
export function writeUtteranceDetails(
  outDir: string,
  split: Split,
  utterances: readonly UtterancePlan[],
  durations: ReadonlyMap<string, number>,
): void {
  const lines: string[] = [];
  for (const utterance of utterances) {
    if (!durations.has(utterance.id)) continue;
    const { noise, ...channel } = utterance.augmentation;
    lines.push(
      JSON.stringify({
        audio_filepath: `wav/${utterance.id}.wav`,
        sentence: utterance.sentenceId,
        voice: utterance.voice.id,
        tempo: Math.round(utterance.tempo * 1000) / 1000,
        pitchSemitones: Math.round(utterance.pitchSemitones * 100) / 100,
        ...channel,
        noise: noise && {
          kind: noise.kind,
          snrDb: Math.round(noise.snrDb * 10) / 10,
          talkers: noise.talkers.map((talker) => talker.voice.id),
        },
        labels: augmentationLabels(utterance.augmentation),
      }),
    );
  }
  mkdirSync(join(outDir, split), { recursive: true });
  writeFileAtomic(
    join(outDir, split, 'utterances.jsonl'),
    lines.map((line) => `${line}\n`).join(''),
  );
}

/**
 * The voice of each utterance of a split, by its manifest `audio_filepath` (`wav/…`), from
 * `<split>/utterances.jsonl`; empty when the split has none.
 */
export function readUtteranceVoices(outDir: string, split: Split): Map<string, string> {
  const file = join(outDir, split, 'utterances.jsonl');
  const voices = new Map<string, string>();
  if (!existsSync(file)) return voices;
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const detail = JSON.parse(line) as { audio_filepath: string; voice: string };
    voices.set(detail.audio_filepath, detail.voice);
  }
  return voices;
}

/** Writes a split's manifest atomically. */
export function writeManifest(
  outDir: string,
  split: Split,
  entries: readonly ManifestEntry[],
): void {
  mkdirSync(join(outDir, split), { recursive: true });
  writeFileAtomic(
    manifestPath(outDir, split),
    entries.map((entry) => JSON.stringify(entry)).join('\n') + (entries.length ? '\n' : ''),
  );
}

/**
 * Checks a manifest against the files: every line parses, names an existing complete WAV whose
 * duration matches, with a non-empty text. Returns the entries; throws a HarkError naming the
 * manifest and the first problem.
 */
export function verifyManifest(outDir: string, split: Split, sampleRate: number): ManifestEntry[] {
  const file = manifestPath(outDir, split);
  if (!existsSync(file)) throw new HarkError('FILE_NOT_FOUND', 'no manifest', { file });
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  return lines.map((line, index) => {
    let entry: ManifestEntry;
    try {
      entry = JSON.parse(line) as ManifestEntry;
    } catch {
      throw new HarkError('INVALID_ARGUMENT', `line ${index + 1} is not JSON`, { file });
    }
    const duration = probeCorpusWav(join(outDir, split, entry.audio_filepath), sampleRate);
    if (duration === undefined) {
      throw new HarkError(
        'INVALID_ARGUMENT',
        `line ${index + 1}: ${entry.audio_filepath} is missing or incomplete`,
        { file },
      );
    }
    if (
      Math.abs(duration - entry.duration) > 1e-3 ||
      typeof entry.text !== 'string' ||
      entry.text === ''
    ) {
      throw new HarkError(
        'INVALID_ARGUMENT',
        `line ${index + 1}: duration or text does not match the file`,
        { file },
      );
    }
    return entry;
  });
}
