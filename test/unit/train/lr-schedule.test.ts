import { describe, expect, it } from 'vitest';
import {
  cooldownFinished,
  learningRate,
  planCooldown,
} from '../../../src-main/engine/train/lr-schedule';

const schedule = { peakLr: 1e-3, warmupSteps: 300, rewarmSteps: 100 };

describe('learningRate', () => {
  it('warms up linearly to the peak, then decays with the inverse square root', () => {
    expect(learningRate(1, schedule)).toBeCloseTo(1e-3 / 300, 12);
    expect(learningRate(150, schedule)).toBeCloseTo(5e-4, 12);
    expect(learningRate(300, schedule)).toBeCloseTo(1e-3, 12);
    expect(learningRate(1200, schedule)).toBeCloseTo(5e-4, 12);
    expect(learningRate(0, schedule)).toBe(learningRate(1, schedule));
  });

  it('ramps up again from zero over rewarmSteps after a re-warm', () => {
    const rewarmed = { ...schedule, rewarmFromStep: 1200 };
    expect(learningRate(1200, rewarmed)).toBeCloseTo(5e-4, 12);
    expect(learningRate(1201, rewarmed)).toBeCloseTo(learningRate(1201, schedule) / 100, 12);
    expect(learningRate(1250, rewarmed)).toBeCloseTo(learningRate(1250, schedule) / 2, 12);
    expect(learningRate(1300, rewarmed)).toBe(learningRate(1300, schedule));
    expect(learningRate(5000, rewarmed)).toBe(learningRate(5000, schedule));
  });

  it('falls linearly to zero over a cool-down and stays there', () => {
    const cooling = { ...schedule, cooldown: { fromStep: 1200, steps: 400 } };
    expect(learningRate(1200, cooling)).toBe(learningRate(1200, schedule));
    expect(learningRate(1300, cooling)).toBeCloseTo(learningRate(1300, schedule) * 0.75, 12);
    expect(learningRate(1400, cooling)).toBeCloseTo(learningRate(1400, schedule) * 0.5, 12);
    expect(learningRate(1600, cooling)).toBe(0);
    expect(learningRate(2000, cooling)).toBe(0);
    for (let s = 1201; s <= 1600; s++) {
      expect(learningRate(s, cooling)).toBeLessThan(learningRate(s - 1, cooling));
    }
  });

  it('combines a re-warm with a cool-down that starts at the same step', () => {
    const both = { ...schedule, rewarmFromStep: 1200, cooldown: { fromStep: 1200, steps: 400 } };
    const s = 1250;
    const expected = learningRate(s, schedule) * 0.5 * (1 - 50 / 400);
    expect(learningRate(s, both)).toBeCloseTo(expected, 12);
  });
});

describe('cooldownFinished', () => {
  it('is true from the cool-down’s last step on, and never without one', () => {
    const cooldown = { fromStep: 100, steps: 50 };
    expect(cooldownFinished(149, cooldown)).toBe(false);
    expect(cooldownFinished(150, cooldown)).toBe(true);
    expect(cooldownFinished(151, cooldown)).toBe(true);
    expect(cooldownFinished(10_000, undefined)).toBe(false);
  });
});

describe('planCooldown', () => {
  it('starts a requested cool-down from the current step, and none without a request', () => {
    const started = planCooldown({ globalStep: 500 }, 200);
    expect(started.endsWithCooldown).toBe(true);
    expect(started.state.cooldown).toEqual({ fromStep: 500, steps: 200 });
    expect(started.messages).toEqual([
      'cool-down: learning rate to zero over 200 steps from step 500',
    ]);
    const plain = planCooldown({ globalStep: 500 }, undefined);
    expect(plain).toEqual({ state: { globalStep: 500 }, endsWithCooldown: false, messages: [] });
  });

  it('carries on with a cool-down under way, ignoring a different request and saying so', () => {
    const state = { globalStep: 550, cooldown: { fromStep: 500, steps: 200 } };
    const resumed = planCooldown(state, 300);
    expect(resumed.endsWithCooldown).toBe(true);
    expect(resumed.state.cooldown).toEqual({ fromStep: 500, steps: 200 });
    expect(resumed.messages[0]).toBe('--cooldown-steps 300 ignored: a cool-down is under way');
    expect(planCooldown(state, 200).messages).toHaveLength(1);
    expect(planCooldown(state, undefined).endsWithCooldown).toBe(true);
  });

  it('files a finished cool-down and warms up again, then starts a requested one', () => {
    const state = {
      globalStep: 700,
      cooldown: { fromStep: 500, steps: 200 },
      pastCooldowns: [{ fromStep: 100, steps: 50 }],
    };
    const after = planCooldown(state, undefined);
    expect(after.endsWithCooldown).toBe(false);
    expect(after.state.cooldown).toBeUndefined();
    expect(after.state.pastCooldowns).toEqual([
      { fromStep: 100, steps: 50 },
      { fromStep: 500, steps: 200 },
    ]);
    expect(after.state.rewarmedAfterCooldownAtStep).toBe(700);
    // The state passed in is left as it was.
    expect(state.cooldown).toEqual({ fromStep: 500, steps: 200 });
    const again = planCooldown(state, 100);
    expect(again.state.cooldown).toEqual({ fromStep: 700, steps: 100 });
    expect(again.state.pastCooldowns).toHaveLength(2);
    expect(again.endsWithCooldown).toBe(true);
    expect(again.messages).toHaveLength(2);
  });
});
