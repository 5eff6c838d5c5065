import { describe, expect, it } from 'vitest';
import {
  greedyCtcDecode,
  tokensToWords,
  Vocabulary,
  wordsToSegments,
} from '../../../src-main/engine/decode';
import { HarkError } from '../../../src-main/engine/errors';
import type { Word } from '../../../src-main/engine/types';

const BLK = '<blk>';
const CHAR_SYMBOLS = ['\u2581', ...'abcdefghijklmnopqrstuvwxyz', "'", BLK];
const charVocab = Vocabulary.parse(CHAR_SYMBOLS.map((s, i) => `${s} ${i}`).join('\n'), 'chars.txt');

/**
 * A (T, V) log-prob matrix where frame t's best label is labels[t] (a symbol, or null = blank)
 * with posterior best[t]; the other labels share the rest equally.
 */
function logProbMatrix(
  vocab: Vocabulary,
  frames: (string | null)[],
  best: (t: number) => number = () => 0.9,
): Float32Array {
  const V = vocab.size;
  const out = new Float32Array(frames.length * V);
  frames.forEach((symbol, t) => {
    const id = symbol === null ? vocab.blankId : vocab.idOf(symbol);
    if (id === undefined) throw new Error(`no symbol ${symbol}`);
    const p = best(t);
    for (let v = 0; v < V; v++) out[t * V + v] = Math.log(v === id ? p : (1 - p) / (V - 1));
  });
  return out;
}

/** Frames from a compact picture: '.' = blank, '_' = the ▁ boundary, letters = themselves. */
function picture(text: string): (string | null)[] {
  return [...text].map((c) => (c === '.' ? null : c === '_' ? '\u2581' : c));
}

function decode(vocab: Vocabulary, frames: (string | null)[], best?: (t: number) => number) {
  return greedyCtcDecode(logProbMatrix(vocab, frames, best), {
    numFrames: frames.length,
    vocabSize: vocab.size,
    blankId: vocab.blankId,
  });
}

