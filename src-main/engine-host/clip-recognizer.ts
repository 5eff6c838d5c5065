/**
 * Recognises short clips (enrollment's live words) in an engine process of its own, beside the
 * transcription engine: a long file being transcribed never delays it. The process starts on first
 * use (or `warmUp`), recognises with the model each clip names (greedy decoding, one thread; it
 * keeps the last model loaded), and goes away after a while without clips.
 */
import { ApiError } from '../api/api-error';
import type { ClipWord } from '../api/contract';
import type { EngineLauncher } from './engine-launcher';
import { EngineSupervisor } from './engine-supervisor';

export interface ClipRecognizerOptions {
  launch: EngineLauncher;
  /** The process stops after this long without a clip. Default 5 minutes. */
  idleMs?: number;
}

interface Waiting {
  run: () => void;
  reject: (error: Error) => void;
}

/**
 * @example
 * const clips = new ClipRecognizer({ launch });
 * const { words } = await clips.recognize(samples16k, 'models/base-en');
 */
export class ClipRecognizer {
  private readonly options: ClipRecognizerOptions;
  private engine: EngineSupervisor | undefined;
  private inFlight = false;
  private waiting: Waiting | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ClipRecognizerOptions) {
    this.options = options;
  }

  /** Starts the process with this model now, so the first clip does not wait for it. */
  warmUp(modelDir: string): void {
    this.engineFor(modelDir);
    this.touch();
  }

  /**
   * The words of a 16 kHz clip. One clip is recognised at a time; a clip that arrives while
   * another waits replaces it (the waiting one is answered CANCELLED): enrollment sends the
   * growing take every second and only the newest matters.
   */
  async recognize(
    samples: Float32Array,
    modelDir: string,
  ): Promise<{ text: string; words: ClipWord[] }> {
    await this.turn();
    try {
      const engine = this.engineFor(modelDir);
      return await engine.call('recognize', { samples, modelDir });
    } finally {
      this.inFlight = false;
      this.touch();
      const next = this.waiting;
      this.waiting = undefined;
      next?.run();
    }
  }

  /** Drops the process (a profile's model changed on disk); the next clip starts a new one. */
  reset(): void {
    const engine = this.engine;
    this.engine = undefined;
    void engine?.dispose();
  }

  async dispose(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.waiting?.reject(new ApiError('CANCELLED', 'the recogniser was shut down'));
    this.waiting = undefined;
    const engine = this.engine;
    this.engine = undefined;
    await engine?.dispose();
  }

  private turn(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = true;
      return Promise.resolve();
    }
    this.waiting?.reject(new ApiError('CANCELLED', 'a newer clip replaced this one'));
    return new Promise((resolve, reject) => {
      this.waiting = {
        run: () => {
          this.inFlight = true;
          resolve();
        },
        reject,
      };
    });
  }

  /** The process (started with this model; it loads another model when a clip asks for it). */
  private engineFor(modelDir: string): EngineSupervisor {
    if (this.engine && this.engine.status.state !== 'failed') return this.engine;
    void this.engine?.dispose();
    this.engine = new EngineSupervisor({
      launch: this.options.launch,
      interactive: true,
      initParams: () => ({ modelDir, device: 'cpu', threads: 1 }),
      maxConsecutiveCrashes: 2,
    });
    this.engine.start();
    return this.engine;
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.reset(), this.options.idleMs ?? 5 * 60_000);
    this.idleTimer.unref?.();
  }
}
