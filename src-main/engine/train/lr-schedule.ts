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

/** The part of a base-model run's saved state that the cool-down decisions read and write. */
export interface CooldownState {
  globalStep: number;
  /** The cool-down under way (or finished and not yet filed). */
  cooldown?: Cooldown;
  /** Finished cool-downs, oldest first. */
  pastCooldowns?: Cooldown[];
  /** The step after which the rate warmed up again when a cool-down had ended. */
  rewarmedAfterCooldownAtStep?: number;
}

/** What a run does about cool-downs: the state to train with, and what to log. */
export interface CooldownPlan {
  state: CooldownState;
  /** The run stops when its cool-down finishes. */
  endsWithCooldown: boolean;
  messages: string[];
}

/**
 * Decides, as a (resumed) run starts, what happens to the learning rate's cool-down:
 * - a cool-down under way carries on (a different `requestedSteps` is ignored, and said so);
 * - a finished one is filed under `pastCooldowns`, and the rate warms up again from this step;
 * - `requestedSteps` (`--cooldown-steps N`) then starts a new one from this step.
 * Returns a new state; `state` is not changed.
 *
 * @example
 * planCooldown({ globalStep: 100 }, 50).state.cooldown; // { fromStep: 100, steps: 50 }
 */
export function planCooldown(
  state: Readonly<CooldownState>,
  requestedSteps: number | undefined,
): CooldownPlan {
  const next: CooldownState = { ...state };
  const messages: string[] = [];
  const current = state.cooldown;
  if (current !== undefined && !cooldownFinished(state.globalStep, current)) {
    if (requestedSteps !== undefined && requestedSteps !== current.steps) {
      messages.push(`--cooldown-steps ${requestedSteps} ignored: a cool-down is under way`);
    }
    messages.push(
      `carrying on with the cool-down from step ${current.fromStep} over ${current.steps} steps`,
    );
    return { state: next, endsWithCooldown: true, messages };
  }
  if (current !== undefined) {
    next.pastCooldowns = [...(state.pastCooldowns ?? []), current];
    delete next.cooldown;
    next.rewarmedAfterCooldownAtStep = state.globalStep;
    messages.push(
      `a cool-down ended at step ${state.globalStep}: warming the learning rate up again`,
    );
  }
  if (requestedSteps === undefined) return { state: next, endsWithCooldown: false, messages };
  next.cooldown = { fromStep: state.globalStep, steps: requestedSteps };
  messages.push(
    `cool-down: learning rate to zero over ${requestedSteps} steps from step ${state.globalStep}`,
  );
  return { state: next, endsWithCooldown: true, messages };
}
