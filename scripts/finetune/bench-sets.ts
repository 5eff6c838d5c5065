/**
 * The speech sets of ../shared/data/speech as the fine-tuning benchmark splits them: for a user,
 * 100 utterances to train on and the rest (or a fixed number) to test on, chosen by a seeded
 * shuffle so every run measures the same split.
 */
import { join, resolve } from 'node:path';
import { seededRandom, shuffleInPlace } from '../../src-main/engine/dataset/batching';
import { readManifest, type ManifestEntry } from '../../src-main/engine/dataset/manifest';

export interface UserSplit {
  /** e.g. "cathy" or "fsdd/george". */
  user: string;
  train: ManifestEntry[];
  test: ManifestEntry[];
}

/** ../shared/data/speech from the repository root. */
export function speechRoot(repoRoot: string): string {
  return resolve(repoRoot, '..', 'shared', 'data', 'speech');
}

/** A set's manifest, sorted by file so the shuffle does not depend on the file's line order. */
export async function readSet(root: string, set: string): Promise<ManifestEntry[]> {
  const entries = await readManifest(join(root, set, 'manifest.jsonl'));
  return entries.sort((a, b) => a.audioPath.localeCompare(b.audioPath));
}

/** `trainCount` entries to train on and up to `testCount` others to test on. */
export function splitUser(
  user: string,
  entries: readonly ManifestEntry[],
  options: { trainCount: number; testCount: number; seed: number },
): UserSplit {
  const shuffled = shuffleInPlace([...entries], seededRandom(options.seed));
  return {
    user,
    train: shuffled.slice(0, options.trainCount),
    test: shuffled.slice(options.trainCount, options.trainCount + options.testCount),
  };
}

/** An evenly spaced subset of at most `count` entries (for the forgetting sets). */
export function evenSubset(entries: readonly ManifestEntry[], count: number): ManifestEntry[] {
  if (entries.length <= count) return [...entries];
  const step = entries.length / count;
  return Array.from({ length: count }, (_, i) => entries[Math.floor(i * step)]!);
}

/** Groups fsdd's entries by speaker. */
export function bySpeaker(entries: readonly ManifestEntry[]): Map<string, ManifestEntry[]> {
  const groups = new Map<string, ManifestEntry[]>();
  for (const entry of entries) {
    const speaker = entry.speaker ?? 'unknown';
    groups.set(speaker, [...(groups.get(speaker) ?? []), entry]);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}
