/**
 * Keeps the CMU ARCTIC prompts out of the training text. The real-speech test set `cathy` reads
 * those prompts, so a sentence equal or close to one of them would let the model (or a language
 * model) remember rather than recognise. Compared on normalised words:
 * - exact: the same words;
 * - near: a word edit distance below `maxEditRatio` of the longer sentence, or one of the
 *   two (at least `minContainedWords` long) appearing whole inside the other.
 */
import { alignTokens, countEdits } from '../../src-main/engine/text/error-rate';

export type ArcticMatch = 'exact' | 'near';

export interface ArcticMatcherOptions {
  /** Word edit distance, as a fraction of the longer sentence, from which on it is not near. */
  maxEditRatio?: number;
  /** Shortest sentence whose presence inside another counts as near. */
  minContainedWords?: number;
}

export interface ArcticMatcher {
  /** How a normalised sentence relates to the prompts: 'exact', 'near', or undefined. */
  match(normalizedSentence: string): ArcticMatch | undefined;
  readonly promptCount: number;
}

function bigrams(words: readonly string[]): string[] {
  if (words.length === 1) return [words[0] as string];
  const pairs: string[] = [];
  for (let i = 0; i + 1 < words.length; i += 1) pairs.push(`${words[i]} ${words[i + 1]}`);
  return pairs;
}

function containsRun(longer: readonly string[], shorter: readonly string[]): boolean {
  outer: for (let start = 0; start + shorter.length <= longer.length; start += 1) {
    for (let k = 0; k < shorter.length; k += 1) {
      if (longer[start + k] !== shorter[k]) continue outer;
    }
    return true;
  }
  return false;
}

/**
 * Builds a matcher over normalised prompt texts; candidates are found through shared word
 * bigrams, so matching a sentence costs a few alignments, not one per prompt.
 *
 * @example
 * const matcher = createArcticMatcher(['will we ever forget it']);
 * matcher.match('will we ever forget it'); // 'exact'
 * matcher.match('will we never forget it'); // 'near'
 */
export function createArcticMatcher(
  normalizedPrompts: readonly string[],
  options: ArcticMatcherOptions = {},
): ArcticMatcher {
  const maxEditRatio = options.maxEditRatio ?? 0.25;
  const minContainedWords = options.minContainedWords ?? 5;
  const prompts = normalizedPrompts.map((prompt) => prompt.split(' ').filter(Boolean));
  const exact = new Set(prompts.map((words) => words.join(' ')));
  const byBigram = new Map<string, number[]>();
  prompts.forEach((words, index) => {
    for (const pair of new Set(bigrams(words))) {
      const list = byBigram.get(pair) ?? [];
      list.push(index);
      byBigram.set(pair, list);
    }
  });

  return {
    promptCount: prompts.length,
    match(normalizedSentence: string): ArcticMatch | undefined {
      const words = normalizedSentence.split(' ').filter(Boolean);
      if (words.length === 0) return undefined;
      if (exact.has(words.join(' '))) return 'exact';
      const candidates = new Set<number>();
      for (const pair of bigrams(words)) {
        for (const index of byBigram.get(pair) ?? []) candidates.add(index);
      }
      for (const index of candidates) {
        const prompt = prompts[index] as string[];
        const [shorter, longer] = prompt.length <= words.length ? [prompt, words] : [words, prompt];
        if (shorter.length >= minContainedWords && containsRun(longer, shorter)) return 'near';
        // The edit distance is at least the length difference: skip hopeless alignments.
        if (longer.length - shorter.length >= maxEditRatio * longer.length) continue;
        const counts = countEdits(alignTokens(prompt, words));
        const edits = counts.substitutions + counts.deletions + counts.insertions;
        if (edits < maxEditRatio * longer.length) return 'near';
      }
      return undefined;
    },
  };
}
