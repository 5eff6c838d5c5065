import { cleanCorrection } from '../../src-main/api/apply-edits';
import type { TranscriptRecord, WordEdits } from '../../src-main/api/contract';
import type { HarkClient } from '../lib/hark-client';
import {
  buildViewSegments,
  findMatches,
  wordIndexAt,
  type ViewSegment,
  type ViewWord,
} from '../lib/transcript-words';

/** What the transcript view needs from the audio element. */
export interface Player {
  seek(timeSec: number): void;
  play(): void;
  pause(): void;
  toggle(): void;
}

/**
 * One open transcript: the model's record (never changed), the user's corrections beside it,
 * search, and where playback is.
 *
 * @example
 * const open = new TranscriptState(client, record, mediaUrl);
 * open.playWord(open.words[3]);
 * await open.correct(open.words[3], 'Hark');
 */
export class TranscriptState {
  readonly record: TranscriptRecord;
  readonly mediaUrl: string;
  private readonly client: HarkClient;
  private player: Player | undefined;

  edits = $state<WordEdits>({});
  currentTimeSec = $state(0);
  playing = $state(false);
  query = $state('');
  matchCursor = $state(0);
  editingKey = $state<string | undefined>();
  saveError = $state<string | undefined>();

  segments: ViewSegment[] = $derived.by(() => buildViewSegments(this.record, this.edits));
  words: ViewWord[] = $derived(this.segments.flatMap((segment) => segment.words));
  activeIndex = $derived(wordIndexAt(this.words, this.currentTimeSec + 0.01));
  matches = $derived(findMatches(this.words, this.query));
  currentMatch = $derived(
    this.matches.length === 0 ? -1 : (this.matches[this.matchCursor % this.matches.length] ?? -1),
  );

  constructor(client: HarkClient, record: TranscriptRecord, mediaUrl: string) {
    this.client = client;
    this.record = record;
    this.mediaUrl = mediaUrl;
    this.edits = { ...record.edits };
  }

  get durationSec(): number {
    return this.record.transcript.audio.durationSec;
  }

  attachPlayer(player: Player | undefined): void {
    this.player = player;
  }

  seek(timeSec: number): void {
    const clamped = Math.min(Math.max(0, timeSec), this.durationSec);
    this.currentTimeSec = clamped;
    this.player?.seek(clamped);
  }

  playWord(word: ViewWord): void {
    this.seek(word.startSec);
    this.player?.play();
  }

  togglePlayback(): void {
    this.player?.toggle();
  }

  /** Opens a word's editor; playback stops, so the words do not run on while one is typed. */
  editWord(word: ViewWord): void {
    this.player?.pause();
    this.editingKey = word.key;
  }

  setQuery(query: string): void {
    this.query = query;
    this.matchCursor = 0;
  }

  nextMatch(): void {
    if (this.matches.length > 0) this.matchCursor = (this.matchCursor + 1) % this.matches.length;
  }

  previousMatch(): void {
    const count = this.matches.length;
    if (count > 0) this.matchCursor = (this.matchCursor - 1 + count) % count;
  }

  /** Stores a correction beside the model's word (the original text removes it again). */
  async correct(word: ViewWord, text: string): Promise<void> {
    const cleaned = cleanCorrection(text);
    const next = { ...this.edits };
    if (cleaned === word.original) delete next[word.key];
    else next[word.key] = cleaned;
    const previous = this.edits;
    this.edits = next;
    this.editingKey = undefined;
    try {
      await this.client.call('saveEdits', { id: this.record.id, edits: next });
      this.saveError = undefined;
    } catch (error) {
      this.edits = previous;
      this.saveError = `The correction was not saved: ${error instanceof Error ? error.message : error}`;
    }
  }

  revert(word: ViewWord): Promise<void> {
    return this.correct(word, word.original);
  }
}
