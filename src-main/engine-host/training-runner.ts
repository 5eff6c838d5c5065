/**
 * The app's one fine-tuning run at a time, in its own engine process (never in the host's event
 * loop): starts it, turns the engine's events into a TrainingState, cancels it, and when the
 * process dies mid-run lets the supervisor start a new one and resumes the run from its checkpoint
 * (the kept model is never touched by a run; see engine/profiles/finetune.ts).
 */
import { ApiError, toApiErrorInfo } from '../api/api-error';
import type { EngineMethods, TrainingEvent, TrainingResult, TrainingState } from '../api/contract';
import type { EngineLauncher } from './engine-launcher';
import { EngineCrashedError, EngineSupervisor } from './engine-supervisor';

/** Loss points kept in the state (older ones are dropped). */
const MAX_LOSS_POINTS = 200;

export interface TrainingJob {
  profile: string;
  profileFolder: string;
  baseModelDir: string;
  maxTrainingSec?: number;
  minimumData?: { recordings: number; speechSec: number };
}

export interface TrainingRunnerOptions {
  launch: EngineLauncher;
  /** Intra-op threads for training (0: the engine chooses). */
  threads?: () => number;
  /** How often a run may lose its process and resume before it fails. Default 3. */
  maxRestarts?: number;
  restartDelaysMs?: number[];
  onState: (state: TrainingState) => void;
  /** After a run ends (finished, failed, cancelled): the profile changed on disk. */
  onSettled?: (state: TrainingState) => void;
}

export function idleTrainingState(): TrainingState {
  return {
    phase: 'idle',
    profile: null,
    fraction: 0,
    step: 0,
    loss: null,
    losses: [],
    validations: [],
    elapsedSec: 0,
    restarts: 0,
  };
}

/**
 * @example
 * const runner = new TrainingRunner({ launch, onState: (s) => emit({ type: 'training-progress', state: s }) });
 * runner.start({ profile: 'Ada', profileFolder, baseModelDir });
 * runner.cancel();
 */
export class TrainingRunner {
  private readonly options: TrainingRunnerOptions;
  private current: TrainingState = idleTrainingState();
  private controller: AbortController | undefined;
  private engine: EngineSupervisor | undefined;
  private running: Promise<void> | undefined;

  constructor(options: TrainingRunnerOptions) {
    this.options = options;
  }

  get state(): TrainingState {
    return structuredClone(this.current);
  }

  /** A run is going on (or resuming). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** The training engine process's pid while a run goes on (tests kill it). */
  get pid(): number | undefined {
    return this.engine?.status.pid;
  }

  /** Starts a run; PROFILE_BUSY while another one goes on. */
  start(job: TrainingJob): TrainingState {
    if (this.running) {
      throw new ApiError(
        'PROFILE_BUSY',
        `a training run for "${this.current.profile}" is going on; cancel it or wait for it to end`,
      );
    }
    const controller = new AbortController();
    this.controller = controller;
    this.current = { ...idleTrainingState(), phase: 'preparing', profile: job.profile };
    this.publish();
    this.running = this.run(job, controller.signal).finally(() => {
      this.running = undefined;
      this.controller = undefined;
      const engine = this.engine;
      this.engine = undefined;
      void engine?.dispose();
      this.options.onSettled?.(this.state);
    });
    return this.state;
  }

  /** Stops the run after its current step; its checkpoint stays, so a new start resumes it. */
  cancel(): TrainingState {
    this.controller?.abort();
    return this.state;
  }

  /** Resolves when the current run (if any) has ended. */
  async whenSettled(): Promise<void> {
    await this.running;
  }

  async dispose(): Promise<void> {
    this.controller?.abort();
    await this.engine?.dispose();
    await this.running?.catch(() => undefined);
  }

  private async run(job: TrainingJob, signal: AbortSignal): Promise<void> {
    const engine = new EngineSupervisor({
      launch: this.options.launch,
      // fineTune loads what it needs itself: the process starts with no model.
      initParams: () => ({ modelDir: null, device: 'cpu', threads: 1 }),
      maxConsecutiveCrashes: this.options.maxRestarts ?? 3,
      ...(this.options.restartDelaysMs ? { restartDelaysMs: this.options.restartDelaysMs } : {}),
    });
    this.engine = engine;
    engine.start();
    const threads = this.options.threads?.() ?? 0;
    const params: EngineMethods['fineTune']['params'] = {
      profileFolder: job.profileFolder,
      baseModelDir: job.baseModelDir,
      ...(job.maxTrainingSec !== undefined ? { maxTrainingSec: job.maxTrainingSec } : {}),
      ...(job.minimumData ? { minimumData: job.minimumData } : {}),
      ...(threads > 0 ? { threads } : {}),
    };
    const maxRestarts = this.options.maxRestarts ?? 3;
    for (;;) {
      try {
        const result = await engine.call('fineTune', params, {
          signal,
          onTraining: (event) => this.receive(event),
        });
        this.finish(result);
        return;
      } catch (error) {
        if (signal.aborted) {
          this.settle(
            'cancelled',
            new ApiError('CANCELLED', 'training was cancelled; start it again to resume'),
          );
          return;
        }
        const crashed = error instanceof EngineCrashedError && !error.intentional;
        if (crashed && this.current.restarts < maxRestarts) {
          // The supervisor starts a new process; the run continues from its last checkpoint.
          this.current = {
            ...this.current,
            phase: 'resuming',
            restarts: this.current.restarts + 1,
          };
          this.publish();
          continue;
        }
        this.settle('failed', error);
        return;
      }
    }
  }

  private receive(event: TrainingEvent): void {
    const state = this.current;
    switch (event.type) {
      case 'preparing':
        this.current = { ...state, phase: 'preparing', fraction: event.fraction };
        break;
      case 'resumed':
        this.current = {
          ...state,
          phase: 'training',
          step: event.step,
          fraction: event.fraction,
          elapsedSec: event.elapsedSec,
          // The charts go on from the run's own history, not from the resume.
          losses: event.losses.slice(-MAX_LOSS_POINTS),
          validations: event.validations,
        };
        break;
      case 'step':
        this.current = {
          ...state,
          phase: 'training',
          step: event.step,
          loss: event.loss,
          fraction: event.fraction,
          elapsedSec: event.elapsedSec,
          losses: [...state.losses, { step: event.step, loss: event.loss }].slice(-MAX_LOSS_POINTS),
        };
        break;
      case 'validation':
        this.current = {
          ...state,
          phase: 'training',
          step: event.step,
          // The first validation ends the caching, whose fraction does not carry over.
          fraction: state.phase === 'training' ? state.fraction : 0,
          elapsedSec: event.elapsedSec,
          validations: [
            ...state.validations.filter((v) => v.step !== event.step),
            { step: event.step, wer: event.wer, cer: event.cer },
          ],
        };
        break;
    }
    this.publish();
  }

  private finish(result: TrainingResult): void {
    this.current = {
      ...this.current,
      phase: 'finished',
      fraction: 1,
      elapsedSec: result.trainingSec,
      result,
    };
    this.publish();
  }

  private settle(phase: 'failed' | 'cancelled', error: unknown): void {
    this.current = { ...this.current, phase, error: toApiErrorInfo(error) };
    this.publish();
  }

  private publish(): void {
    this.options.onState(this.state);
  }
}
