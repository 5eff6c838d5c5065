/**
 * Adding recordings to a profile: one recorded clip, a folder of WAV + .txt pairs, a NeMo
 * manifest, or a corrected stretch of a transcribed file. Every clip is checked
 * (recording-checks.ts), stored as 16 kHz mono 16-bit WAV in data/ and listed in the manifest;
 * bad inputs are skipped with their reason while the rest are kept.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { readAudio, readAudioWhole, resample, writeWav16k } from '../audio';
import { readManifest } from '../dataset/manifest';
import { HarkError, isHarkError } from '../errors';
import { normalizeText } from '../text/normalize';
import type { ProfilePaths } from './profile-paths';
import {
  readProfileManifest,
  writeProfileManifest,
  type ProfileRecording,
  type RecordingSource,
} from './profile-manifest';
import { fileError } from './profile-files';
import {
  checkRecording,
  type RecordingCheckOptions,
  type RecordingProblem,
} from './recording-checks';

export const PROFILE_SAMPLE_RATE = 16000;

export interface NewRecording {
  /** Mono samples in [-1, 1]. */
  samples: Float32Array;
  /** Of `samples`; resampled to 16 kHz when different. Default 16000. */
  sampleRate?: number;
  /** What was said (the prompt, or the corrected text). */
  text: string;
  source?: RecordingSource;
  origin?: string;
  /** The enrollment prompt read (see engine/prompts), so a re-recording can replace its take. */
  promptId?: string;
  /** Overrides of the recording checks' thresholds. */
  checks?: Partial<RecordingCheckOptions>;
}

/** A recording refused by the checks: RECORDING_REJECTED with the problems attached. */
export class RecordingRejectedError extends HarkError {
  readonly problems: RecordingProblem[];

  constructor(problems: RecordingProblem[], file?: string) {
    super('RECORDING_REJECTED', problems.map((p) => p.message).join(' '), file ? { file } : {});
    this.problems = problems;
  }
}

export interface SkippedInput {
  /** The file (or manifest line) that was not added. */
  source: string;
  reason: string;
}

export interface ImportReport {
  added: ProfileRecording[];
  skipped: SkippedInput[];
}

