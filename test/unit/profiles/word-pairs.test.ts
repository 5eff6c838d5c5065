import { describe, expect, it } from 'vitest';
import type { HiddenUtterance } from '../../../src-main/engine/profiles/hidden-states';
import {
  joinUtterances,
  mostlySingleWords,
  pairSingleWords,
} from '../../../src-main/engine/profiles/word-pairs';
import { seededRandom } from '../../../src-main/engine/seeded-random';
import { CHARACTER_SET } from '../../../src-main/engine/text/normalize';

const decode = (ids: Int32Array) => Array.from(ids, (id) => CHARACTER_SET[id]).join('');

const WIDTH = 3;
/** The default cut: the cache holds the subsampling's output. */
const HIDDEN = { frozenBlocks: 0 };
const FEATURES = { frozenBlocks: 0, trainSubsampling: true };

/** An utterance whose every hidden value is `fill`, `frames` frames long. */
function utterance(text: string, frames: number, fill: number): HiddenUtterance {
  return {
    hidden: new Float32Array(frames * WIDTH).fill(fill),
    frames,
    featureFrames: frames * 4 - 2,
    labels: new Int32Array(0),
    text,
    durationSec: frames * 0.04,
  };
}

describe('joinUtterances', () => {
  it('puts the hidden states back to back and joins the texts with a space', () => {
    const joined = joinUtterances(utterance('five', 2, 1), utterance('three', 3, 2), HIDDEN);
    expect(Array.from(joined.hidden)).toEqual([...Array(6).fill(1), ...Array(9).fill(2)]);
    expect(joined.frames).toBe(5);
    // The suffix computes ⌈⌈featureFrames/2⌉/2⌉ frames from its length input.
    expect(Math.ceil(Math.ceil(joined.featureFrames / 2) / 2)).toBe(5);
    expect(joined.text).toBe('five three');
    expect(decode(joined.labels)).toBe('five three');
    expect(joined.durationSec).toBeCloseTo(0.2, 9);
  });

  it('counts feature frames one for one when the cache holds features (the subsampling trains)', () => {
    const features = (frames: number, fill: number): HiddenUtterance => ({
      ...utterance('word', frames, fill),
      featureFrames: frames,
    });
    const joined = joinUtterances(features(7, 1), features(9, 2), FEATURES);
    expect(joined.frames).toBe(16);
    expect(joined.featureFrames).toBe(16);
    expect(joined.hidden).toHaveLength(16 * WIDTH);
  });

  it('passes the cut on to every pair it makes', () => {
    const words = Array.from({ length: 4 }, (_, i) => ({
      ...utterance('word', 5 + i, i),
      featureFrames: 5 + i,
    }));
    const pairs = pairSingleWords(words, seededRandom(1), 1, FEATURES);
    expect(pairs).toHaveLength(2);
    for (const pair of pairs) expect(pair.featureFrames).toBe(pair.frames);
  });
});

describe('pairSingleWords', () => {
  const digits = Array.from({ length: 10 }, (_, i) => utterance('digit', 4, i));
  const sentence = utterance('a whole sentence', 20, 99);

  it('joins the given share of single words in pairs and keeps everything else', () => {
    const out = pairSingleWords([...digits, sentence], seededRandom(1), 0.5, HIDDEN);
    const pairs = out.filter((u) => u.text.split(' ').length === 2);
    expect(pairs).toHaveLength(2);
    expect(out.filter((u) => u.text.split(' ').length === 1)).toHaveLength(6);
    expect(out).toContain(sentence);
    // Every recording's audio is used exactly once; the total duration is unchanged.
    const total = (us: HiddenUtterance[]) => us.reduce((s, u) => s + u.durationSec, 0);
    expect(total(out)).toBeCloseTo(total([...digits, sentence]), 9);
    const fills = out.flatMap((u) => [...new Set(u.hidden)]).sort((a, b) => a - b);
    expect(fills).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 99]);
  });

  it('is reproducible from its seed, and a share of 0 or a lone single word changes nothing', () => {
    const order = (seed: number) =>
      pairSingleWords(digits, seededRandom(seed), 1, HIDDEN).map((u) =>
        Array.from(u.hidden.slice(0, 1)),
      );
    expect(order(7)).toEqual(order(7));
    expect(order(7)).not.toEqual(order(8));
    expect(pairSingleWords(digits, seededRandom(1), 1, HIDDEN)).toHaveLength(5);
    expect(pairSingleWords(digits, seededRandom(1), 0, HIDDEN)).toEqual(digits);
    expect(pairSingleWords([digits[0]!, sentence], seededRandom(1), 1, HIDDEN)).toEqual([
      digits[0],
      sentence,
    ]);
  });
});

describe('mostlySingleWords', () => {
  it('is true when at least half of the transcripts are one word each', () => {
    expect(mostlySingleWords(['five', 'three', ' left '])).toBe(true);
    expect(mostlySingleWords(['five', 'call me at noon'])).toBe(true);
    expect(mostlySingleWords(['five', 'call me', 'at noon'])).toBe(false);
    expect(mostlySingleWords(['the cat sat', 'on the mat'])).toBe(false);
  });

  it('is false for no transcripts, and an empty one is not a word', () => {
    expect(mostlySingleWords([])).toBe(false);
    expect(mostlySingleWords(['', '  ', 'go'])).toBe(false);
  });
});
