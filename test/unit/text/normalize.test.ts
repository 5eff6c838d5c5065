import { describe, expect, it } from 'vitest';
import {
  CHARACTER_SET,
  SPACE_SYMBOL,
  foldToAscii,
  isNormalized,
  normalizeText,
  verbalize,
} from '../../../src-main/engine/text/normalize';
import {
  cardinalWords,
  fractionWords,
  ordinalWords,
  yearWords,
} from '../../../src-main/engine/text/number-words';

describe('number words', () => {
  it.each([
    ['0', 'zero'],
    ['7', 'seven'],
    ['13', 'thirteen'],
    ['40', 'forty'],
    ['99', 'ninety nine'],
    ['100', 'one hundred'],
    ['101', 'one hundred one'],
    ['1000', 'one thousand'],
    ['1001', 'one thousand one'],
    ['20000', 'twenty thousand'],
    ['1234567', 'one million two hundred thirty four thousand five hundred sixty seven'],
    ['1000000000', 'one billion'],
    ['3000000000000', 'three trillion'],
    ['1000000000000000000', 'one quintillion'],
    ['007', 'zero zero seven'],
  ])('cardinal %s → %s', (digits, words) => {
    expect(cardinalWords(digits)).toBe(words);
  });

  it('reads numbers beyond the named scales digit by digit', () => {
    const digits = '1'.repeat(40);
    expect(cardinalWords(digits)).toBe(Array(40).fill('one').join(' '));
  });

  it.each([
    ['1', 'first'],
    ['2', 'second'],
    ['3', 'third'],
    ['5', 'fifth'],
    ['8', 'eighth'],
    ['9', 'ninth'],
    ['11', 'eleventh'],
    ['12', 'twelfth'],
    ['20', 'twentieth'],
    ['21', 'twenty first'],
    ['42', 'forty second'],
    ['100', 'one hundredth'],
    ['1000000', 'one millionth'],
  ])('ordinal %s → %s', (digits, words) => {
    expect(ordinalWords(digits)).toBe(words);
  });

  it.each([
    ['1984', 'nineteen eighty four'],
    ['1900', 'nineteen hundred'],
    ['1905', 'nineteen oh five'],
    ['1066', 'one thousand sixty six'],
    ['1200', 'twelve hundred'],
    ['2000', 'two thousand'],
    ['2007', 'two thousand seven'],
    ['2019', 'twenty nineteen'],
  ])('year %s → %s', (digits, words) => {
    expect(yearWords(digits)).toBe(words);
  });

  it.each([
    ['1', '2', 'one half'],
    ['3', '2', 'three halves'],
    ['3', '4', 'three quarters'],
    ['2', '3', 'two thirds'],
    ['5', '8', 'five eighths'],
    ['1', '10', 'one tenth'],
  ])('fraction %s/%s → %s', (top, bottom, words) => {
    expect(fractionWords(top, bottom)).toBe(words);
  });

  it('leaves unusual denominators to the caller', () => {
    expect(fractionWords('12', '25')).toBeUndefined();
  });
});

