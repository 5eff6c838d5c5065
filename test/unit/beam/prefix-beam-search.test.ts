import { describe, expect, it } from 'vitest';
import { greedyCtcDecode, tokensToWords, Vocabulary } from '../../../src-main/engine/decode';
import {
  beamSearchDecode,
  CtcPrefixBeamSearch,
  type BeamSearchOptions,
} from '../../../src-main/engine/decode/beam';
import { HarkError } from '../../../src-main/engine/errors';
import { buildKneserNey } from '../../../src-main/engine/lm';

const BLANK = '<blk>';
const charVocab = Vocabulary.parse(
  ['\u2581', ...'abcdefghijklmnopqrstuvwxyz', "'", BLANK].map((s, i) => `${s} ${i}`).join('\n'),
  'chars.txt',
);

/** One frame: probabilities of a few symbols ('.' = blank, '_' = ▁); the rest share what is left. */
type Frame = Record<string, number>;

function symbolKey(symbol: string): string {
  return symbol === BLANK ? '.' : symbol === '\u2581' ? '_' : symbol;
}

function logProbs(vocab: Vocabulary, frames: readonly Frame[]): Float32Array {
  const size = vocab.size;
  const out = new Float32Array(frames.length * size);
  frames.forEach((frame, t) => {
    const given = Object.values(frame).reduce((a, b) => a + b, 0);
    const rest = (1 - given) / (size - Object.keys(frame).length);
    for (let v = 0; v < size; v++) {
      out[t * size + v] = Math.log(frame[symbolKey(vocab.symbol(v))] ?? rest);
    }
  });
  return out;
}

/** Each character of `text` (space = ▁) at `p`, then a blank frame. */
function spell(text: string, p = 0.9): Frame[] {
  return [...text].flatMap((c) => [{ [c === ' ' ? '_' : c]: p }, { '.': 0.95 }]);
}

function decode(frames: Frame[], options: Partial<BeamSearchOptions> = {}, vocab = charVocab) {
  return beamSearchDecode(logProbs(vocab, frames), {
    numFrames: frames.length,
    vocab,
    frameSec: 0.04,
    ...options,
  });
}

const corpus = [
  ...Array.from({ length: 6 }, () => 'the cat sat on the mat'),
  ...Array.from({ length: 4 }, () => 'open the gate'),
  'the gate is open',
  'a dog sat by the gate',
  'the cat is on the gate',
].map((s) => s.split(' '));
const lm = buildKneserNey(corpus, { order: 3 }).model;

describe('CTC prefix beam search without a language model', () => {
  it('equals greedy decoding on clear frames: text, times and confidences', () => {
    const frames = [{ '.': 0.9 }, ...spell('the cat'), { t: 0.7 }, { t: 0.6 }, { '.': 0.8 }];
    const beam = decode(frames);
    const lp = logProbs(charVocab, frames);
    const greedyTokens = greedyCtcDecode(lp, {
      numFrames: frames.length,
      vocabSize: charVocab.size,
      blankId: charVocab.blankId,
    });
    const greedy = tokensToWords(greedyTokens, charVocab, { frameSec: 0.04 });
    expect(beam.text).toBe('the catt');
    expect(beam.words).toHaveLength(greedy.length);
    beam.words.forEach((word, i) => {
      expect(word.text).toBe(greedy[i]!.text);
      expect(word.startSec).toBeCloseTo(greedy[i]!.startSec, 9);
      expect(word.endSec).toBeCloseTo(greedy[i]!.endSec, 9);
      expect(word.confidence).toBeCloseTo(greedy[i]!.confidence, 6);
    });
    expect(beam.tokens.map((t) => [t.frame, t.lastFrame])).toEqual(
      greedyTokens.map((t) => [t.frame, t.lastFrame]),
    );
  });

  it('sums over alignments: finds "a" where every frame prefers the blank', () => {
    // Greedy: blank, blank → "". P("a") = .4·.4 + .4·.599 + .599·.4 = 0.6392 > P("") = 0.3588.
    const frames = [
      { a: 0.4, '.': 0.599 },
      { a: 0.4, '.': 0.599 },
    ];
    const result = decode(frames);
    expect(result.text).toBe('a');
    expect(result.score).toBeCloseTo(Math.log(0.4 * 0.4 + 2 * 0.4 * 0.599), 5);
    const greedy = greedyCtcDecode(logProbs(charVocab, frames), {
      numFrames: 2,
      vocabSize: charVocab.size,
      blankId: charVocab.blankId,
    });
    expect(greedy).toEqual([]);
  });

  it('needs a blank between two equal letters', () => {
    expect(decode([{ o: 0.9 }, { o: 0.9 }]).text).toBe('o');
    expect(decode([{ o: 0.9 }, { '.': 0.9 }, { o: 0.9 }]).text).toBe('oo');
  });

  it('decodes in blocks exactly as in one go, with frame and time offsets', () => {
    const frames = [...spell('on the mat'), { '.': 0.9 }];
    const lp = logProbs(charVocab, frames);
    const options = { vocab: charVocab, frameSec: 0.04, frameOffset: 100, timeOffsetSec: 1 };
    const whole = beamSearchDecode(lp, { ...options, numFrames: frames.length });
    const search = new CtcPrefixBeamSearch(options);
    const cut = 7 * charVocab.size;
    search.advance(lp.subarray(0, cut), 7);
    expect(search.best().text).toBe('on t');
    expect(() => search.advance(lp.subarray(cut), frames.length - 7, 100)).toThrow(/contiguous/);
    search.advance(lp.subarray(cut), frames.length - 7, 107);
    const streamed = search.finish();
    expect(streamed).toEqual(whole);
    expect(whole.tokens[0]!.frame).toBe(100);
    expect(whole.words[0]!.startSec).toBeCloseTo(1 + 100 * 0.04, 9);
  });

  it('rejects bad options and short input', () => {
    const options = { vocab: charVocab, frameSec: 0.04 };
    expect(() => new CtcPrefixBeamSearch({ ...options, beamWidth: 0 })).toThrow(HarkError);
    expect(() => new CtcPrefixBeamSearch({ ...options, frameSec: 0 })).toThrow(/frameSec/);
    expect(() => beamSearchDecode(new Float32Array(10), { ...options, numFrames: 1 })).toThrow(
      /fewer than 1 frames × 29 labels/,
    );
  });
});

