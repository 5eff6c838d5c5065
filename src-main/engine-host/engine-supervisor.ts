import { ApiError } from '../api/api-error';
import type {
  EngineInitParams,
  EngineMethod,
  EngineMethods,
  EngineReplyMessage,
  EngineStatus,
  Progress,
  TrainingEvent,
} from '../api/contract';
import type { EngineLauncher, EngineProcess } from './engine-launcher';

export interface EngineSupervisorOptions {
  launch: EngineLauncher;
  /** Read at every (re)start, so a settings change takes effect on the next start. */
  initParams: () => EngineInitParams | Promise<EngineInitParams>;
  /** Waits before restarting after the 1st, 2nd, ... crash in a row (the last one repeats). */
  restartDelaysMs?: number[];
  /** After this many crashes in a row without one successful call, the engine is marked failed. */
  maxConsecutiveCrashes?: number;
  onStatus?: (status: EngineStatus) => void;
  /** Start the process at normal priority (work a person waits on). */
  interactive?: boolean;
}

export interface CallOptions {
  onProgress?: (progress: Progress) => void;
  /** Events of a fineTune call. */
  onTraining?: (event: TrainingEvent) => void;
  signal?: AbortSignal;
}

interface PendingCall {
  method: EngineMethod;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  onProgress: ((progress: Progress) => void) | undefined;
  onTraining: ((event: TrainingEvent) => void) | undefined;
}

/** Thrown to callers whose work was lost because the engine process went away. */
export class EngineCrashedError extends ApiError {
  /** True when the host restarted the engine on purpose (settings change), not a crash. */
  readonly intentional: boolean;

  constructor(message: string, intentional: boolean) {
    super('ENGINE_CRASHED', message);
    this.intentional = intentional;
  }
}

/**
 * Owns the engine process: starts it, initialises it, forwards calls to it, and when it dies
 * unexpectedly rejects the calls in flight with ENGINE_CRASHED and starts a new one after a backoff.
 *
 * @example
 * const engine = new EngineSupervisor({ launch, initParams: () => ({ modelDir, device: 'auto', threads: 0 }) });
 * engine.start();
 * const { transcript } = await engine.call('transcribe', { path, waveformBuckets: 800 }, { onProgress });
 */
export class EngineSupervisor {
  private readonly options: EngineSupervisorOptions;
  private process: EngineProcess | undefined;
  private generation = 0;
  private nextCallId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private readyWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private consecutiveCrashes = 0;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private current: EngineStatus = {
    state: 'stopped',
    requestedDevice: 'auto',
    threads: 0,
    crashes: 0,
  };

  constructor(options: EngineSupervisorOptions) {
    this.options = options;
  }

  get status(): EngineStatus {
    return { ...this.current };
  }

  /** Starts the engine process unless it runs already. */
  start(): void {
    if (this.disposed || this.process) return;
    void this.launch();
  }

  /** Stops the engine process on purpose and starts a new one (after a settings change). */
  restart(): void {
    if (this.disposed) return;
    clearTimeout(this.restartTimer);
    this.consecutiveCrashes = 0;
    this.stopProcess(new EngineCrashedError('the engine restarted with new settings', true));
    void this.launch();
  }

