/**
 * The one text normalisation of Hark. Training transcripts, evaluation references and recognised
 * hypotheses all pass through `normalizeText`, so that they are compared (and the model is
 * trained) in one alphabet: lower-case a-z, the apostrophe inside words, and single spaces.
 *
 * It runs in two stages:
 * - `verbalize` says the text out loud in writing: numbers, currency, percentages, times,
 *   symbols and a few abbreviations become words; unicode quotes, dashes and accents fold to
 *   ASCII. Case and sentence punctuation stay, so a speech synthesizer can read the result with
 *   natural prosody and still say exactly the words of the label.
 * - `normalizeText` lower-cases that, turns hyphens and punctuation into spaces, keeps the
 *   apostrophe only between letters, and collapses whitespace.
 */
import {
  cardinalWords,
  decimalWords,
  fractionWords,
  ordinalWords,
  pluralOfNumberWords,
  yearWords,
} from './number-words';

/**
 * The characters of normalised text, in the order of the model's character vocabulary. A model's
 * `tokens.txt` writes the space as `SPACE_SYMBOL` ("▁") and appends the CTC blank last.
 *
 * @example
 * const tokens = [...CHARACTER_SET.map((c) => (c === ' ' ? SPACE_SYMBOL : c)), '<blk>'];
 */
export const CHARACTER_SET: readonly string[] = Object.freeze([
  ' ',
  ...'abcdefghijklmnopqrstuvwxyz',
  "'",
]);

/** How the space of `CHARACTER_SET` is written in a `tokens.txt` (SentencePiece convention). */
export const SPACE_SYMBOL = '▁';

/**
 * True when `text` is already normalised: only `CHARACTER_SET`, single spaces, no edge space.
 *
 * @example
 * isNormalized("don't stop"); // true
 * isNormalized('Stop!'); // false
 */
export function isNormalized(text: string): boolean {
  return text === normalizeText(text);
}

// ---------------------------------------------------------------------------------------------
// Unicode folding

const SINGLE_QUOTES = /[\u2018\u2019\u201A\u201B\u2032\u2035\u0060\u00B4\u02B9\u02BC\u02BB]/g;
const DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F\u2033\u2036\u00AB\u00BB\u301D\u301E]/g;
const HYPHENS = /[\u2010\u2011\u2012\u2043\u2212\uFE63\uFF0D]/g;
const DASHES = /[\u2013\u2014\u2015\u2E3A\u2E3B]/g;
const INVISIBLE = /[\u00AD\u200B-\u200D\u2060\uFEFF]/g;
const COMBINING_MARKS = /\p{M}+/gu;

/** Letters that unicode decomposition does not reduce to ASCII. */
const SPECIAL_LETTERS: Record<string, string> = {
  ß: 'ss',
  ẞ: 'SS',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'TH',
  ı: 'i',
  ĸ: 'k',
};
const SPECIAL_LETTER_PATTERN = new RegExp(`[${Object.keys(SPECIAL_LETTERS).join('')}]`, 'g');

/**
 * Folds typographic quotes, dashes, ligatures, full-width forms and accents to ASCII.
 *
 * @example
 * foldToAscii('“Café” – ﬁne'); // '"Cafe"  -  fine' (a dash becomes ' - ')
 */
export function foldToAscii(text: string): string {
  return text
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(SINGLE_QUOTES, "'")
    .replace(DOUBLE_QUOTES, '"')
    .replace(HYPHENS, '-')
    .replace(DASHES, ' - ')
    .replace(/\u2044/g, '/')
    .replace(SPECIAL_LETTER_PATTERN, (letter) => SPECIAL_LETTERS[letter] ?? letter)
    .normalize('NFD')
    .replace(COMBINING_MARKS, '');
}

// ---------------------------------------------------------------------------------------------
// Verbalisation: numbers, currency, symbols, abbreviations

const INTEGER = String.raw`\d{1,3}(?:,\d{3})+|\d+`;

function amountWords(integer: string | undefined, fraction: string | undefined): string {
  const whole = (integer ?? '').replace(/,/g, '');
  if (fraction !== undefined && fraction !== '') return decimalWords(whole, fraction);
  return cardinalWords(whole === '' ? '0' : whole);
}

interface CurrencyNames {
  one: string;
  many: string;
  hundredthOne: string;
  hundredthMany: string;
}