describe('normalizeText', () => {
  it.each([
    // case, punctuation, whitespace
    ['Hello,   World!', 'hello world'],
    ['  Tabs\tand\nnewlines  ', 'tabs and newlines'],
    ['What?! No... (really) [yes]; {ok}: "fine"', 'what no really yes ok fine'],
    // apostrophes
    ["Don't stop, it's five o'clock.", "don't stop it's five o'clock"],
    ["'Tis the dogs' bone, rock 'n' roll", 'tis the dogs bone rock n roll'],
    ['They’re “quoted” ‘here’', "they're quoted here"],
    ["''double'' apostrophes", 'double apostrophes'],
    // hyphens and dashes
    ['well-known twenty-one', 'well known twenty one'],
    ['wait—what – now', 'wait what now'],
    ['non\u2011breaking\u00adsoft', 'non breakingsoft'],
    // accents and letters
    ['Café Naïve Zoë Ångström façade', 'cafe naive zoe angstrom facade'],
    ['Straße Æsop œuvre Øresund Łódź', 'strasse aesop oeuvre oresund lodz'],
    ['ﬁne ｆｕｌｌwidth', 'fine fullwidth'],
    ['Greek αβγ is dropped', 'greek is dropped'],
    // numbers
    ['There are 32 students', 'there are thirty two students'],
    ['1,000,000 people', 'one million people'],
    ['3.5 miles', 'three point five miles'],
    ['pi is 3.14159', 'pi is three point one four one five nine'],
    ['.5 and 0.25', 'point five and zero point two five'],
    ['-5 and −3.2 degrees', 'minus five and minus three point two degrees'],
    ['pages 10-20', 'pages ten twenty'],
    ['the 21st century', 'the twenty first century'],
    ['my 2nd, 3rd and 4th tries', 'my second third and fourth tries'],
    ['In 1984 and 1905', 'in nineteen eighty four and nineteen oh five'],
    ['since 2000 and 2007', 'since two thousand and two thousand seven'],
    ['by 2023.', 'by twenty twenty three'],
    ['the 1990s and 80s', 'the nineteen nineties and eighties'],
    ['H2O and mp3', 'h two o and mp three'],
    ['½ cup and 3/4 mile', 'one half cup and three quarters mile'],
    // currency and percent
    ['$5', 'five dollars'],
    ['$1', 'one dollar'],
    ['$5.50', 'five dollars fifty cents'],
    ['$0.99', 'ninety nine cents'],
    ['$1.5 million', 'one point five million dollars'],
    ['$2bn', 'two billion dollars'],
    ['£3 and €1', 'three pounds and one euro'],
    ['¥500', 'five hundred yen'],
    ['20% off', 'twenty percent off'],
    ['3.5 %', 'three point five percent'],
    // times
    ['at 10:30 and 9:05', 'at ten thirty and nine oh five'],
    ['at 3:00', "at three o'clock"],
    ['from 8am to 5 p.m.', 'from eight a m to five p m'],
    // symbols and abbreviations
    ['salt & pepper', 'salt and pepper'],
    ['AT&T', 'at and t'],
    ['me@home', 'me at home'],
    ['Mr. and Mrs. Smith met Dr. Who', 'mister and missus smith met doctor who'],
    ['St. Paul vs. Rome etc.', 'saint paul versus rome et cetera'],
    ['No. 5 and #1', 'number five and number one'],
    ['100°C', 'one hundred degrees celsius'],
    ['U.S.A.', 'u s a'],
    ['', ''],
    ['?!', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it('is idempotent and stays inside CHARACTER_SET', () => {
    const samples = [
      '“Don’t” pay $5 on the 21st — it’s 3.5% & well-known, café!',
      'The 1990s: H2O, mp3, ½ cup, 12/25/2020 at 10:30 a.m.',
      "rock 'n' roll o'clock dogs' '80s",
    ];
    const allowed = new Set(CHARACTER_SET);
    for (const sample of samples) {
      const once = normalizeText(sample);
      expect(normalizeText(once)).toBe(once);
      expect(isNormalized(once)).toBe(true);
      for (const character of once) expect(allowed.has(character)).toBe(true);
      expect(once).not.toMatch(/^ | $| {2}/);
    }
    expect(isNormalized('Not Normal')).toBe(false);
  });
});

describe('verbalize', () => {
  it('keeps case and sentence punctuation while saying numbers', () => {
    expect(verbalize('In 1995, Dr. Smith paid $5.50 — 20% more!')).toBe(
      'In nineteen ninety five, Doctor Smith paid five dollars fifty cents - twenty percent more!',
    );
  });

  it('normalises to the same words as the raw text', () => {
    const raw = 'On May 21st, 2019, Mrs. Brown spent £3.20 & 15% of her 1,500 “points”.';
    expect(normalizeText(verbalize(raw))).toBe(normalizeText(raw));
    expect(verbalize(raw)).not.toMatch(/\d/);
  });

  it('folds unicode punctuation to ASCII', () => {
    expect(foldToAscii('“a” ‘b’ c—d')).toBe('"a" \'b\' c - d');
  });
});

describe('CHARACTER_SET', () => {
  it('is space, a-z and the apostrophe, each once', () => {
    expect(CHARACTER_SET).toHaveLength(28);
    expect(new Set(CHARACTER_SET).size).toBe(28);
    expect(CHARACTER_SET[0]).toBe(' ');
    expect(CHARACTER_SET.slice(1, 27).join('')).toBe('abcdefghijklmnopqrstuvwxyz');
    expect(CHARACTER_SET).toContain("'");
    expect(SPACE_SYMBOL).toBe('▁');
  });
});
