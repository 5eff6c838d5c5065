/**
 * The base model's learning-rate schedule: linear warm-up to the peak, then decay with the inverse
 * square root of the step. Two things bend it:
 * - a re-warm: after AdamW's moments were reset (continuing from a shipped model) or after a
 *   cool-down ended, the rate ramps up again from zero over `rewarmSteps`, as the first updates of
 *   fresh moments are as large as the learning rate in every weight;
 * - a cool-down: from `cooldown.fromStep` the rate falls linearly to zero over `cooldown.steps`
 *   ("decay to zero"), which settles the weights into the minimum the noisy high-rate steps were
 *   bouncing around.
 */

export interface Cooldown {
  /** The last step before the decay (its rate is the schedule's own). */
  fromStep: number;
  /** Steps over which the rate falls to zero. */
  steps: number;
}

export interface LearningRateSchedule {
  peakLr: number;
  warmupSteps: number;
  /** Steps of the ramp after a re-warm. */
  rewarmSteps: number;
  /** The step from which the rate ramps up again, if it does. */
  rewarmFromStep?: number | undefined;
  cooldown?: Cooldown | undefined;
}

/** The learning rate of optimizer step `step` (1-based: the first update is step 1). */
export function learningRate(step: number, schedule: LearningRateSchedule): number {
  const s = Math.max(1, step);
  const { peakLr, warmupSteps, rewarmSteps, rewarmFromStep, cooldown } = schedule;
  const base = peakLr * Math.min(s / warmupSteps, Math.sqrt(warmupSteps / s));
  const rewarm =
    rewarmFromStep === undefined || s <= rewarmFromStep
      ? 1
      : Math.min(1, (s - rewarmFromStep) / rewarmSteps);
  const cool =
    cooldown === undefined || s <= cooldown.fromStep
      ? 1
      : Math.max(0, 1 - (s - cooldown.fromStep) / cooldown.steps);
  return base * rewarm * cool;
}

/** Whether a cool-down has taken its last step (training stops there). */
export function cooldownFinished(step: number, cooldown: Cooldown | undefined): boolean {
  return cooldown !== undefined && step >= cooldown.fromStep + cooldown.steps;
}