function newRecordingId(source: RecordingSource): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const prefix = source === 'recording' ? 'rec' : source === 'import' ? 'imp' : 'cor';
  return `${prefix}-${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * Checks a clip and writes its WAV into data/ (not yet listed in the manifest). Throws
 * RecordingRejectedError when the checks fail.
 */
async function storeClip(paths: ProfilePaths, recording: NewRecording): Promise<ProfileRecording> {
  const rate = recording.sampleRate ?? PROFILE_SAMPLE_RATE;
  const samples =
    rate === PROFILE_SAMPLE_RATE
      ? recording.samples
      : resample(recording.samples, { inputRate: rate, outputRate: PROFILE_SAMPLE_RATE });
  const problems = checkRecording(samples, recording.text, recording.checks);
  if (problems.length > 0) throw new RecordingRejectedError(problems);
  const source = recording.source ?? 'recording';
  const id = newRecordingId(source);
  const audioPath = join(paths.dataDir, `${id}.wav`);
  try {
    await writeWav16k(audioPath, samples, PROFILE_SAMPLE_RATE);
  } catch (error) {
    throw fileError(error, audioPath, 'writing the recording');
  }
  return {
    id,
    audioPath,
    durationSec: samples.length / PROFILE_SAMPLE_RATE,
    text: recording.text.trim(),
    source,
    addedAt: new Date().toISOString(),
    ...(recording.origin === undefined ? {} : { origin: recording.origin }),
    ...(recording.promptId === undefined ? {} : { promptId: recording.promptId }),
  };
}

/** Lists new recordings in the manifest (one atomic write); their WAVs are already on disk. */
async function appendToManifest(
  paths: ProfilePaths,
  added: readonly ProfileRecording[],
): Promise<void> {
  if (added.length === 0) return;
  const existing = await readProfileManifest(paths.manifestFile);
  try {
    await writeProfileManifest(paths.manifestFile, [...existing, ...added]);
  } catch (error) {
    // The manifest is unchanged; do not leave unlisted WAVs behind.
    await Promise.all(added.map((r) => rm(r.audioPath, { force: true })));
    throw error;
  }
}

/**
 * Adds one recording: checked, stored as a 16 kHz WAV, listed in the manifest.
 *
 * @example
 * const recording = await addRecording(paths, { samples, sampleRate: 48000, text: prompt });
 */
export async function addRecording(
  paths: ProfilePaths,
  recording: NewRecording,
): Promise<ProfileRecording> {
  const stored = await storeClip(paths, recording);
  await appendToManifest(paths, [stored]);
  return stored;
}

/**
 * Removes a recording from the manifest, then its WAV.
 *
 * @example
 * await removeRecording(paths, 'rec-20250101T120000-a1b2c3');
 */
export async function removeRecording(paths: ProfilePaths, id: string): Promise<void> {
  const recordings = await readProfileManifest(paths.manifestFile);
  const target = recordings.find((r) => r.id === id);
  if (!target) {
    throw new HarkError('INVALID_ARGUMENT', `the profile has no recording ${id}`, {
      file: paths.manifestFile,
    });
  }
  await writeProfileManifest(
    paths.manifestFile,
    recordings.filter((r) => r !== target),
  );
  await rm(target.audioPath, { force: true });
}

function reasonOf(error: unknown): string {
  if (isHarkError(error)) return error.detail;
  return error instanceof Error ? error.message : String(error);
}

/** Imports candidate (audio file, text) pairs; each failure is skipped with its reason. */
async function importPairs(
  paths: ProfilePaths,
  pairs: readonly { audioPath: string; text: string | Error; label: string }[],
  options: { checks?: Partial<RecordingCheckOptions>; signal?: AbortSignal },
): Promise<ImportReport> {
  const added: ProfileRecording[] = [];
  const skipped: SkippedInput[] = [];
  // Importing the same file with the same text twice (a rerun of the CLI) adds nothing.
  const key = (origin: string, text: string) => `${resolve(origin)}\n${normalizeText(text)}`;
  const present = new Set(
    (await readProfileManifest(paths.manifestFile))
      .filter((r) => r.origin !== undefined)
      .map((r) => key(r.origin!, r.text)),
  );
  try {
    for (const pair of pairs) {
      if (options.signal?.aborted) throw new HarkError('CANCELLED', 'the import was cancelled');
      if (pair.text instanceof Error) {
        skipped.push({ source: pair.label, reason: pair.text.message });
        continue;
      }
      if (present.has(key(pair.audioPath, pair.text))) {
        skipped.push({ source: pair.label, reason: 'already in the profile' });
        continue;
      }
      try {
        const { samples } = await readAudioWhole(pair.audioPath, {
          targetSampleRate: PROFILE_SAMPLE_RATE,
        });
        added.push(
          await storeClip(paths, {
            samples,
            text: pair.text,
            source: 'import',
            origin: resolve(pair.audioPath),
            ...(options.checks ? { checks: options.checks } : {}),
          }),
        );
      } catch (error) {
        if (isHarkError(error) && error.code === 'DISK_FULL') throw error;
        skipped.push({ source: pair.label, reason: reasonOf(error) });
      }
    }
    await appendToManifest(paths, added);
  } catch (error) {
    await Promise.all(added.map((r) => rm(r.audioPath, { force: true })));
    throw error;
  }
  return { added, skipped };
}

/**
 * Imports every `NAME.wav` of a folder that has a `NAME.txt` beside it (any WAV format and rate;
 * stored as 16 kHz). WAVs without text, unreadable files and clips that fail the checks are
 * skipped with the reason; `.txt` files without audio are reported too.
 *
 * @example
 * const { added, skipped } = await importFolder(paths, '/home/ada/recordings');
 */
export async function importFolder(
  paths: ProfilePaths,
  folder: string,
  options: { checks?: Partial<RecordingCheckOptions>; signal?: AbortSignal } = {},
): Promise<ImportReport> {
  const dir = resolve(folder);
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    throw fileError(error, dir, 'listing the folder');
  }
  const stems = new Map<string, { wav?: string; txt?: string }>();
  for (const name of names) {
    const ext = extname(name).toLowerCase();
    if (ext !== '.wav' && ext !== '.txt') continue;
    const stem = basename(name, extname(name));
    const entry = stems.get(stem) ?? {};
    entry[ext === '.wav' ? 'wav' : 'txt'] = name;
    stems.set(stem, entry);
  }
  const pairs: { audioPath: string; text: string | Error; label: string }[] = [];
  const unmatched: SkippedInput[] = [];
  for (const [stem, entry] of stems) {
    if (!entry.wav) {
      unmatched.push({ source: join(dir, entry.txt!), reason: `there is no ${stem}.wav` });
      continue;
    }
    let text: string | Error;
    if (!entry.txt) {
      text = new Error(`there is no ${stem}.txt with its text`);
    } else {
      text = await readFile(join(dir, entry.txt), 'utf8').then(
        (t) => t.trim(),
        (e: unknown) => new Error(`cannot read ${entry.txt}: ${reasonOf(e)}`),
      );
    }
    pairs.push({ audioPath: join(dir, entry.wav), text, label: join(dir, entry.wav) });
  }
  if (pairs.length === 0 && unmatched.length === 0) {
    throw new HarkError('INVALID_ARGUMENT', 'the folder holds no WAV + .txt pairs', { file: dir });
  }
  const report = await importPairs(paths, pairs, options);
  return { added: report.added, skipped: [...report.skipped, ...unmatched] };
}

/**
 * Imports the utterances of a NeMo manifest (`audio_filepath`, `duration`, `text` a line);
 * missing or bad audio and clips that fail the checks are skipped with the reason.
 *
 * @example
 * const { added, skipped } = await importManifest(paths, 'exports/ada/manifest.jsonl');
 */
export async function importManifest(
  paths: ProfilePaths,
  manifestFile: string,
  options: { checks?: Partial<RecordingCheckOptions>; signal?: AbortSignal; limit?: number } = {},
): Promise<ImportReport> {
  const entries = await readManifest(manifestFile);
  const chosen = options.limit === undefined ? entries : entries.slice(0, options.limit);
  return importPairs(
    paths,
    chosen.map((e) => ({ audioPath: e.audioPath, text: e.text, label: e.audioPath })),
    options,
  );
}

export interface Correction {
  /** The transcribed audio file. */
  audioPath: string;
  startSec: number;
  endSec: number;
  /** What was really said in that stretch. */
  text: string;
  /** Audio kept on each side of the range (word times are approximate). Default 0.1 s. */
  paddingSec?: number;
  checks?: Partial<RecordingCheckOptions>;
}

/**
 * Cuts `startSec…endSec` (plus a little padding) out of a transcribed file and adds it with the
 * corrected text. The file is streamed, so long recordings are fine.
 *
 * @example
 * await addCorrection(paths, { audioPath: 'meeting.wav', startSec: 61.2, endSec: 64.8, text: 'Hark is offline' });
 */
export async function addCorrection(
  paths: ProfilePaths,
  correction: Correction,
): Promise<ProfileRecording> {
  const { startSec, endSec } = correction;
  if (!(
    Number.isFinite(startSec) &&
    Number.isFinite(endSec) &&
    startSec >= 0 &&
    endSec > startSec
  )) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `a correction needs 0 <= start < end, got ${startSec}…${endSec} s`,
      { file: correction.audioPath },
    );
  }
  if (normalizeText(correction.text) === '') {
    throw new RecordingRejectedError(
      [{ code: 'empty-text', message: 'The corrected text is empty.' }],
      correction.audioPath,
    );
  }
  const padding = correction.paddingSec ?? 0.1;
  const first = Math.max(0, Math.floor((startSec - padding) * PROFILE_SAMPLE_RATE));
  const last = Math.ceil((endSec + padding) * PROFILE_SAMPLE_RATE);
  const clip = new Float32Array(last - first);
  let position = 0;
  let kept = 0;
  for await (const chunk of readAudio(correction.audioPath, {
    targetSampleRate: PROFILE_SAMPLE_RATE,
    chunkSec: 10,
  })) {
    const from = Math.max(first - position, 0);
    const to = Math.min(last - position, chunk.length);
    if (to > from) {
      clip.set(chunk.subarray(from, to), position + from - first);
      kept = Math.max(kept, position + to - first);
    }
    position += chunk.length;
    if (position >= last) break;
  }
  if (kept <= 0) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `the range ${startSec}…${endSec} s lies past the end of the audio`,
      { file: correction.audioPath },
    );
  }
  return addRecording(paths, {
    samples: clip.subarray(0, kept),
    text: correction.text,
    source: 'correction',
    origin: `${resolve(correction.audioPath)} ${startSec.toFixed(2)}-${endSec.toFixed(2)}`,
    ...(correction.checks ? { checks: correction.checks } : {}),
  });
}
