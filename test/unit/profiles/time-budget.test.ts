import { describe, expect, it } from 'vitest';
import {
  budgetFraction,
  epochFitsBudget,
  RunClock,
} from '../../../src-main/engine/profiles/time-budget';

describe('epochFitsBudget', () => {
  const timings = { secPerStep: 1.5, validationSec: 1, finishSec: 2 };

  it('lets an epoch run when it, its validation and the ending fit', () => {
    // 100 + 9 × 1.5 + 1 (validation) + 1 (the result scored) + 2 (other voices) = 117.5
    expect(epochFitsBudget({ elapsedSec: 100, budgetSec: 120, stepsInEpoch: 9 }, timings)).toBe(
      true,
    );
  });

  it('stops before an epoch whose steps would end past the budget', () => {
    // 103 + 13.5 + 1 + 1 + 2 = 120.5
    expect(epochFitsBudget({ elapsedSec: 103, budgetSec: 120, stepsInEpoch: 9 }, timings)).toBe(
      false,
    );
  });

  it("counts the ending's scoring: without it the same epoch would fit", () => {
    const run = { elapsedSec: 103, budgetSec: 120, stepsInEpoch: 9 };
    expect(epochFitsBudget(run, { ...timings, finishSec: 0 })).toBe(true);
  });

  it('lets an epoch run before any step was timed, within the budget', () => {
    const untimed = { secPerStep: 0, validationSec: 0, finishSec: 0 };
    expect(epochFitsBudget({ elapsedSec: 50, budgetSec: 120, stepsInEpoch: 9 }, untimed)).toBe(
      true,
    );
    expect(epochFitsBudget({ elapsedSec: 121, budgetSec: 120, stepsInEpoch: 9 }, untimed)).toBe(
      false,
    );
  });
});

describe('budgetFraction', () => {
  const timings = { secPerStep: 0.7, validationSec: 4, finishSec: 16 };

  it('measures the time from the first step to where the ending must begin', () => {
    // Training may run from 20 s to 120 − 4 − 16 = 100 s.
    const at = (elapsedSec: number) =>
      budgetFraction({ elapsedSec, budgetSec: 120, trainingStartSec: 20 }, timings);
    expect(at(20)).toBe(0);
    expect(at(60)).toBeCloseTo(0.5, 12);
    expect(at(100)).toBe(1);
    expect(at(115)).toBe(1);
  });

  it('reaches its end sooner on a larger ending', () => {
    const run = { elapsedSec: 60, budgetSec: 120, trainingStartSec: 20 };
    expect(budgetFraction(run, { ...timings, finishSec: 36 })).toBeCloseTo(40 / 60, 12);
  });

  it('leaves the schedule to the epochs when preparing took the whole budget', () => {
    expect(
      budgetFraction({ elapsedSec: 130, budgetSec: 120, trainingStartSec: 125 }, timings),
    ).toBe(0);
  });
});

describe('RunClock', () => {
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('starts from what the run measured before training', () => {
    expect(new RunClock(0.8, 3).timings()).toEqual({
      secPerStep: 0,
      validationSec: 0.8,
      finishSec: 3,
    });
  });

  it('averages the steps with their checkpoint saves, and keeps the latest validation', async () => {
    const clock = new RunClock(5, 0);
    expect(await clock.step(() => wait(20).then(() => 'stepped'))).toBe('stepped');
    await clock.step(() => wait(20));
    await clock.overhead(() => wait(40));
    await clock.validation(() => wait(30));
    const timings = clock.timings();
    // (20 + 20 + 40) ms over 2 steps; timers may fire late, never early.
    expect(timings.secPerStep).toBeGreaterThanOrEqual(0.039);
    expect(timings.secPerStep).toBeLessThan(1);
    expect(timings.validationSec).toBeGreaterThanOrEqual(0.029);
    expect(timings.validationSec).toBeLessThan(1);
  });
});
