import type { Segment, Word } from '../types';

/** One subtitle on screen: at most `maxLines` lines shown from startSec to endSec. */
export interface SubtitleCue {
  startSec: number;
  endSec: number;
  lines: string[];
}

export interface SubtitleCueOptions {
  /** Default 42, the usual broadcast limit. */
  maxCharsPerLine: number;
  /** Default 2. */
  maxLines: number;
  /** Longest time one cue stays on screen. Default 7 s. */
  maxCueSec: number;
  /** Short cues are held this long when the next cue leaves room. Default 0.8 s. */
  minCueSec: number;
}

export const DEFAULT_CUE_OPTIONS: Readonly<SubtitleCueOptions> = Object.freeze({
  maxCharsPerLine: 42,
  maxLines: 2,
  maxCueSec: 7,
  minCueSec: 0.8,
});

interface TimedText {
  text: string;
  startSec: number;
  endSec: number;
}

const normalizeSpace = (text: string): string => text.trim().split(/\s+/).join(' ');

/**
 * The words of a segment with times. Its own words are used when they still spell its text; an
 * edited segment whose words no longer match gets its text's words spread over the segment's span
 * in proportion to their length.
 */
function timedWords(segment: Segment): TimedText[] {
  const text = normalizeSpace(segment.text);
  if (text === '') return [];
  const words = segment.words.filter((w: Word) => w.text.trim() !== '');
  if (words.length > 0 && normalizeSpace(words.map((w) => w.text).join(' ')) === text) {
    return words.map((w) => ({ text: w.text.trim(), startSec: w.startSec, endSec: w.endSec }));
  }
  const parts = text.split(' ');
  const totalChars = parts.reduce((sum, p) => sum + p.length + 1, 0);
  const span = Math.max(0, segment.endSec - segment.startSec);
  let cursor = segment.startSec;
  return parts.map((part) => {
    const startSec = cursor;
    cursor += (span * (part.length + 1)) / totalChars;
    return { text: part, startSec, endSec: cursor };
  });
}

/** Breaks a word longer than a line into line-sized pieces, sharing its time between them. */
function splitLongWord(word: TimedText, maxChars: number): TimedText[] {
  const chars = [...word.text];
  if (chars.length <= maxChars) return [word];
  const pieces: TimedText[] = [];
  const perChar = (word.endSec - word.startSec) / chars.length;
  for (let i = 0; i < chars.length; i += maxChars) {
    pieces.push({
      text: chars.slice(i, i + maxChars).join(''),
      startSec: word.startSec + i * perChar,
      endSec: word.startSec + Math.min(chars.length, i + maxChars) * perChar,
    });
  }
  return pieces;
}

const length = (text: string): number => [...text].length;

/**
 * Index of the last word ending a clause (, ; :) that closes at least half of the cue's text, so a
 * cue can end there instead of in the middle of the next clause.
 */
function clauseBreak(words: TimedText[]): number | undefined {
  const total = length(words.map((w) => w.text).join(' '));
  let chars = 0;
  let found: number | undefined;
  for (let i = 0; i < words.length - 1; i++) {
    chars += length(words[i]!.text) + (i > 0 ? 1 : 0);
    if (/[,;:]$/.test(words[i]!.text) && chars >= total / 2) found = i;
  }
  return found;
}

/** Greedy wrap at `width`; undefined if a word is wider than `width`. */
function wrapAt(words: string[], width: number): string[] | undefined {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (length(word) > width) return undefined;
    if (line === '') line = word;
    else if (length(line) + 1 + length(word) <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * Lays words out in at most `maxLines` lines of at most `maxChars`, as evenly as possible (the
 * narrowest width that still fits), or undefined when they do not fit.
 */
export function layoutLines(
  words: string[],
  maxChars: number,
  maxLines: number,
): string[] | undefined {
  const total = length(words.join(' '));
  if (total <= maxChars) return words.length > 0 ? [words.join(' ')] : [];
  for (let width = Math.ceil(total / maxLines); width <= maxChars; width++) {
    const lines = wrapAt(words, width);
    if (lines && lines.length <= maxLines) return lines;
  }
  return undefined;
}

/**
 * Splits segments into readable subtitle cues: at most `maxLines` lines of `maxCharsPerLine`
 * characters, on screen for at most `maxCueSec`, breaking only between words and timed by the
 * words' own times (a cue never spans two segments). Cues come out in time order without overlap;
 * short ones are held up to `minCueSec` when the next cue leaves room. Segments are taken as given,
 * so edited transcripts format the same way.
 *
 * @example
 * const cues = subtitleCues(transcript.segments, { maxCharsPerLine: 32 });
 * // [{ startSec: 0.12, endSec: 2.4, lines: ['hello and welcome', 'to the show'] }, ...]
 */
export function subtitleCues(
  segments: readonly Segment[],
  options?: Partial<SubtitleCueOptions>,
): SubtitleCue[] {
  const { maxCharsPerLine, maxLines, maxCueSec, minCueSec } = {
    ...DEFAULT_CUE_OPTIONS,
    ...options,
  };
  const cues: SubtitleCue[] = [];

  const fits = (words: TimedText[]): string[] | undefined => {
    const first = words[0];
    const last = words.at(-1);
    if (!first || !last) return [];
    if (words.length > 1 && last.endSec - first.startSec > maxCueSec) return undefined;
    return layoutLines(
      words.map((w) => w.text),
      maxCharsPerLine,
      maxLines,
    );
  };
  const emit = (words: TimedText[]): void => {
    const first = words[0];
    const last = words.at(-1);
    if (!first || !last) return;
    cues.push({
      startSec: first.startSec,
      endSec: Math.min(Math.max(last.endSec, first.startSec), first.startSec + maxCueSec),
      lines: fits(words) ?? [words.map((w) => w.text).join(' ')],
    });
  };

  for (const segment of segments) {
    let pending: TimedText[] = [];
    for (const word of timedWords(segment).flatMap((w) => splitLongWord(w, maxCharsPerLine))) {
      if (fits([...pending, word])) {
        pending.push(word);
        continue;
      }
      // The cue is full. End it after a clause (a word ending in , ; :) in its second half if
      // there is one, carrying the rest over, else right here.
      const clauseEnd = clauseBreak(pending);
      const carried = clauseEnd === undefined ? [] : pending.slice(clauseEnd + 1);
      emit(clauseEnd === undefined ? pending : pending.slice(0, clauseEnd + 1));
      if (carried.length > 0 && !fits([...carried, word])) {
        emit(carried);
        carried.length = 0;
      }
      pending = [...carried, word];
    }
    emit(pending);
  }

  cues.sort((a, b) => a.startSec - b.startSec);
  for (let i = 0; i < cues.length; i++) {
    const cue = cues[i]!;
    const previous = cues[i - 1];
    if (previous && cue.startSec < previous.endSec) cue.startSec = previous.endSec;
    cue.endSec = Math.min(Math.max(cue.endSec, cue.startSec), cue.startSec + maxCueSec);
  }
  for (let i = 0; i < cues.length; i++) {
    const cue = cues[i]!;
    const nextStart = cues[i + 1]?.startSec ?? Infinity;
    if (cue.endSec - cue.startSec < minCueSec) {
      cue.endSec = Math.max(cue.endSec, Math.min(cue.startSec + minCueSec, nextStart));
    }
  }
  return cues;
}
