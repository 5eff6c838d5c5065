import { describe, expect, it } from 'vitest';
import {
  chooseForCoverage,
  diphoneCoverage,
  diphonesOf,
  ENROLLMENT_PROMPTS,
  nextPrompts,
  parseEspeakPhonemes,
} from '../../../src-main/engine/prompts';
import { normalizeText } from '../../../src-main/engine/text/normalize';

const sentence = (text: string, phonemes: string) => ({
  text,
  source: 'test',
  phonemes: phonemes.split(' '),
});

describe('prompt selection for phonetic coverage', () => {
  it("reads espeak-ng's phoneme mnemonics without stress marks", () => {
    expect(parseEspeakPhonemes("D_@2 k_'a_t s_,a_t\n")).toEqual([
      'D',
      '@2',
      'k',
      'a',
      't',
      's',
      'a',
      't',
    ]);
    expect(diphonesOf(['a', 'b', 'c'])).toEqual(['a+b', 'b+c']);
  });

  it('picks first the sentence that adds the most new sounds per sound read', () => {
    const candidates = [
      sentence('repetitive', 'a b a b a b a b'),
      sentence('varied', 'a b c d e'),
      sentence('overlapping', 'a b c'),
      sentence('new tail', 'd e f g'),
    ];
    const chosen = chooseForCoverage(candidates, { count: 3, phonemeWeight: 3 });
    expect(chosen.map((c) => c.text)).toEqual(['varied', 'new tail', 'repetitive']);
    expect(chosen[0]).toMatchObject({ newPhonemes: 5, newDiphones: 4 });
    expect(chosen[1]).toMatchObject({ newPhonemes: 2, newDiphones: 2 });
    expect(diphoneCoverage(chosen.slice(0, 2), candidates)).toBeCloseTo(6 / 7);
  });

  it('ships a hundred distinct, readable prompts in coverage order', () => {
    expect(ENROLLMENT_PROMPTS).toHaveLength(100);
    expect(new Set(ENROLLMENT_PROMPTS.map((p) => p.id)).size).toBe(100);
    expect(new Set(ENROLLMENT_PROMPTS.map((p) => normalizeText(p.text))).size).toBe(100);
    for (const prompt of ENROLLMENT_PROMPTS) {
      const words = prompt.text.split(' ').length;
      expect(words).toBeGreaterThanOrEqual(5);
      expect(words).toBeLessThanOrEqual(14);
      expect(prompt.text).not.toMatch(/\d/);
    }
    expect(nextPrompts(3).map((p) => p.id)).toEqual(['p001', 'p002', 'p003']);
    expect(nextPrompts(2, new Set(['p001', 'p003'])).map((p) => p.id)).toEqual(['p002', 'p004']);
  });
});
