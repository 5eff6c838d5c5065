/**
 * Short utterances: a word said on its own, or two or three words in a row. Sentences of three
 * words and more never teach a model what a lone word sounds like between two silences (a
 * model trained on them alone heard fsdd's "zero" as "there" and "one" as "i"), and people do say
 * single words and short commands to a recognizer.
 *
 * A lone word is drawn from the training sentences' vocabulary with weight count^exponent (below 1,
 * rarer words get more than their share, so the set is not all "the" and "of"); a run of two or
 * three words is a stretch of one training sentence, so it keeps natural word sequences; one to
 * four digits read out one by one (a code, a phone number) are a kind of their own, as the
 * sentences spell few numbers that way. Only training sentences are used, so no test or dev
 * sentence is spoken.
 */
import { normalizeText } from '../../src-main/engine/text/normalize';
import type { Random } from './random';
import type { Sentence } from './sentences';

/** Digits as people read out a number, a code or a phone number, one word each. */
const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

export interface ShortUtteranceSettings {
  /** Hours of short utterances planned per requested hour of training sentences (`--hours`). */
  shareOfTrain: number;
  /** Relative weights of a lone word, a run of two or three words, and one to four digits. */
  kindWeights: { word: number; twoWords: number; threeWords: number; digits: number };
  /** A lone word is drawn with weight (its count in the training sentences)^exponent. */
  frequencyExponent: number;
  /** Silence a synthesizer puts around a short utterance, for the duration estimate. */
  paddingSec: number;
}

/** A short utterance's words: `text` is its label, and also what the synthesizer reads. */
export interface ShortText {
  /**
   * `word:<word>` for a lone word, `<sentence id>@<first word>+<count>` for a stretch, `digits` for
   * digits.
   */
  sourceId: string;
  text: string;
  wordCount: number;
}

/** What short utterances are drawn from, built once per plan. */
export interface ShortTextSource {
  sentences: readonly Sentence[];
  /** Dev and test sentences: a short utterance never says one of them. */
  heldOut: ReadonlySet<string>;
  words: readonly string[];
  /** Cumulative draw weights of `words`. */
  cumulative: Float64Array;
}

/**
 * Words a synthesizer says alone as their label says: two letters or more ("a" alone is read as
 * the letter's name), or "i".
 */
function speakableAlone(word: string): boolean {
  return (word.length >= 2 || word === 'i') && normalizeText(word) === word;
}

/**
 * @example
 * const source = buildShortTextSource(trainSentences, settings, heldOutTexts);
 * drawShortText(new Random(7), source, settings); // { sourceId: 'word:river', text: 'river', ... }
 */
export function buildShortTextSource(
  sentences: readonly Sentence[],
  settings: ShortUtteranceSettings,
  heldOut: ReadonlySet<string> = new Set(),
): ShortTextSource {
  const counts = new Map<string, number>();
  for (const sentence of sentences) {
    for (const word of sentence.text.split(' ')) {
      if (speakableAlone(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  // Sorted, so that the source does not depend on the order words were met in.
  const words = [...counts.keys()].sort();
  const cumulative = new Float64Array(words.length);
  let total = 0;
  words.forEach((word, index) => {
    total += (counts.get(word) as number) ** settings.frequencyExponent;
    cumulative[index] = total;
  });
  return { sentences, heldOut, words, cumulative };
}

function drawWord(random: Random, source: ShortTextSource): string {
  const { cumulative, words } = source;
  const target = random.next() * (cumulative[cumulative.length - 1] as number);
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((cumulative[middle] as number) > target) high = middle;
    else low = middle + 1;
  }
  return words[low] as string;
}

/** One short utterance's words. */
export function drawShortText(
  random: Random,
  source: ShortTextSource,
  settings: ShortUtteranceSettings,
): ShortText {
  if (source.words.length === 0) throw new RangeError('no words to draw short utterances from');
  const kind = random.weighted(settings.kindWeights);
  if (kind === 'digits') {
    const count = random.integer(1, 4);
    const text = Array.from({ length: count }, () => random.pick(DIGITS)).join(' ');
    if (!source.heldOut.has(text)) return { sourceId: 'digits', text, wordCount: count };
  }
  if (kind !== 'word') {
    const wanted = kind === 'twoWords' ? 2 : 3;
    const sentence = random.pick(source.sentences);
    const words = sentence.text.split(' ');
    const count = Math.min(wanted, words.length);
    const first = random.integer(0, words.length - count);
    const stretch = words.slice(first, first + count);
    const text = stretch.join(' ');
    // At either end a lone letter ("it was a") may be read as the letter's name.
    const edgesSpeakable = [stretch[0], stretch[stretch.length - 1]].every(
      (word) => word !== undefined && (word.length >= 2 || word === 'i'),
    );
    if (edgesSpeakable && normalizeText(text) === text && !source.heldOut.has(text)) {
      return { sourceId: `${sentence.id}@${first}+${count}`, text, wordCount: count };
    }
  }
  // What cannot be said as drawn (or would say a held-out sentence) becomes a lone word.
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const word = drawWord(random, source);
    if (!source.heldOut.has(word)) return { sourceId: `word:${word}`, text: word, wordCount: 1 };
  }
  throw new RangeError('every word drawn for a short utterance is a held-out sentence');
}