describe('Vocabulary', () => {
  it('parses "symbol id" lines and finds the blank by name', () => {
    expect(charVocab.size).toBe(29);
    expect(charVocab.blankId).toBe(28);
    expect(charVocab.symbol(8)).toBe('h');
    expect(charVocab.idOf('\u2581')).toBe(0);
    const blankFirst = Vocabulary.parse('<blk> 0\r\na 1\r\nb 2\r\n', 'crlf.txt');
    expect(blankFirst.blankId).toBe(0);
    expect(blankFirst.symbol(2)).toBe('b');
  });

  it('reads a line holding only an id as the space symbol', () => {
    const vocab = Vocabulary.parse('a 0\n  1\nb 2\n<blk> 3\n', 'space.txt');
    expect(vocab.symbol(1)).toBe(' ');
  });

  it('names the file and the problem for bad vocabularies', () => {
    const cases: [string, RegExp][] = [
      ['a 0\nb 0\n<blk> 1', /id 0 appears twice/],
      ['a 0\n<blk> 2', /1 is missing/],
      ['a 0\nb 1', /no blank/],
      ['a 0\nthis line has no id\n<blk> 1', /line 2 is not "symbol id"/],
      ['', /empty/],
    ];
    for (const [text, problem] of cases) {
      let caught: unknown;
      try {
        Vocabulary.parse(text, '/models/x/tokens.txt');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(HarkError);
      expect((caught as HarkError).code).toBe('MODEL_INVALID');
      expect((caught as HarkError).message).toMatch(/^\/models\/x\/tokens\.txt: /);
      expect((caught as HarkError).message).toMatch(problem);
    }
  });
});

describe('greedyCtcDecode', () => {
  it('merges repeats, drops blanks, and keeps each token’s first and last frame', () => {
    const tokens = decode(charVocab, picture('..hhe.ll.l...'));
    expect(tokens.map((t) => charVocab.symbol(t.id)).join('')).toBe('hell');
    expect(tokens.map((t) => [t.frame, t.lastFrame])).toEqual([
      [2, 3],
      [4, 4],
      [6, 7],
      [9, 9],
    ]);
  });

  it('needs a blank between two runs of the same letter', () => {
    const spelled = (frames: string) =>
      decode(charVocab, picture(frames))
        .map((t) => charVocab.symbol(t.id))
        .join('');
    expect(spelled('hel.lo')).toBe('hello');
    expect(spelled('hello')).toBe('helo');
  });

  it('returns nothing for no frames or only blanks', () => {
    expect(
      greedyCtcDecode(new Float32Array(0), { numFrames: 0, vocabSize: 29, blankId: 28 }),
    ).toEqual([]);
    expect(decode(charVocab, picture('.......'))).toEqual([]);
  });

  it('shifts frames by frameOffset and rejects a matrix smaller than its shape', () => {
    const frames = picture('.a.');
    const tokens = greedyCtcDecode(logProbMatrix(charVocab, frames), {
      numFrames: 3,
      vocabSize: charVocab.size,
      blankId: charVocab.blankId,
      frameOffset: 100,
    });
    expect(tokens[0]?.frame).toBe(101);
    expect(() =>
      greedyCtcDecode(new Float32Array(10), { numFrames: 3, vocabSize: 29, blankId: 28 }),
    ).toThrow(HarkError);
  });

  it('gives each token the mean posterior of its frames', () => {
    const posteriors = [0.9, 0.6, 0.3, 0.9];
    const [token] = decode(charVocab, picture('aaa.'), (t) => posteriors[t]!);
    expect(Math.exp(token!.logProb)).toBeCloseTo((0.9 + 0.6 + 0.3) / 3, 5);
  });
});

describe('tokensToWords', () => {
  const frameSec = 0.04;

  it('times words from the first frame of the first token to one frame after the last', () => {
    //                               0         1         2
    //                               0123456789012345678901234567
    const frames = picture('...hhel.lo.._......world..');
    const words = tokensToWords(decode(charVocab, frames), charVocab, { frameSec });
    expect(words.map((w) => w.text)).toEqual(['hello', 'world']);
    expect(words[0]!.startSec).toBeCloseTo(3 * frameSec, 9);
    expect(words[0]!.endSec).toBeCloseTo(10 * frameSec, 9);
    expect(words[1]!.startSec).toBeCloseTo(19 * frameSec, 9);
    expect(words[1]!.endSec).toBeCloseTo(24 * frameSec, 9);
  });

  it('adds timeOffsetSec', () => {
    const words = tokensToWords(decode(charVocab, picture('..ok..')), charVocab, {
      frameSec,
      timeOffsetSec: 60,
    });
    expect(words[0]!.startSec).toBeCloseTo(60.08, 9);
    expect(words[0]!.endSec).toBeCloseTo(60.16, 9);
  });

  it('understands BPE pieces that start a word with ▁, and skips <unk>', () => {
    const symbols = ['<unk>', '\u2581he', 'llo', '\u2581wor', 'ld', '\u2581.', '\u2581', BLK];
    const vocab = Vocabulary.parse(symbols.map((s, i) => `${s} ${i}`).join('\n'), 'bpe.txt');
    const frames = [
      '\u2581he',
      null,
      'llo',
      null,
      '<unk>',
      null,
      '\u2581wor',
      'ld',
      '\u2581.',
      null,
    ];
    const words = tokensToWords(decode(vocab, frames), vocab, { frameSec });
    expect(words.map((w) => w.text)).toEqual(['hello', 'world.']);
    expect(words[0]!.startSec).toBeCloseTo(0, 9);
    expect(words[0]!.endSec).toBeCloseTo(3 * frameSec, 9);
    expect(words[1]!.startSec).toBeCloseTo(6 * frameSec, 9);
    expect(words[1]!.endSec).toBeCloseTo(9 * frameSec, 9);
  });

  it('treats a literal space token as a word boundary', () => {
    const vocab = Vocabulary.parse('a 0\n  1\nb 2\n<blk> 3', 'space.txt');
    const words = tokensToWords(decode(vocab, ['a', 'a', ' ', 'b', null, 'b']), vocab, {
      frameSec,
    });
    expect(words.map((w) => w.text)).toEqual(['a', 'bb']);
  });

  it('scores confidence in [0, 1], lower where the frames were doubtful', () => {
    const frames = picture('.sure.._.maybe.');
    const best = (t: number) => (t < 7 ? 0.95 : 0.2);
    const words = tokensToWords(decode(charVocab, frames, best), charVocab, { frameSec });
    expect(words.map((w) => w.text)).toEqual(['sure', 'maybe']);
    for (const w of words) {
      expect(w.confidence).toBeGreaterThanOrEqual(0);
      expect(w.confidence).toBeLessThanOrEqual(1);
    }
    expect(words[0]!.confidence).toBeCloseTo(0.95, 5);
    expect(words[1]!.confidence).toBeCloseTo(0.2, 5);
    // A word with one doubtful letter scores the mean of its letters.
    const mixed = tokensToWords(
      decode(charVocab, picture('abc'), (t) => [1, 0.4, 1][t]!),
      charVocab,
      {
        frameSec,
      },
    );
    expect(mixed[0]!.confidence).toBeCloseTo(0.8, 5);
  });

  it('returns no words for no tokens', () => {
    expect(tokensToWords([], charVocab, { frameSec })).toEqual([]);
  });
});

describe('wordsToSegments', () => {
  const word = (text: string, startSec: number, endSec: number, confidence = 0.9): Word => ({
    text,
    startSec,
    endSec,
    confidence,
  });

  it('splits at pauses of 0.6 s or more and after sentence punctuation', () => {
    const words = [
      word('one', 0, 0.3),
      word('two', 0.4, 0.7),
      word('three', 1.3, 1.6), // 0.6 s pause before
      word('four.', 1.7, 2.0),
      word('five', 2.1, 2.4, 0.5),
    ];
    const segments = wordsToSegments(words);
    expect(segments.map((s) => s.text)).toEqual(['one two', 'three four.', 'five']);
    expect(segments[1]!.startSec).toBe(1.3);
    expect(segments[1]!.endSec).toBe(2.0);
    expect(segments[1]!.words).toHaveLength(2);
    expect(segments[2]!.confidence).toBeCloseTo(0.5, 9);
    expect(wordsToSegments(words, { maxGapSec: 1, splitAtSentenceEnd: false })).toHaveLength(1);
  });

  it('keeps segments within the duration and word limits', () => {
    const words = Array.from({ length: 100 }, (_, i) => word(`w${i}`, i * 0.5, i * 0.5 + 0.4));
    const segments = wordsToSegments(words);
    for (const s of segments) {
      expect(s.endSec - s.startSec).toBeLessThanOrEqual(15);
      expect(s.words.length).toBeLessThanOrEqual(25);
    }
    expect(segments.flatMap((s) => s.words)).toEqual(words);
    expect(wordsToSegments(words, { maxWords: 10 }).every((s) => s.words.length <= 10)).toBe(true);
    expect(
      wordsToSegments(words, { maxDurationSec: 3 }).every((s) => s.endSec - s.startSec <= 3),
    ).toBe(true);
  });

  it('ends a full segment after a comma in its second half rather than mid-clause', () => {
    const texts = 'one two three four five six seven, eight nine ten eleven twelve'.split(' ');
    const words = texts.map((text, i) => word(text, i * 0.5, i * 0.5 + 0.4));
    const segments = wordsToSegments(words, { maxWords: 10 });
    expect(segments.map((s) => s.text)).toEqual([
      'one two three four five six seven,',
      'eight nine ten eleven twelve',
    ]);
    // A comma in the first half does not count: the segment is filled instead.
    const early = texts.map((t) => t.replace(',', '')).map((t, i) => (i === 1 ? `${t},` : t));
    const filled = wordsToSegments(
      early.map((text, i) => word(text, i * 0.5, i * 0.5 + 0.4)),
      { maxWords: 10 },
    );
    expect(filled.map((s) => s.words.length)).toEqual([10, 2]);
  });

  it('gives a word longer than the duration limit a segment of its own, and no empty segment', () => {
    // A word spanning a long stretch (its letters far apart) after a full-length segment.
    const words = [word('one', 0, 0.4), word('two', 0.5, 0.9), word('long', 1, 40)];
    const segments = wordsToSegments(words, { maxGapSec: 5 });
    expect(segments.map((s) => s.text)).toEqual(['one two', 'long']);
    expect(segments.every((s) => s.words.length > 0)).toBe(true);
  });

  it('returns no segments for no words', () => {
    expect(wordsToSegments([])).toEqual([]);
  });
});
