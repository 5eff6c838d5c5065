/**
 * Recordings of one word each (spoken digits, commands) hold no boundary between words: a profile
 * fine-tuned on them alone learns to write fewer spaces, and runs the words of other people's
 * sentences together: a profile of 85 spoken digits (fsdd/jackson) wrote 6 % fewer words on 400
 * of cathy's sentences than the base model, with 58 % more deletions, and raised her WER by 2.7
 * points. Joining them in pairs, "five" + "three" → "five three", shows the model word boundaries
 * in the user's own voice: with every single word paired, the rise fell to 0.5 (README.md).
 *
 * The join is made on the frozen prefix's output (hidden-states.ts), the two recordings' hidden
 * states one after the other. With the default recipe the prefix is the subsampling alone, whose
 * view is a few frames wide: a pair is then nearly what it would give for the second word spoken
 * after the first's trailing silence (each recording's features are normalised on their own).
 * With frozen Conformer blocks (a base model without a rehearsal set trains only the top four),
 * their attention saw each word alone; the pairs still show the trained blocks a boundary.
 */
import { encodeCharacters } from '../dataset/character-tokens';
import { shuffleInPlace } from '../seeded-random';
import type { HiddenUtterance } from './hidden-states';
import type { ModelSplit } from './split-model';

/** Whether a transcript is a single word. */
export function isSingleWord(text: string): boolean {
  return text.trim().split(/\s+/).length === 1 && text.trim() !== '';
}

/**
 * Whether at least half of the transcripts are single words: a profile of spoken digits or
 * commands, which the recipe adapts less (`singleWordTrainableBlocks`, `rehearseShortUtterances`).
 *
 * @example
 * mostlySingleWords(['five', 'three', 'left']); // true
 * mostlySingleWords(['five', 'call me at noon']); // true: one of two
 */
export function mostlySingleWords(texts: readonly string[]): boolean {
  return texts.length > 0 && texts.filter(isSingleWord).length * 2 >= texts.length;
}

/**
 * Two utterances as one: hidden states (or features, when the subsampling trains) back to back,
 * texts joined by a space.
 */
export function joinUtterances(
  a: HiddenUtterance,
  b: HiddenUtterance,
  split: ModelSplit,
): HiddenUtterance {
  const hidden = new Float32Array(a.hidden.length + b.hidden.length);
  hidden.set(a.hidden, 0);
  hidden.set(b.hidden, a.hidden.length);
  const frames = a.frames + b.frames;
  const text = `${a.text.trim()} ${b.text.trim()}`;
  return {
    hidden,
    frames,
    // The suffix reads its length from feature frames: n cached features are n feature frames;
    // n cached hidden frames come from ⌈⌈4n/2⌉/2⌉ = n.
    featureFrames: split.trainSubsampling ? frames : frames * 4,
    labels: encodeCharacters(text),
    text,
    durationSec: a.durationSec + b.durationSec,
  };
}

/**
 * The training utterances with `share` of the single-word ones joined in pairs (chosen by
 * `random`); utterances of several words, and the singles left over, stay as they are. Returns
 * a new array; with fewer than two single words, the same utterances.
 *
 * @example
 * pairSingleWords(digits, seededRandom(3), 0.5); // 100 digits → 50 alone + 25 pairs
 */
export function pairSingleWords(
  utterances: readonly HiddenUtterance[],
  random: () => number,
  share: number,
  split: ModelSplit,
): HiddenUtterance[] {
  const singles = utterances.filter((u) => isSingleWord(u.text));
  if (!Number.isFinite(share)) return [...utterances];
  const pairs = Math.floor((singles.length * Math.min(1, Math.max(0, share))) / 2);
  if (pairs === 0) return [...utterances];
  const chosen = shuffleInPlace([...singles], random).slice(0, pairs * 2);
  const joined = new Set(chosen);
  const out = utterances.filter((u) => !joined.has(u));
  for (let p = 0; p < pairs; p++)
    out.push(joinUtterances(chosen[2 * p]!, chosen[2 * p + 1]!, split));
  return out;
}
