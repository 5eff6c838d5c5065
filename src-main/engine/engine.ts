/**
 * The engine's front door: a loaded model on an execution provider that turns WAV files (or
 * samples) into timed transcripts. Plain Node: the desktop app runs it in a utility process, the
 * CLI and tests in their own.
 */
import { probeAudio, readAudio } from './audio';
import { HarkError } from './errors';
import { AcousticModel } from './model/acoustic-model';
import { loadModelFolder, type ModelCard } from './model/model-folder';
import type { DeviceChoice } from './runtime/onnx-runtime';
import {
  MODEL_SAMPLE_RATE,
  transcribeStream,
  type StreamTranscript,
  type WindowingOptions,
} from './transcribe/transcribe-stream';
import type { Progress, ProviderReport, Transcript } from './types';

export interface EngineOptions {
  /** A model folder (model.onnx + tokens.txt [+ model.json]). */
  modelDir: string;
  /** Execution provider; default `auto`. */
  device?: DeviceChoice;
  /** Intra-op threads for ONNX Runtime; default one per physical core. */
  threads?: number;
  /** Window and context lengths for long audio; defaults 20 s and 2 s. */
  windowing?: Partial<WindowingOptions>;
}

export interface ModelInfo {
  name: string;
  /** Absolute path of the model folder. */
  path: string;
  vocabSize: number;
  subsamplingFactor: number;
  /** model.json contents (empty when the folder has none). */
  card: ModelCard;
}

export interface TranscribeOptions {
  /** Aborting rejects with HarkError CANCELLED within one window. */
  signal?: AbortSignal;
  /** Called before the first window, after each window, and with fraction 1 at the end. */
  onProgress?: (progress: Progress) => void;
}

/** Seconds of audio read from the file at a time. */
const READ_CHUNK_SEC = 5;

/**
 * @example
 * const engine = await Engine.create({ modelDir: 'models/base-en', device: 'auto', threads: 2 });
 * console.log(engine.device.provider); // e.g. 'cpu'
 * const transcript = await engine.transcribeFile('talk.wav', {
 *   onProgress: (p) => console.log(`${Math.round(p.fraction * 100)} %`),
 * });
 * console.log(transcript.text, transcript.segments[0]?.words[0]);
 * await engine.dispose();
 */
export class Engine {
  readonly model: ModelInfo;
  private readonly acoustic: AcousticModel;
  private readonly windowing: Partial<WindowingOptions>;
  private disposed = false;

  private constructor(acoustic: AcousticModel, windowing: Partial<WindowingOptions>) {
    this.acoustic = acoustic;
    this.windowing = windowing;
    const { folder } = acoustic;
    this.model = {
      name: folder.name,
      path: folder.path,
      vocabSize: folder.vocabSize,
      subsamplingFactor: folder.subsamplingFactor,
      card: folder.card,
    };
  }

  /** The execution provider that runs the model, and why the ones tried before it did not. */
  get device(): ProviderReport {
    return this.acoustic.device;
  }

  /**
   * Loads and validates a model folder and starts it on a provider. Errors: MODEL_NOT_FOUND,
   * MODEL_INVALID (naming the file and the problem), PROVIDER_UNAVAILABLE (an explicit device
   * that cannot start), INVALID_ARGUMENT (bad threads or windowing).
   *
   * @example
   * const engine = await Engine.create({ modelDir: 'models/base-en' });
   */
  static async create(options: EngineOptions): Promise<Engine> {
    const windowing = options.windowing ?? {};
    const { windowSec, contextSec } = windowing;
    if (windowSec !== undefined && !(windowSec >= 1 && windowSec <= 600)) {
      throw new HarkError(
        'INVALID_ARGUMENT',
        `windowSec must be between 1 and 600, got ${windowSec}`,
      );
    }
    if (contextSec !== undefined && !(contextSec >= 0 && contextSec <= 30)) {
      throw new HarkError(
        'INVALID_ARGUMENT',
        `contextSec must be between 0 and 30, got ${contextSec}`,
      );
    }
    const folder = await loadModelFolder(options.modelDir);
    const acoustic = await AcousticModel.open(folder, {
      ...(options.device === undefined ? {} : { device: options.device }),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    });
    return new Engine(acoustic, windowing);
  }

  /**
   * Transcribes a WAV file of any length, reading it in chunks at flat memory. Bad files reject
   * with a HarkError naming the file (FILE_NOT_FOUND, WAV_TRUNCATED, WAV_UNSUPPORTED_CODEC, ...).
   *
   * @example
   * const t = await engine.transcribeFile('meeting.wav', { signal: controller.signal });
   * console.log(t.audio.durationSec, t.realTimeFactor, t.timings.modelSec);
   */
  async transcribeFile(path: string, options: TranscribeOptions = {}): Promise<Transcript> {
    this.assertUsable();
    const started = performance.now();
    const info = await probeAudio(path);
    const chunks = readAudio(path, {
      targetSampleRate: MODEL_SAMPLE_RATE,
      chunkSec: READ_CHUNK_SEC,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const result = await this.run(chunks, info.durationSec, options, path);
    const totalSec = (performance.now() - started) / 1000;
    return {
      ...this.describe(result, totalSec, info.durationSec),
      audio: {
        path,
        durationSec: info.durationSec,
        sampleRate: info.sampleRate,
        channels: info.channels,
        format: info.format,
      },
    };
  }

  /**
   * Transcribes 16 kHz mono samples held in memory (short clips: a recording, a test). Long
   * arrays are still processed in windows.
   *
   * @example
   * const { text } = await engine.transcribeSamples(samples16k);
   */
  async transcribeSamples(
    samples: Float32Array,
    options: TranscribeOptions = {},
  ): Promise<Omit<Transcript, 'audio'>> {
    this.assertUsable();
    const started = performance.now();
    const durationSec = samples.length / MODEL_SAMPLE_RATE;
    if (samples.length === 0) {
      throw new HarkError('WAV_NO_SAMPLES', 'there are no samples to transcribe');
    }
    const result = await this.run(single(samples), durationSec, options, undefined);
    return this.describe(result, (performance.now() - started) / 1000, durationSec);
  }

  /** Releases the model's session. The engine cannot be used afterwards. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.acoustic.dispose();
  }

  private run(
    chunks: AsyncIterable<Float32Array>,
    durationSec: number,
    options: TranscribeOptions,
    file: string | undefined,
  ): Promise<StreamTranscript> {
    return transcribeStream(chunks, {
      model: this.acoustic,
      durationSec,
      windowing: this.windowing,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(file === undefined ? {} : { file }),
    });
  }

  private describe(
    result: StreamTranscript,
    totalSec: number,
    durationSec: number,
  ): Omit<Transcript, 'audio'> {
    return {
      text: result.text,
      segments: result.segments,
      model: { name: this.model.name, path: this.model.path },
      device: this.device,
      realTimeFactor: durationSec > 0 ? totalSec / durationSec : 0,
      timings: { ...result.timings, totalSec },
    };
  }

  private assertUsable(): void {
    if (this.disposed) throw new HarkError('INTERNAL', 'the engine was disposed');
  }
}

async function* single(samples: Float32Array): AsyncGenerator<Float32Array> {
  yield samples;
}