const CURRENCIES: Record<string, CurrencyNames> = {
  $: { one: 'dollar', many: 'dollars', hundredthOne: 'cent', hundredthMany: 'cents' },
  '£': { one: 'pound', many: 'pounds', hundredthOne: 'penny', hundredthMany: 'pence' },
  '€': { one: 'euro', many: 'euros', hundredthOne: 'cent', hundredthMany: 'cents' },
  '¥': { one: 'yen', many: 'yen', hundredthOne: 'sen', hundredthMany: 'sen' },
};

const SCALE_WORDS: Record<string, string> = {
  thousand: 'thousand',
  k: 'thousand',
  million: 'million',
  m: 'million',
  billion: 'billion',
  bn: 'billion',
  trillion: 'trillion',
};

const CURRENCY_PATTERN = new RegExp(
  String.raw`([$£€¥])\s?(${INTEGER})?(?:\.(\d+))?(?:\s?(thousand|million|billion|trillion|bn|k|m)\b)?`,
  'gi',
);

function currencyWords(
  symbol: string,
  integer: string | undefined,
  fraction: string | undefined,
  scale: string | undefined,
): string {
  const names = CURRENCIES[symbol] as CurrencyNames;
  if (scale) {
    const scaleWord = SCALE_WORDS[scale.toLowerCase()] ?? scale;
    return `${amountWords(integer, fraction)} ${scaleWord} ${names.many}`;
  }
  const whole = (integer ?? '0').replace(/,/g, '');
  if (fraction !== undefined && fraction.length > 2) {
    return `${amountWords(whole, fraction)} ${names.many}`;
  }
  const cents = fraction === undefined ? 0 : Number(fraction.padEnd(2, '0'));
  const parts: string[] = [];
  if (Number(whole) > 0 || cents === 0) {
    parts.push(`${cardinalWords(whole)} ${whole === '1' ? names.one : names.many}`);
  }
  if (cents > 0) {
    parts.push(
      `${cardinalWords(String(cents))} ${cents === 1 ? names.hundredthOne : names.hundredthMany}`,
    );
  }
  return parts.join(' ');
}