  /** Resolves once the engine is ready; rejects when it failed to start. */
  whenReady(): Promise<void> {
    if (this.current.state === 'ready' || this.current.state === 'busy') return Promise.resolve();
    if (this.current.state === 'failed') {
      return Promise.reject(
        new ApiError('ENGINE_UNAVAILABLE', this.current.message ?? 'the engine could not start'),
      );
    }
    if (this.current.state === 'stopped') this.start();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  async call<M extends EngineMethod>(
    method: M,
    params: EngineMethods[M]['params'],
    options: CallOptions = {},
  ): Promise<EngineMethods[M]['result']> {
    options.signal?.throwIfAborted();
    await this.whenReady();
    options.signal?.throwIfAborted();
    const result = await this.send(method, params, options);
    this.consecutiveCrashes = 0;
    if (method === 'transcribe') {
      const { transcript } = result as EngineMethods['transcribe']['result'];
      this.update({ realTimeFactor: transcript.realTimeFactor });
    }
    return result as EngineMethods[M]['result'];
  }

  /** Kills the engine process (for good). */
  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.restartTimer);
    this.stopProcess(new ApiError('ENGINE_UNAVAILABLE', 'the engine was shut down'));
    this.rejectReadyWaiters(new ApiError('ENGINE_UNAVAILABLE', 'the engine was shut down'));
    this.update({ state: 'stopped' });
  }

  private send(method: EngineMethod, params: unknown, options: CallOptions): Promise<unknown> {
    const process = this.process;
    if (!process)
      return Promise.reject(new ApiError('ENGINE_UNAVAILABLE', 'the engine is not running'));
    const id = this.nextCallId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        method,
        resolve,
        reject,
        onProgress: options.onProgress,
        onTraining: options.onTraining,
      });
      if (method !== 'init') this.refreshBusy();
      options.signal?.addEventListener('abort', () => process.send({ kind: 'cancel', id }), {
        once: true,
      });
      process.send({ kind: 'request', id, method, params });
    });
  }

  private async launch(): Promise<void> {
    const generation = ++this.generation;
    let initParams: EngineInitParams;
    try {
      initParams = await this.options.initParams();
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
      return;
    }
    if (generation !== this.generation || this.disposed) return;
    this.update({
      state: this.current.state === 'restarting' ? 'restarting' : 'starting',
      requestedDevice: initParams.device,
      threads: initParams.threads,
      model: undefined,
      device: undefined,
    });
    let process: EngineProcess;
    try {
      process = this.options.launch(this.options.interactive ? { interactive: true } : {});
    } catch (error) {
      this.fail(
        `the engine process could not start: ${error instanceof Error ? error.message : error}`,
      );
      return;
    }
    this.process = process;
    this.update({ pid: process.pid });
    process.onMessage((message) => this.receive(message));
    process.onExit((exit) => this.exited(generation, exit));
    try {
      const ready = (await this.send('init', initParams, {})) as EngineMethods['init']['result'];
      if (generation !== this.generation) return;
      this.update({
        state: 'ready',
        model: ready.model ?? undefined,
        device: ready.device,
        message: undefined,
      });
      this.refreshBusy();
      for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
    } catch (error) {
      if (generation !== this.generation || error instanceof EngineCrashedError) return;
      this.stopProcess(new ApiError('ENGINE_UNAVAILABLE', 'the engine could not start'));
      const reason = error instanceof Error ? error.message : String(error);
      const file = error instanceof ApiError ? error.file : undefined;
      this.fail(file ? `${reason}: ${file}` : reason);
    }
  }

  private receive(message: EngineReplyMessage): void {
    if (message.kind === 'progress') {
      this.pending.get(message.id)?.onProgress?.(message.progress);
      return;
    }
    if (message.kind === 'training') {
      this.pending.get(message.id)?.onTraining?.(message.event);
      return;
    }
    if (message.kind !== 'reply') return;
    const call = this.pending.get(message.id);
    if (!call) return;
    this.pending.delete(message.id);
    if (message.reply.ok) call.resolve(message.reply.value);
    else call.reject(ApiError.from(message.reply.error));
    this.refreshBusy();
  }

  private exited(generation: number, exit: { code: number | null; signal: string | null }): void {
    if (generation !== this.generation || this.disposed) return;
    this.process = undefined;
    const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
    const message = `The engine process ${how}.`;
    this.rejectPending(new EngineCrashedError(message, false));
    if (this.current.state === 'failed') return;
    this.consecutiveCrashes += 1;
    const crashes = this.current.crashes + 1;
    const limit = this.options.maxConsecutiveCrashes ?? 5;
    if (this.consecutiveCrashes > limit) {
      this.update({ crashes });
      this.fail(
        `${message} It crashed ${this.consecutiveCrashes} times in a row and was not restarted.`,
      );
      return;
    }
    const delays = this.options.restartDelaysMs ?? [250, 1000, 3000, 10_000];
    const delay = delays[Math.min(this.consecutiveCrashes - 1, delays.length - 1)] ?? 1000;
    this.update({ state: 'restarting', crashes, message, pid: undefined });
    this.restartTimer = setTimeout(() => void this.launch(), delay);
  }

  private stopProcess(reason: Error): void {
    this.generation++;
    const process = this.process;
    this.process = undefined;
    this.rejectPending(reason);
    process?.kill();
  }

  private fail(message: string): void {
    this.update({ state: 'failed', message, pid: undefined });
    this.rejectReadyWaiters(new ApiError('ENGINE_UNAVAILABLE', message));
  }

  private rejectPending(error: Error): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(error);
  }

  private rejectReadyWaiters(error: Error): void {
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
  }

  private refreshBusy(): void {
    if (this.current.state !== 'ready' && this.current.state !== 'busy') return;
    const busy = [...this.pending.values()].some((call) => call.method !== 'init');
    const state = busy ? 'busy' : 'ready';
    if (state !== this.current.state) this.update({ state });
  }

  private update(change: Partial<EngineStatus>): void {
    const next = { ...this.current, ...change };
    for (const key of Object.keys(next) as (keyof EngineStatus)[]) {
      if (next[key] === undefined) delete next[key];
    }
    this.current = next;
    this.options.onStatus?.(this.status);
  }
}
