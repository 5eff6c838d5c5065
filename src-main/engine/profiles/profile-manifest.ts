/**
 * A profile's recordings: `data/manifest.jsonl` in the NeMo layout (`audio_filepath` relative to
 * data/, `duration`, `text`) with Hark's own fields beside them (`id`, `source`, `added_at`,
 * `origin`), which NeMo tools and `readManifest` ignore.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManifestEntry } from '../dataset/manifest';
import { HarkError } from '../errors';
import { fileError, writeTextAtomic } from './profile-files';

/** How a recording came into the profile. */
export type RecordingSource = 'recording' | 'import' | 'correction';

export interface ProfileRecording {
  /** Unique within the profile; the WAV file's name without `.wav`. */
  id: string;
  /** Absolute path of the 16 kHz WAV. */
  audioPath: string;
  durationSec: number;
  text: string;
  source: RecordingSource;
  /** ISO time it was added. */
  addedAt: string;
  /** Where it came from: the imported file, or the transcribed file and time range. */
  origin?: string;
  /** The enrollment prompt it reads (`p001`…), for recordings of prompts. */
  promptId?: string;
}

/**
 * Reads a profile's manifest (an absent file is an empty profile).
 *
 * @example
 * const recordings = await readProfileManifest('profiles/Ada/data/manifest.jsonl');
 */
export async function readProfileManifest(file: string): Promise<ProfileRecording[]> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw fileError(error, file, 'reading the manifest');
  }
  const folder = join(file, '..');
  const recordings: ProfileRecording[] = [];
  content.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const fail = (problem: string) =>
      new HarkError('PROFILE_INVALID', `line ${index + 1} ${problem}`, { file });
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw fail('is not JSON');
    }
    const audio = record.audio_filepath;
    if (typeof audio !== 'string' || audio === '' || audio.includes('/') || audio.includes('\\')) {
      throw fail('has no audio_filepath inside data/');
    }
    if (typeof record.duration !== 'number' || !(record.duration > 0)) {
      throw fail('has no positive duration');
    }
    if (typeof record.text !== 'string') throw fail('has no text');
    const source = record.source;
    recordings.push({
      id: typeof record.id === 'string' ? record.id : audio.replace(/\.wav$/i, ''),
      audioPath: join(folder, audio),
      durationSec: record.duration,
      text: record.text,
      source: source === 'import' || source === 'correction' ? source : 'recording',
      addedAt: typeof record.added_at === 'string' ? record.added_at : '',
      ...(typeof record.origin === 'string' ? { origin: record.origin } : {}),
      ...(typeof record.prompt_id === 'string' ? { promptId: record.prompt_id } : {}),
    });
  });
  return recordings;
}

/** Manifest lines for recordings whose WAVs lie in data/. */
export function formatProfileManifest(recordings: readonly ProfileRecording[]): string {
  return recordings
    .map(
      (r) =>
        JSON.stringify({
          audio_filepath: r.audioPath.split(/[\\/]/).pop(),
          duration: Number(r.durationSec.toFixed(3)),
          text: r.text,
          id: r.id,
          source: r.source,
          added_at: r.addedAt,
          ...(r.origin === undefined ? {} : { origin: r.origin }),
          ...(r.promptId === undefined ? {} : { prompt_id: r.promptId }),
        }) + '\n',
    )
    .join('');
}

/** Writes the manifest atomically. */
export async function writeProfileManifest(
  file: string,
  recordings: readonly ProfileRecording[],
): Promise<void> {
  await writeTextAtomic(file, formatProfileManifest(recordings));
}

/** The recordings as training-manifest entries. */
export function toManifestEntries(recordings: readonly ProfileRecording[]): ManifestEntry[] {
  return recordings.map((r) => ({
    audioPath: r.audioPath,
    durationSec: r.durationSec,
    text: r.text,
  }));
}
