import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { HarkError } from '../errors';

/** One utterance of a NeMo-style manifest (`manifest.jsonl`). */
export interface ManifestEntry {
  /** Absolute path of the audio file. */
  audioPath: string;
  durationSec: number;
  text: string;
  speaker?: string;
}

/**
 * Reads a NeMo manifest: one JSON object a line with `audio_filepath` (relative to the manifest's
 * folder, or absolute), `duration` in seconds and `text`. Blank lines are skipped; a malformed line is
 * an error naming the line.
 *
 * @example
 * const entries = await readManifest('data/cathy/manifest.jsonl');
 * console.log(entries[0].audioPath, entries[0].text);
 */
export async function readManifest(path: string): Promise<ManifestEntry[]> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    throw new HarkError('FILE_NOT_FOUND', 'cannot read the manifest', { file: path, cause: error });
  }
  return parseManifest(content, path);
}

export function parseManifest(content: string, path: string): ManifestEntry[] {
  const folder = dirname(resolve(path));
  const entries: ManifestEntry[] = [];
  const lines = content.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    const where = `line ${index + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new HarkError('INVALID_ARGUMENT', `${where} is not JSON`, { file: path });
    }
    if (typeof record !== 'object' || record === null) {
      throw new HarkError('INVALID_ARGUMENT', `${where} is not a JSON object`, { file: path });
    }
    const {
      audio_filepath: audioFile,
      duration,
      text,
      speaker,
    } = record as Record<string, unknown>;
    if (typeof audioFile !== 'string' || audioFile === '') {
      throw new HarkError('INVALID_ARGUMENT', `${where} has no audio_filepath`, { file: path });
    }
    if (typeof duration !== 'number' || !Number.isFinite(duration) || duration <= 0) {
      throw new HarkError('INVALID_ARGUMENT', `${where} has no positive duration`, { file: path });
    }
    if (typeof text !== 'string') {
      throw new HarkError('INVALID_ARGUMENT', `${where} has no text`, { file: path });
    }
    entries.push({
      audioPath: isAbsolute(audioFile) ? audioFile : resolve(folder, audioFile),
      durationSec: duration,
      text,
      ...(typeof speaker === 'string' ? { speaker } : {}),
    });
  }
  return entries;
}

/** Serialises entries back to manifest lines, paths relative to `folder` where they lie inside it. */
export function formatManifest(entries: readonly ManifestEntry[], folder: string): string {
  const base = resolve(folder) + '/';
  return entries
    .map((entry) =>
      JSON.stringify({
        audio_filepath: entry.audioPath.startsWith(base)
          ? entry.audioPath.slice(base.length)
          : entry.audioPath,
        duration: Number(entry.durationSec.toFixed(3)),
        text: entry.text,
        ...(entry.speaker === undefined ? {} : { speaker: entry.speaker }),
      }),
    )
    .map((line) => line + '\n')
    .join('');
}
