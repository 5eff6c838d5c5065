/**
 * How a fine-tuning run keeps to its time budget (`maxTrainingSec`, the user's wall time from
 * the start of the run to its result, caching included). Only a validation makes weights the
 * result, so steps after the last validation are wasted: before each epoch the run asks whether
 * the epoch, its validation and the run's ending (scoring the result, writing it) fit in what is
 * left, and stops there if they do not, instead of running into the budget part-way through an
 * epoch whose steps would never count.
 */

/** What the run has measured of its own speed so far. */
export interface RunTimings {
  /**
   * Seconds per train step, the mean over the steps this process ran with the checkpoints saved
   * between them; 0 before any.
   */
  secPerStep: number;
  /** Seconds of the latest validation (scoring the held-back recordings); 0 before any. */
  validationSec: number;
  /** Seconds the run's ending takes besides: scoring the result on other voices. */
  finishSec: number;
}

/**
 * Whether an epoch of `stepsInEpoch` steps, its validation and the run's ending fit in the
 * budget. Before any step was timed (a resumed run's first epoch) the estimate is only what is
 * known, so the epoch runs and the per-step check during it holds the budget.
 *
 * @example
 * epochFitsBudget({ elapsedSec: 110, budgetSec: 120, stepsInEpoch: 9 },
 *   { secPerStep: 1.5, validationSec: 1, finishSec: 2 }); // false: 110 + 13.5 + 1 + 1 + 2 > 120
 */
export function epochFitsBudget(
  run: { elapsedSec: number; budgetSec: number; stepsInEpoch: number },
  timings: RunTimings,
): boolean {
  const epochSec = run.stepsInEpoch * timings.secPerStep + timings.validationSec;
  // The result is scored on the held-back recordings once more at the end: one validation more.
  const endingSec = timings.validationSec + timings.finishSec;
  return run.elapsedSec + epochSec + endingSec <= run.budgetSec;
}

/**
 * How far a run is through the time its budget leaves for training, from 0 at its first step to
 * 1 where its ending (one more validation, scoring on other voices) must begin. The learning
 * rate decays by whichever is further along, this or the planned epochs, so a run that the
 * budget will cut short still anneals before it ends instead of stopping at a high rate. A
 * budget that leaves no time for training (preparing took it all: the first epoch runs anyway)
 * gives 0, leaving the schedule to the epochs.
 *
 * @example
 * budgetFraction({ elapsedSec: 60, budgetSec: 120, trainingStartSec: 20 },
 *   { secPerStep: 0.7, validationSec: 4, finishSec: 16 }); // 0.5: 40 s of the 80 s from 20 to 100
 */
export function budgetFraction(
  run: { elapsedSec: number; budgetSec: number; trainingStartSec: number },
  timings: RunTimings,
): number {
  const trainingSpanSec =
    run.budgetSec - timings.validationSec - timings.finishSec - run.trainingStartSec;
  if (trainingSpanSec <= 0) return 0;
  return Math.min(1, Math.max(0, (run.elapsedSec - run.trainingStartSec) / trainingSpanSec));
}

/** Collects `RunTimings` as the run goes. */
export class RunClock {
  private stepSecTotal = 0;
  private steps = 0;
  /**
   * @param validationSec how long scoring the held-back recordings took before training, if known
   * @param finishSec how long scoring the result on other voices takes (0 when it does not)
   */
  constructor(
    private validationSec: number,
    private readonly finishSec: number,
  ) {}

  /** Times one train step and returns its result. */
  async step<T>(work: () => Promise<T>): Promise<T> {
    const { result, sec } = await timed(work);
    this.stepSecTotal += sec;
    this.steps++;
    return result;
  }

  /**
   * Times work that comes with the steps (saving a checkpoint): spread over them, as it is over
   * an epoch.
   */
  async overhead<T>(work: () => Promise<T>): Promise<T> {
    const { result, sec } = await timed(work);
    this.stepSecTotal += sec;
    return result;
  }

  /** Times one validation and returns its result. */
  async validation<T>(work: () => Promise<T>): Promise<T> {
    const { result, sec } = await timed(work);
    this.validationSec = sec;
    return result;
  }

  timings(): RunTimings {
    return {
      secPerStep: this.steps > 0 ? this.stepSecTotal / this.steps : 0,
      validationSec: this.validationSec,
      finishSec: this.finishSec,
    };
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; sec: number }> {
  const started = performance.now();
  const result = await work();
  return { result, sec: (performance.now() - started) / 1000 };
}
