/**
 * Numbers as English words, the way a reader says them aloud: cardinals of any size, ordinals,
 * years, decimals and digit strings. Every function returns lower-case words separated by single
 * spaces (no hyphens, no "and"), so the result is already in normalised form.
 */

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
/** Short-scale names of successive powers of 1000. */
const SCALES = [
  '',
  'thousand',
  'million',
  'billion',
  'trillion',
  'quadrillion',
  'quintillion',
  'sextillion',
  'septillion',
  'octillion',
  'nonillion',
  'decillion',
];

/** Irregular ordinal forms of the last word of a cardinal. */
const IRREGULAR_ORDINALS: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

function underThousand(value: number): string[] {
  const words: string[] = [];
  const hundreds = Math.floor(value / 100);
  const rest = value % 100;
  if (hundreds > 0) words.push(ONES[hundreds] as string, 'hundred');
  if (rest >= 20) {
    words.push(TENS[Math.floor(rest / 10)] as string);
    if (rest % 10 > 0) words.push(ONES[rest % 10] as string);
  } else if (rest > 0 || hundreds === 0) {
    words.push(ONES[rest] as string);
  }
  return words;
}

/**
 * Each digit as a word.
 *
 * @example
 * digitWords('007'); // 'zero zero seven'
 */
export function digitWords(digits: string): string {
  return [...digits]
    .filter((c) => c >= '0' && c <= '9')
    .map((c) => ONES[Number(c)] as string)
    .join(' ');
}

/**
 * A non-negative integer given as a digit string (any length) as cardinal words. Numbers beyond
 * the decillions, and strings with leading zeros ("007"), are read digit by digit.
 *
 * @example
 * cardinalWords('1234567'); // 'one million two hundred thirty four thousand five hundred sixty seven'
 */
export function cardinalWords(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new RangeError(`not a digit string: ${digits}`);
  if (digits.length > 1 && digits.startsWith('0')) return digitWords(digits);
  if (digits.length > SCALES.length * 3) return digitWords(digits);
  if (/^0+$/.test(digits)) return 'zero';
  const groups: number[] = [];
  for (let end = digits.length; end > 0; end -= 3) {
    groups.unshift(Number(digits.slice(Math.max(0, end - 3), end)));
  }
  const words: string[] = [];
  groups.forEach((group, index) => {
    if (group === 0) return;
    words.push(...underThousand(group));
    const scale = SCALES[groups.length - 1 - index];
    if (scale) words.push(scale);
  });
  return words.join(' ');
}

/**
 * Turns the last word of a cardinal into its ordinal.
 *
 * @example
 * ordinalFromCardinal('twenty one'); // 'twenty first'
 */
export function ordinalFromCardinal(cardinal: string): string {
  const words = cardinal.split(' ');
  const last = words.pop() ?? '';
  let ordinal: string;
  if (IRREGULAR_ORDINALS[last]) ordinal = IRREGULAR_ORDINALS[last];
  else if (last.endsWith('y')) ordinal = `${last.slice(0, -1)}ieth`;
  else ordinal = `${last}th`;
  return [...words, ordinal].join(' ');
}

/**
 * An ordinal number as words.
 *
 * @example
 * ordinalWords('21'); // 'twenty first'
 */
export function ordinalWords(digits: string): string {
  return ordinalFromCardinal(cardinalWords(digits.replace(/^0+(?=\d)/, '')));
}

/**
 * The plural of a number's last word, for decades and counts.
 *
 * @example
 * pluralOfNumberWords('nineteen eighty'); // 'nineteen eighties'
 * pluralOfNumberWords('six'); // 'sixes'
 */
export function pluralOfNumberWords(words: string): string {
  const parts = words.split(' ');
  const last = parts.pop() ?? '';
  let plural: string;
  if (last.endsWith('y')) plural = `${last.slice(0, -1)}ies`;
  else if (last.endsWith('x') || last.endsWith('s')) plural = `${last}es`;
  else plural = `${last}s`;
  return [...parts, plural].join(' ');
}

/**
 * A four-digit year as it is said: in pairs, with "hundred" and "oh", and "two thousand" for
 * 2000-2009. Years outside 1100-2099 and multiples of 1000 are read as cardinals.
 *
 * @example
 * yearWords('1984'); // 'nineteen eighty four'
 * yearWords('1905'); // 'nineteen oh five'
 * yearWords('2007'); // 'two thousand seven'
 */
export function yearWords(digits: string): string {
  const year = Number(digits);
  if (!/^\d{4}$/.test(digits) || year < 1100 || year > 2099 || year % 1000 === 0) {
    return cardinalWords(digits);
  }
  if (year >= 2000 && year < 2010) return cardinalWords(digits);
  const century = Math.floor(year / 100);
  const rest = year % 100;
  const head = cardinalWords(String(century));
  if (rest === 0) return `${head} hundred`;
  if (rest < 10) return `${head} oh ${ONES[rest]}`;
  return `${head} ${cardinalWords(String(rest))}`;
}

/**
 * A decimal number: the integer part as a cardinal, the fraction digit by digit.
 *
 * @example
 * decimalWords('3', '14'); // 'three point one four'
 */
export function decimalWords(integerDigits: string, fractionDigits: string): string {
  const head = integerDigits === '' ? '' : `${cardinalWords(integerDigits)} `;
  return `${head}point ${digitWords(fractionDigits)}`;
}

/** Denominators said as words in fractions ("3/4" → "three quarters"). */
const DENOMINATORS: Record<number, [singular: string, plural: string]> = {
  2: ['half', 'halves'],
  4: ['quarter', 'quarters'],
};

/**
 * A simple fraction as words; undefined when the denominator is not 2-10 (the caller then reads
 * the parts apart).
 *
 * @example
 * fractionWords('3', '4'); // 'three quarters'
 * fractionWords('5', '8'); // 'five eighths'
 */
export function fractionWords(numerator: string, denominator: string): string | undefined {
  const below = Number(denominator);
  if (!Number.isInteger(below) || below < 2 || below > 10) return undefined;
  const top = cardinalWords(numerator);
  const plural = Number(numerator) !== 1;
  const named = DENOMINATORS[below];
  const bottom = named ? named[plural ? 1 : 0] : `${ordinalWords(denominator)}${plural ? 's' : ''}`;
  return `${top} ${bottom}`;
}