/** Abbreviations a reader expands, matched case-insensitively with their period. */
const ABBREVIATIONS: [pattern: RegExp, words: string][] = [
  [/\be\.g\./gi, 'for example'],
  [/\bi\.e\./gi, 'that is'],
  [/\bMrs\.(?=\s|$)/gi, 'Missus'],
  [/\bMr\.(?=\s|$)/gi, 'Mister'],
  [/\bMs\.(?=\s|$)/gi, 'Miz'],
  [/\bDr\.(?=\s|$)/gi, 'Doctor'],
  [/\bProf\.(?=\s|$)/gi, 'Professor'],
  [/\bJr\.(?=\s|$)/gi, 'Junior'],
  [/\bSr\.(?=\s|$)/gi, 'Senior'],
  [/\bSt\.(?=\s+[A-Z])/g, 'Saint'],
  [/\bvs\.(?=\s|$)/gi, 'versus'],
  [/\betc\./gi, 'et cetera.'],
  [/\bNo\.(?=\s*\d)/g, 'number'],
  [/#(?=\s*\d)/g, ' number '],
];

const SYMBOL_WORDS: [pattern: RegExp, words: string][] = [
  [/&/g, ' and '],
  [/@/g, ' at '],
  [/\+/g, ' plus '],
  [/=/g, ' equals '],
  [/%/g, ' percent '],
  [/°\s?C\b/g, ' degrees Celsius '],
  [/°\s?F\b/g, ' degrees Fahrenheit '],
  [/°/g, ' degrees '],
];

function timeWords(hours: string, minutes: string, followedByMeridiem: boolean): string {
  const hourWords = cardinalWords(String(Number(hours)));
  const minute = Number(minutes);
  if (minute === 0) return followedByMeridiem ? hourWords : `${hourWords} o'clock`;
  if (minute < 10) return `${hourWords} oh ${cardinalWords(String(minute))}`;
  return `${hourWords} ${cardinalWords(String(minute))}`;
}

/** Each numeric pattern, in the order they must be tried: the specific before the general. */
function verbalizeNumbers(text: string): string {
  return (
    text
      // "5pm", "10 a.m." → "5 p m" (the digits are read by a later pass)
      .replace(/(\d)\s?([ap])\.?m\.?(?![a-z])/gi, (_m, digit: string, letter: string) => {
        return `${digit} ${letter.toLowerCase()} m`;
      })
      .replace(CURRENCY_PATTERN, (match, symbol: string, integer, fraction, scale) => {
        if (integer === undefined && fraction === undefined) return match;
        return ` ${currencyWords(symbol, integer, fraction, scale)} `;
      })
      .replace(
        new RegExp(String.raw`(${INTEGER})?(?:\.(\d+))?\s?%`, 'g'),
        (match, integer: string | undefined, fraction: string | undefined) =>
          integer === undefined && fraction === undefined
            ? match
            : ` ${amountWords(integer, fraction)} percent `,
      )
      .replace(/\b(\d{1,2}):(\d{2})(?!\d)(\s?[ap] m\b)?/g, (match, h: string, m: string, mer) => {
        if (Number(h) > 24 || Number(m) > 59) return match;
        return `${timeWords(h, m, mer !== undefined)}${mer ?? ''}`;
      })
      // Letters glued to digits are read apart ("H2O", "mp3"), but not ordinal or plural suffixes.
      .replace(/([A-Za-z])(?=\d)/g, '$1 ')
      .replace(/(\d)(?=[A-Za-z])(?!(?:st|nd|rd|th|s)\b)/g, '$1 ')
      .replace(new RegExp(String.raw`\b(${INTEGER})(st|nd|rd|th)\b`, 'gi'), (_m, digits: string) =>
        ordinalWords(digits.replace(/,/g, '')),
      )
      .replace(/(?<![\d,.])(\d{4}|\d{2})'?s\b/g, (_m, digits: string) =>
        pluralOfNumberWords(digits.length === 4 ? yearWords(digits) : cardinalWords(digits)),
      )
      .replace(/(?<![\d/])(\d+)\/(\d+)(?![\d/])/g, (_m, top: string, bottom: string) => {
        return fractionWords(top, bottom) ?? `${top} ${bottom}`;
      })
      .replace(/\//g, ' ')
      .replace(/(^|[\s([{"'])-(?=\.?\d)/g, '$1minus ')
      .replace(
        new RegExp(String.raw`(?<![\w.])(${INTEGER})?\.(\d+)`, 'g'),
        (_m, integer: string | undefined, fraction: string) => amountWords(integer, fraction),
      )
      .replace(/(?<![\d,.])(1[1-9]\d\d|20\d\d)(?!\d|,\d{3}|\.\d)/g, (_m, digits: string) =>
        yearWords(digits),
      )
      .replace(new RegExp(String.raw`(?<!\d)(${INTEGER})(?!\d)`, 'g'), (_m, digits: string) =>
        cardinalWords(digits.replace(/,/g, '')),
      )
  );
}

/**
 * Writes a text as it is spoken, keeping case and sentence punctuation: unicode folded to ASCII,
 * numbers, currency, percentages, times, ordinals, years and symbols as words, common
 * abbreviations expanded. Feed this to a speech synthesizer so that the audio says exactly the
 * words that `normalizeText` yields for the label.
 *
 * @example
 * verbalize('In 1995, Dr. Smith paid $5.50 — 20% more!');
 * // 'In nineteen ninety five, Doctor Smith paid five dollars fifty cents - twenty percent more!'
 */
export function verbalize(text: string): string {
  let spoken = foldToAscii(text);
  for (const [pattern, words] of ABBREVIATIONS) spoken = spoken.replace(pattern, words);
  spoken = verbalizeNumbers(spoken);
  for (const [pattern, words] of SYMBOL_WORDS) spoken = spoken.replace(pattern, words);
  return spoken
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The normalised form of a text: `verbalize`, then lower case, hyphens and punctuation as
 * spaces, the apostrophe kept only inside words (don't, o'clock), whitespace collapsed. The
 * result uses only `CHARACTER_SET`. Normalising twice changes nothing.
 *
 * @example
 * normalizeText('“Don’t” pay $5 on the 21st — it’s 3.5% & well-known, café!');
 * // "don't pay five dollars on the twenty first it's three point five percent and well known cafe"
 */
export function normalizeText(text: string): string {
  return verbalize(text)
    .toLowerCase()
    .replace(/[^a-z']+/g, ' ')
    .replace(/(?<![a-z])'+|'+(?![a-z])/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
