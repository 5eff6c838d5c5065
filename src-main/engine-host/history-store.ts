import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../api/api-error';
import { applyEdits, countEdits } from '../api/apply-edits';
import type {
  HistoryEntry,
  TranscriptModel,
  TranscriptRecord,
  Waveform,
  WordEdits,
} from '../api/contract';
import type { Transcript } from '../engine/types';
import { readJsonOrUndefined, writeJsonAtomic } from './atomic-file';

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const PREVIEW_CHARACTERS = 140;

/** The summary shown in the history list. */
export function toHistoryEntry(record: TranscriptRecord): HistoryEntry {
  const text = applyEdits(record.transcript, record.edits).text;
  return {
    id: record.id,
    name: record.name,
    sourcePath: record.sourcePath,
    createdAt: record.createdAt,
    durationSec: record.transcript.audio.durationSec,
    wordCount: record.transcript.segments.reduce(
      (count, segment) => count + segment.words.length,
      0,
    ),
    editCount: countEdits(record.edits),
    ...(record.madeBy ? { madeBy: record.madeBy } : {}),
    preview: text.length > PREVIEW_CHARACTERS ? `${text.slice(0, PREVIEW_CHARACTERS)}…` : text,
  };
}

function looksLikeRecord(value: unknown): value is TranscriptRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<TranscriptRecord>;
  return (
    typeof record.id === 'string' &&
    typeof record.name === 'string' &&
    typeof record.createdAt === 'string' &&
    typeof record.transcript === 'object' &&
    Array.isArray(record.transcript?.segments) &&
    typeof record.edits === 'object'
  );
}

/**
 * Past transcripts in the user-data folder, one JSON file each (`transcripts/<id>.json`), every
 * write atomic. The model's output and the user's edits are stored side by side.
 *
 * @example
 * const history = await HistoryStore.open('/home/me/.config/Hark');
 * const record = await history.add({ name: 'talk.wav', sourcePath, transcript, waveform });
 * await history.saveEdits(record.id, { '0:2': 'Hark' });
 */
export class HistoryStore {
  private readonly dir: string;
  private readonly entries = new Map<string, HistoryEntry>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async open(userDataDir: string): Promise<HistoryStore> {
    const store = new HistoryStore(join(userDataDir, 'transcripts'));
    await store.load();
    return store;
  }

  /** Newest first. */
  list(): HistoryEntry[] {
    return [...this.entries.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  async add(input: {
    name: string;
    sourcePath: string;
    transcript: Transcript;
    waveform: Waveform;
    madeBy?: TranscriptModel;
  }): Promise<TranscriptRecord> {
    const record: TranscriptRecord = {
      id: randomUUID(),
      createdAt: new Date().toISOString(),
      edits: {},
      ...input,
    };
    await writeJsonAtomic(this.pathOf(record.id), record);
    this.entries.set(record.id, toHistoryEntry(record));
    return record;
  }

  async get(id: string): Promise<TranscriptRecord> {
    if (!ID_PATTERN.test(id) || !this.entries.has(id)) {
      throw new ApiError('NOT_FOUND', `no transcript with id ${id}`);
    }
    const value = await readJsonOrUndefined(this.pathOf(id));
    if (!looksLikeRecord(value)) {
      throw new ApiError('NOT_FOUND', 'the transcript file is missing or damaged', {
        file: this.pathOf(id),
      });
    }
    return value;
  }

  /** Replaces the user's corrections; the model's output stays as it was. */
  async saveEdits(id: string, edits: WordEdits): Promise<HistoryEntry> {
    const record = await this.get(id);
    const next: TranscriptRecord = { ...record, edits };
    await writeJsonAtomic(this.pathOf(id), next);
    const entry = toHistoryEntry(next);
    this.entries.set(id, entry);
    return entry;
  }

  async delete(id: string): Promise<boolean> {
    if (!ID_PATTERN.test(id) || !this.entries.has(id)) return false;
    await rm(this.pathOf(id), { force: true });
    this.entries.delete(id);
    return true;
  }

  private pathOf(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  private async load(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const value = await readJsonOrUndefined(join(this.dir, name));
      // A damaged file is skipped rather than blocking the whole history.
      if (looksLikeRecord(value) && `${value.id}.json` === name) {
        this.entries.set(value.id, toHistoryEntry(value));
      }
    }
  }
}
