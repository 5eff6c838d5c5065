import { describe, expect, it } from 'vitest';
import {
  alignTokens,
  charErrorRate,
  countEdits,
  wordErrorRate,
} from '../../../src-main/engine/text/error-rate';
import { HarkError } from '../../../src-main/engine/errors';

/** Plain recursive Levenshtein distance, the reference the DP alignment is checked against. */
function bruteForceDistance(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  const substitution = bruteForceDistance(a.slice(1), b.slice(1)) + (a[0] === b[0] ? 0 : 1);
  const deletion = bruteForceDistance(a.slice(1), b) + 1;
  const insertion = bruteForceDistance(a, b.slice(1)) + 1;
  return Math.min(substitution, deletion, insertion);
}

describe('alignTokens', () => {
  it('labels each step of a known alignment', () => {
    const steps = alignTokens(['a', 'b', 'c'], ['a', 'x', 'c', 'd']);
    expect(steps.map((step) => step.operation)).toEqual([
      'match',
      'substitution',
      'match',
      'insertion',
    ]);
    expect(steps[1]).toEqual({ operation: 'substitution', reference: 'b', hypothesis: 'x' });
  });

  it('counts deletions at the start and insertions at the end', () => {
    const counts = countEdits(alignTokens(['x', 'y', 'a', 'b'], ['a', 'b', 'z']));
    expect(counts).toEqual({ hits: 2, substitutions: 0, deletions: 2, insertions: 1 });
  });

  it('handles empty sequences', () => {
    expect(countEdits(alignTokens([], ['a', 'b']))).toMatchObject({ insertions: 2 });
    expect(countEdits(alignTokens(['a', 'b'], []))).toMatchObject({ deletions: 2 });
    expect(alignTokens([], [])).toEqual([]);
  });

  it('finds the minimum edit count on random sequences (against brute force)', () => {
    let state = 12345;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const symbol = () => 'abc'[Math.floor(random() * 3)] as string;
    for (let trial = 0; trial < 200; trial += 1) {
      const a = Array.from({ length: Math.floor(random() * 7) }, symbol);
      const b = Array.from({ length: Math.floor(random() * 7) }, symbol);
      const steps = alignTokens(a, b);
      const counts = countEdits(steps);
      expect(counts.substitutions + counts.deletions + counts.insertions).toBe(
        bruteForceDistance(a, b),
      );
      // The alignment reproduces both sequences.
      expect(steps.filter((s) => s.reference !== undefined).map((s) => s.reference)).toEqual(a);
      expect(steps.filter((s) => s.hypothesis !== undefined).map((s) => s.hypothesis)).toEqual(b);
    }
  });
});

describe('wordErrorRate', () => {
  it('counts substitutions, deletions and insertions over a set', () => {
    const result = wordErrorRate(
      ['the cat sat on the mat', 'hello world'],
      ['the cat sit on mat', 'hello big world'],
    );
    expect(result).toMatchObject({
      substitutions: 1,
      deletions: 1,
      insertions: 1,
      hits: 6,
      errors: 3,
      referenceLength: 8,
      hypothesisLength: 8,
      pairs: 2,
    });
    expect(result.rate).toBeCloseTo(3 / 8, 12);
  });

  it('normalises both sides by default, and not when asked not to', () => {
    expect(wordErrorRate(['It costs $5.'], ['it costs five dollars']).errors).toBe(0);
    expect(
      wordErrorRate(['It costs $5.'], ['it costs five dollars'], { normalize: false }).errors,
    ).toBe(
      3, // It/it and $5./five substituted, dollars inserted
    );
  });

  it('can exceed 1 when the hypothesis inserts more words than the reference has', () => {
    expect(wordErrorRate(['yes'], ['no no no']).rate).toBe(3);
  });

  it('scores an empty reference as 0 when nothing was said, else 1', () => {
    expect(wordErrorRate([''], ['']).rate).toBe(0);
    expect(wordErrorRate([''], ['uh']).rate).toBe(1);
  });

  it('rejects sets of different sizes with a HarkError', () => {
    expect(() => wordErrorRate(['a', 'b'], ['a'])).toThrow(HarkError);
  });
});

describe('charErrorRate', () => {
  it('scores kitten → sitting as 3 edits over 6 characters', () => {
    const result = charErrorRate(['kitten'], ['sitting']);
    expect(result).toMatchObject({
      substitutions: 2,
      insertions: 1,
      deletions: 0,
      referenceLength: 6,
    });
    expect(result.rate).toBeCloseTo(0.5, 12);
  });

  it('counts the space between words as a character', () => {
    const result = charErrorRate(['ab cd'], ['abcd']);
    expect(result).toMatchObject({ deletions: 1, errors: 1, referenceLength: 5 });
  });
});
