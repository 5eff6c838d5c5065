import { wordKey } from '../../src-main/api/apply-edits';
import type { TranscriptRecord, WordEdits } from '../../src-main/api/contract';

/** One word as the transcript view shows it: the model's word, with the user's correction if any. */
export interface ViewWord {
  key: string;
  /** Position in the flat list of all words. */
  index: number;
  segmentIndex: number;
  wordIndex: number;
  /** What is shown: the correction, or the model's text. */
  text: string;
  /** The model's text. */
  original: string;
  edited: boolean;
  startSec: number;
  endSec: number;
  confidence: number;
}

export interface ViewSegment {
  index: number;
  startSec: number;
  endSec: number;
  words: ViewWord[];
}

/** Segments and their words with corrections applied (removed words shown as removed: text ''). */
export function buildViewSegments(record: TranscriptRecord, edits: WordEdits): ViewSegment[] {
  let index = 0;
  return record.transcript.segments.map((segment, segmentIndex) => ({
    index: segmentIndex,
    startSec: segment.startSec,
    endSec: segment.endSec,
    words: segment.words.map((word, wordIndex) => {
      const key = wordKey(segmentIndex, wordIndex);
      const edit = edits[key];
      return {
        key,
        index: index++,
        segmentIndex,
        wordIndex,
        text: edit ?? word.text,
        original: word.text,
        edited: edit !== undefined && edit !== word.text,
        startSec: word.startSec,
        endSec: word.endSec,
        confidence: word.confidence,
      };
    }),
  }));
}

/**
 * The index of the word being heard at `timeSec`: the last word that started at or before it,
 * while we are inside it or in the pause after it. -1 before the first word.
 */
export function wordIndexAt(words: readonly ViewWord[], timeSec: number): number {
  let low = 0;
  let high = words.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const word = words[middle];
    if (word && word.startSec <= timeSec) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

/** Indices of the words that contain the query (case and accent insensitive); phrases match runs of words. */
export function findMatches(words: readonly ViewWord[], query: string): number[] {
  const terms = normalize(query).split(' ').filter(Boolean);
  if (terms.length === 0) return [];
  const normalized = words.map((word) => normalize(word.text));
  const matches: number[] = [];
  for (let start = 0; start + terms.length <= normalized.length; start++) {
    const hit = terms.every((term, offset) => {
      const word = normalized[start + offset] ?? '';
      if (terms.length === 1) return word.includes(term);
      // In a phrase, inner words must match whole; the ends may be partial.
      if (offset === 0) return word.endsWith(term);
      if (offset === terms.length - 1) return word.startsWith(term);
      return word === term;
    });
    if (hit) matches.push(start);
  }
  return matches;
}

function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Shade of a word by the model's confidence. */
export function confidenceLevel(confidence: number): 'high' | 'medium' | 'low' {
  if (confidence >= 0.8) return 'high';
  if (confidence >= 0.5) return 'medium';
  return 'low';
}
