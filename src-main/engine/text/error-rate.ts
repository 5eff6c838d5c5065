/**
 * Word and character error rates by Levenshtein alignment: the fewest substitutions, deletions
 * and insertions that turn each reference into its hypothesis, summed over a set and divided by
 * the number of reference tokens.
 */
import { HarkError } from '../errors';
import { normalizeText } from './normalize';

export type EditOperation = 'match' | 'substitution' | 'deletion' | 'insertion';

export interface AlignmentStep<T> {
  operation: EditOperation;
  /** The reference token (absent for an insertion). */
  reference?: T;
  /** The hypothesis token (absent for a deletion). */
  hypothesis?: T;
}

export interface EditCounts {
  hits: number;
  substitutions: number;
  deletions: number;
  insertions: number;
}

export interface ErrorRate extends EditCounts {
  /** substitutions + deletions + insertions */
  errors: number;
  referenceLength: number;
  hypothesisLength: number;
  /** errors / referenceLength; with an empty reference, 0 when nothing was inserted, else 1. */
  rate: number;
  /** Number of reference/hypothesis pairs scored. */
  pairs: number;
}

export interface ErrorRateOptions {
  /** Pass both sides through `normalizeText` first (default true; normalising twice is harmless). */
  normalize?: boolean;
}

/**
 * A minimum-edit alignment of two token sequences. Among alignments of equal cost it prefers
 * matches and substitutions over deletion + insertion pairs.
 *
 * @example
 * alignTokens(['a', 'b', 'c'], ['a', 'x', 'c', 'd']).map((step) => step.operation);
 * // ['match', 'substitution', 'match', 'insertion']
 */
export function alignTokens<T>(
  reference: readonly T[],
  hypothesis: readonly T[],
): AlignmentStep<T>[] {
  const rows = reference.length + 1;
  const columns = hypothesis.length + 1;
  // cost[i * columns + j]: edits aligning reference[0..i) with hypothesis[0..j)
  const cost = new Uint32Array(rows * columns);
  for (let i = 0; i < rows; i += 1) cost[i * columns] = i;
  for (let j = 0; j < columns; j += 1) cost[j] = j;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < columns; j += 1) {
      const same = reference[i - 1] === hypothesis[j - 1];
      const diagonal = (cost[(i - 1) * columns + j - 1] as number) + (same ? 0 : 1);
      const up = (cost[(i - 1) * columns + j] as number) + 1;
      const left = (cost[i * columns + j - 1] as number) + 1;
      cost[i * columns + j] = Math.min(diagonal, up, left);
    }
  }
  const steps: AlignmentStep<T>[] = [];
  let i = reference.length;
  let j = hypothesis.length;
  while (i > 0 || j > 0) {
    const here = cost[i * columns + j] as number;
    if (i > 0 && j > 0) {
      const same = reference[i - 1] === hypothesis[j - 1];
      if (here === (cost[(i - 1) * columns + j - 1] as number) + (same ? 0 : 1)) {
        steps.push({
          operation: same ? 'match' : 'substitution',
          reference: reference[i - 1] as T,
          hypothesis: hypothesis[j - 1] as T,
        });
        i -= 1;
        j -= 1;
        continue;
      }
    }
    if (i > 0 && here === (cost[(i - 1) * columns + j] as number) + 1) {
      steps.push({ operation: 'deletion', reference: reference[i - 1] as T });
      i -= 1;
    } else {
      steps.push({ operation: 'insertion', hypothesis: hypothesis[j - 1] as T });
      j -= 1;
    }
  }
  return steps.reverse();
}

/**
 * Counts of each edit operation in an alignment.
 *
 * @example
 * countEdits(alignTokens(['a', 'b'], ['a', 'c', 'd'])); // { hits: 1, substitutions: 1, deletions: 0, insertions: 1 }
 */
export function countEdits<T>(steps: readonly AlignmentStep<T>[]): EditCounts {
  const counts: EditCounts = { hits: 0, substitutions: 0, deletions: 0, insertions: 0 };
  for (const step of steps) {
    if (step.operation === 'match') counts.hits += 1;
    else if (step.operation === 'substitution') counts.substitutions += 1;
    else if (step.operation === 'deletion') counts.deletions += 1;
    else counts.insertions += 1;
  }
  return counts;
}

function errorRate(
  references: readonly string[],
  hypotheses: readonly string[],
  tokenize: (text: string) => string[],
  options: ErrorRateOptions,
): ErrorRate {
  if (references.length !== hypotheses.length) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `${references.length} references but ${hypotheses.length} hypotheses: they must pair up`,
    );
  }
  const prepare = options.normalize === false ? (text: string) => text : normalizeText;
  const total: EditCounts = { hits: 0, substitutions: 0, deletions: 0, insertions: 0 };
  let referenceLength = 0;
  let hypothesisLength = 0;
  references.forEach((referenceText, index) => {
    const reference = tokenize(prepare(referenceText));
    const hypothesis = tokenize(prepare(hypotheses[index] as string));
    const counts = countEdits(alignTokens(reference, hypothesis));
    total.hits += counts.hits;
    total.substitutions += counts.substitutions;
    total.deletions += counts.deletions;
    total.insertions += counts.insertions;
    referenceLength += reference.length;
    hypothesisLength += hypothesis.length;
  });
  const errors = total.substitutions + total.deletions + total.insertions;
  const rate = referenceLength > 0 ? errors / referenceLength : errors > 0 ? 1 : 0;
  return { ...total, errors, referenceLength, hypothesisLength, rate, pairs: references.length };
}

function words(text: string): string[] {
  return text.split(/\s+/).filter((word) => word !== '');
}

function characters(text: string): string[] {
  return [...words(text).join(' ')];
}

/**
 * Word error rate of hypotheses against references (pairs at the same index), normalised with
 * `normalizeText` unless `normalize: false`.
 *
 * @example
 * wordErrorRate(['the cat sat'], ['the cat sat down']).rate; // 1 insertion / 3 words = 0.333…
 */
export function wordErrorRate(
  references: readonly string[],
  hypotheses: readonly string[],
  options: ErrorRateOptions = {},
): ErrorRate {
  return errorRate(references, hypotheses, words, options);
}

/**
 * Character error rate: the same alignment over characters, spaces between words included
 * (whitespace collapsed to single spaces, none at the ends).
 *
 * @example
 * charErrorRate(['kitten'], ['sitting']).rate; // 3 edits / 6 characters = 0.5
 */
export function charErrorRate(
  references: readonly string[],
  hypotheses: readonly string[],
  options: ErrorRateOptions = {},
): ErrorRate {
  return errorRate(references, hypotheses, characters, options);
}