describe('CTC prefix beam search with an n-gram language model', () => {
  /** "the cat sa?" where the audio slightly prefers d over t. */
  const ambiguous = [...spell('the cat sa'), { d: 0.5, t: 0.42 }, { '.': 0.95 }];

  it('lets the LM choose between acoustically close words', () => {
    expect(decode(ambiguous).text).toBe('the cat sad');
    expect(decode(ambiguous, { lm, alpha: 0.5, beta: 1 }).text).toBe('the cat sat');
    // With α = 0 only the lexicon speaks: "sad" is unknown to the LM and pays the penalty...
    expect(decode(ambiguous, { lm, alpha: 0, beta: 0 }).text).toBe('the cat sat');
    // ...and without the penalty the audio decides again.
    const off = { lm, alpha: 0, beta: 0, unknownWordPenalty: 0 };
    expect(decode(ambiguous, off).text).toBe('the cat sad');
  });

  it('keeps word times and confidences through the beam', () => {
    const frames = [{ '.': 0.9 }, ...spell('the cat sat', 0.8)];
    const withLm = decode(frames, { lm });
    const without = decode(frames);
    expect(withLm.text).toBe('the cat sat');
    expect(withLm.words).toEqual(without.words);
    expect(withLm.words[1]).toMatchObject({ text: 'cat', startSec: 0.36, endSec: 0.56 });
    expect(withLm.words[1]!.confidence).toBeCloseTo(0.8, 6);
    // The LM changed the score, not the timing.
    expect(withLm.score).not.toBeCloseTo(without.score, 3);
  });

  it('still spells a word the LM has never seen, at a penalty', () => {
    const frames = spell('the zork sat');
    expect(decode(frames, { lm }).text).toBe('the zork sat');
    // The penalty is in the score: a harsher one lowers it by the difference.
    const mild = decode(frames, { lm, unknownWordPenalty: -5 });
    const harsh = decode(frames, { lm, unknownWordPenalty: -9 });
    expect(mild.score - harsh.score).toBeCloseTo(4, 6);
    // A custom word (a hotword without boost) is known: no penalty at all.
    const custom = decode(frames, { lm, hotwords: [{ phrase: 'zork', boost: 0 }] });
    expect(custom.text).toBe('the zork sat');
    expect(custom.score - decode(frames, { lm }).score).toBeCloseTo(10, 6);
  });

  it('works with a BPE vocabulary ("▁" starts a word inside a piece)', () => {
    const pieces = ['\u2581the', '\u2581ca', 't', '\u2581sa', 'd', '\u2581', BLANK];
    const bpe = Vocabulary.parse(pieces.map((s, i) => `${s} ${i}`).join('\n'), 'bpe.txt');
    const frames: Frame[] = [
      { '\u2581the': 0.9 },
      { '.': 0.9 },
      { '\u2581ca': 0.9 },
      { t: 0.9 },
      { '.': 0.9 },
      { '\u2581sa': 0.9 },
      { d: 0.5, t: 0.45 },
      { '.': 0.9 },
    ];
    const plain = decode(frames, {}, bpe);
    expect(plain.text).toBe('the cat sad');
    expect(plain.words.map((w) => w.startSec)).toEqual([0, 0.08, 0.2]);
    expect(decode(frames, { lm }, bpe).text).toBe('the cat sat');
  });
});

describe('hotwords', () => {
  /** "open the ?ate": the audio slightly prefers g (common word) over k (a name). */
  const frames = [...spell('open the '), { g: 0.5, k: 0.44 }, { '.': 0.95 }, ...spell('ate')];

  it('give the rare name with the hotword and the common word without it', () => {
    expect(decode(frames).text).toBe('open the gate');
    expect(decode(frames, { hotwords: ['kate'] }).text).toBe('open the kate');
    expect(decode(frames, { lm }).text).toBe('open the gate');
    expect(decode(frames, { lm, hotwords: ['Kate'] }).text).toBe('open the kate');
  });

  it('take the bonus back when the hotword is not completed', () => {
    const clear = spell('open the gate');
    const plain = decode(clear, { lm });
    const withPrefixHotword = decode(clear, { lm, hotwords: ['gates', 'gatekeeper'] });
    expect(withPrefixHotword.text).toBe('open the gate');
    expect(withPrefixHotword.score).toBeCloseTo(plain.score, 6);
    const completed = decode(clear, { lm, hotwords: [{ phrase: 'gate', boost: 2 }] });
    expect(completed.score - plain.score).toBeCloseTo(8, 6);
  });
});
