import { describe, expect, it } from 'vitest';
import {
  anchorWeightFor,
  checkStepLimit,
  DEFAULT_RECIPE,
} from '../../../src-main/engine/profiles/finetune-recipe';

describe('the pull towards the base weights', () => {
  const recipe = { anchorWeight: 0.1, anchorReferenceMin: 4.5 };

  it('holds at the reference amount of audio and scales inversely with the amount', () => {
    expect(anchorWeightFor(recipe, 4.5 * 60)).toBeCloseTo(0.1);
    expect(anchorWeightFor(recipe, 45)).toBeCloseTo(0.6);
    expect(anchorWeightFor(recipe, 9 * 60)).toBeCloseTo(0.05);
  });

  it('scales at most ten times either way', () => {
    expect(anchorWeightFor(recipe, 5)).toBeCloseTo(1);
    expect(anchorWeightFor(recipe, 10 * 3600)).toBeCloseTo(0.01);
  });

  it('stays as given without a reference (runs of older versions) or without audio', () => {
    expect(anchorWeightFor({ ...recipe, anchorReferenceMin: 0 }, 45)).toBe(0.1);
    expect(anchorWeightFor(recipe, 0)).toBe(0.1);
    expect(anchorWeightFor({ anchorWeight: 0, anchorReferenceMin: 4.5 }, 45)).toBe(0);
  });

  it('is on by default, at 0.1 for about 100 of a reader’s sentences less those held back', () => {
    expect(DEFAULT_RECIPE.anchorReferenceMin).toBeGreaterThan(0);
    expect(anchorWeightFor(DEFAULT_RECIPE, 4.5 * 60)).toBeCloseTo(DEFAULT_RECIPE.anchorWeight);
  });
});

describe('the step limit', () => {
  it('takes a whole number of steps above zero, or null for none', () => {
    for (const maxSteps of [1, 160, null]) expect(() => checkStepLimit(maxSteps)).not.toThrow();
    for (const maxSteps of [0, -5, 2.5, Number.NaN, Infinity]) {
      expect(() => checkStepLimit(maxSteps)).toThrow(/step limit must be a whole number/);
    }
  });
});
