import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAN_SETTINGS } from '../../../scripts/corpus/plan';
import { hashSeed, Random } from '../../../scripts/corpus/random';
import type { Sentence } from '../../../scripts/corpus/sentences';
import {
  buildShortTextSource,
  drawShortText,
  type ShortUtteranceSettings,
} from '../../../scripts/corpus/short-utterances';

function sentence(id: string, text: string): Sentence {
  return { id, text, spoken: text, wordCount: text.split(' ').length };
}

const settings = DEFAULT_PLAN_SETTINGS.shortUtterances;

function draws(
  sentences: Sentence[],
  options: { settings?: ShortUtteranceSettings; heldOut?: Set<string>; count?: number } = {},
) {
  const source = buildShortTextSource(sentences, options.settings ?? settings, options.heldOut);
  return Array.from({ length: options.count ?? 2000 }, (_, index) =>
    drawShortText(new Random(hashSeed(5, 'test', index)), source, options.settings ?? settings),
  );
}

describe('short utterances', () => {
  it('never says a held-out sentence, whichever kind would have', () => {
    const heldOut = new Set(['the old man', 'one two', 'sea']);
    const texts = draws(
      [sentence('a:1', 'the old man and the sea'), sentence('a:2', 'one two one two')],
      { heldOut },
    ).map((short) => short.text);
    for (const text of texts) expect(heldOut.has(text)).toBe(false);
    // Without the guard those come up.
    const unguarded = draws([
      sentence('a:1', 'the old man and the sea'),
      sentence('a:2', 'one two one two'),
    ]).map((short) => short.text);
    for (const text of heldOut) expect(unguarded).toContain(text);
  });

  it('takes a whole short sentence when a stretch would be longer than it', () => {
    const threeWords = {
      ...settings,
      kindWeights: { word: 0, twoWords: 0, threeWords: 1, digits: 0 },
    };
    const shorts = draws([sentence('b:1', 'go home')], { settings: threeWords, count: 50 });
    for (const short of shorts) {
      expect(short).toEqual({ sourceId: 'b:1@0+2', text: 'go home', wordCount: 2 });
    }
  });

  it('draws rarer words more than their share, and no lone letter but "i"', () => {
    const common = Array.from({ length: 99 }, (_, i) => sentence(`c:${i}`, 'the cat a dog'));
    const texts = draws([...common, sentence('c:99', 'i saw a zebra')], {
      settings: { ...settings, kindWeights: { word: 1, twoWords: 0, threeWords: 0, digits: 0 } },
    }).map((short) => short.text);
    expect(texts).not.toContain('a');
    expect(texts).toContain('i');
    // "zebra" is 1/100 as frequent as "cat": with count^0.5 it gets about a tenth of its draws.
    const zebra = texts.filter((text) => text === 'zebra').length;
    const cat = texts.filter((text) => text === 'cat').length;
    expect(zebra / cat).toBeGreaterThan(0.05);
    expect(zebra / cat).toBeLessThan(0.2);
  });

  it('refuses to draw from nothing', () => {
    expect(() => draws([], { count: 1 })).toThrow(/no words/);
  });
});
