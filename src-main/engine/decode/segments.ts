import type { Segment, Word } from '../types';

export interface SegmentOptions {
  /** A silence at least this long between two words starts a new segment. Default 0.6 s. */
  maxGapSec: number;
  /** A segment never spans more than this, first word start to last word end. Default 15 s. */
  maxDurationSec: number;
  /** A segment never holds more words than this. Default 25. */
  maxWords: number;
  /** End a segment after a word ending in . ? ! or …. Default true. */
  splitAtSentenceEnd: boolean;
}

export const DEFAULT_SEGMENT_OPTIONS: Readonly<SegmentOptions> = Object.freeze({
  maxGapSec: 0.6,
  maxDurationSec: 15,
  maxWords: 25,
  splitAtSentenceEnd: true,
});

const SENTENCE_END = /[.?!\u2026]["')\]\u201d\u2019]*$/;
const CLAUSE_END = /[,;:]$/;

/**
 * Builds a segment from words in time order: its text is the words joined by single spaces, its
 * times span theirs, its confidence is the mean of theirs. An empty list gives an empty segment
 * at 0 s.
 *
 * @example
 * const segment = segmentFromWords(words.slice(0, 5));
 */
export function segmentFromWords(words: Word[]): Segment {
  const first = words[0];
  const last = words.at(-1);
  const confidence = words.reduce((sum, w) => sum + w.confidence, 0) / Math.max(1, words.length);
  return {
    text: words.map((w) => w.text).join(' '),
    startSec: first?.startSec ?? 0,
    endSec: last?.endSec ?? 0,
    confidence,
    words,
  };
}

/**
 * Splits a file's words into segments the way one would for reading and subtitles: at pauses of
 * `maxGapSec` or more, after sentence-ending punctuation, and before a segment would grow longer
 * than `maxDurationSec` or `maxWords` (then after a comma in its second half, if it has one).
 * Words must be in time order.
 *
 * @example
 * const segments = wordsToSegments(words); // defaults: 0.6 s gap, 15 s, 25 words, split at ". ? !"
 * const text = segments.map((s) => s.text).join('\n');
 */
export function wordsToSegments(
  words: readonly Word[],
  options?: Partial<SegmentOptions>,
): Segment[] {
  const { maxGapSec, maxDurationSec, maxWords, splitAtSentenceEnd } = {
    ...DEFAULT_SEGMENT_OPTIONS,
    ...options,
  };
  const segments: Segment[] = [];
  let current: Word[] = [];
  for (const word of words) {
    const first = current[0];
    const previous = current.at(-1);
    if (first && previous) {
      const naturalBreak =
        word.startSec - previous.endSec >= maxGapSec ||
        (splitAtSentenceEnd && SENTENCE_END.test(previous.text));
      const full = word.endSec - first.startSec > maxDurationSec || current.length >= maxWords;
      if (naturalBreak) {
        segments.push(segmentFromWords(current));
        current = [];
      } else if (full) {
        // Prefer ending the segment after a clause (", ; :") in its second half.
        const clauseEnd = current.findLastIndex(
          (w, i) => i >= current.length / 2 && i < current.length - 1 && CLAUSE_END.test(w.text),
        );
        const keep = clauseEnd >= 0 ? clauseEnd + 1 : current.length;
        segments.push(segmentFromWords(current.slice(0, keep)));
        current = current.slice(keep);
        const carriedStart = current[0]?.startSec ?? word.startSec;
        const carriedFull =
          word.endSec - carriedStart > maxDurationSec || current.length >= maxWords;
        if (current.length > 0 && carriedFull) {
          segments.push(segmentFromWords(current));
          current = [];
        }
      }
    }
    current.push(word);
  }
  if (current.length > 0) segments.push(segmentFromWords(current));
  return segments;
}
