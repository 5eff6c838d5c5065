/**
 * The engine's front door: a loaded model on an execution provider that turns WAV files (or
 * samples) into timed transcripts. Plain Node: the desktop app runs it in a utility process, the
 * CLI and tests in their own.
 */
import { probeAudio, readAudio } from './audio';
import type { Hotword } from './decode/beam';
import { HarkError } from './errors';
import { AcousticModel } from './model/acoustic-model';
import { loadModelFolder, type ModelCard } from './model/model-folder';
import type { DeviceChoice } from './runtime/onnx-runtime';
import {
  decodingReport,
  GREEDY_DECODING,
  prepareDecoding,
  withExtraHotwords,
  type DecodingOptions,
  type PreparedDecoding,
} from './transcribe/decoding';
import type { DecodingMethod } from './transcribe/decoding-defaults';
import {
  MODEL_SAMPLE_RATE,
  transcribeStream,
  type StreamTranscript,
  type WindowingOptions,
} from './transcribe/transcribe-stream';
import type { DecodingReport, Progress, ProviderReport, Segment, Transcript } from './types';

export interface EngineOptions {
  /** A model folder (model.onnx + tokens.txt [+ model.json]). */
  modelDir: string;
  /** Execution provider; default `auto`. */
  device?: DeviceChoice;
  /** Intra-op threads for ONNX Runtime; default one per physical core. */
  threads?: number;
  /** Window and context lengths for long audio; defaults 20 s and 2 s. */
  windowing?: Partial<WindowingOptions>;
  /**
   * Greedy or beam search (with an LM from `lmDir`, loaded once here, and hotwords for every
   * file). Default: greedy.
   */
  decoding?: DecodingOptions;
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
  /** Hotwords for this file, on top of the engine's (beam decoding only). */
  hotwords?: readonly (string | Hotword)[];
  /**
   * Also decode the same model output these ways (evaluation: the model runs once); 'beam' uses
   * the engine's beam settings and LM when it has them, else the default beam without an LM.
   * The results are in `alternatives`.
   */
  compareWith?: readonly DecodingMethod[];
  /**
   * Skip the model on windows of digital silence or steady noise (speech-presence.ts); they
   * give no words. Default true; false runs the model on every window, for speech so quiet or
   * so buried in a steady hum that the gate mistakes it for noise.
   */
  skipNonSpeech?: boolean;
}

/** Another decoder's reading of the same model output (see TranscribeOptions.compareWith). */
export interface AlternativeDecoding {
  decoding: DecodingReport;
  text: string;
  segments: Segment[];
  /** Seconds this decoder took (compare with timings.modelSec). */
  decodingSec: number;
}

/** A transcript, with other decoders' readings when they were asked for. */
export type EngineTranscript<T extends Partial<Transcript> = Transcript> = T & {
  alternatives?: AlternativeDecoding[];
};

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
  private readonly decoding: PreparedDecoding;
  private disposed = false;

  private constructor(
    acoustic: AcousticModel,
    windowing: Partial<WindowingOptions>,
    decoding: PreparedDecoding,
  ) {
    this.acoustic = acoustic;
    this.windowing = windowing;
    this.decoding = decoding;
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

  /** How this engine decodes (method, LM, α, β, beam width, hotword count). */
  get decodingInfo(): DecodingReport {
    return decodingReport(this.decoding);
  }

  /**
   * Loads and validates a model folder and starts it on a provider. Errors: MODEL_NOT_FOUND,
   * MODEL_INVALID (naming the file and the problem), PROVIDER_UNAVAILABLE (an explicit device
   * that cannot start), INVALID_ARGUMENT (bad threads, windowing or decoding). A language model
   * is loaded (before the acoustic model) once, for every file this engine reads.
   *
   * @example
   * const engine = await Engine.create({
   *   modelDir: 'models/base-en',
   *   decoding: { method: 'beam', lmDir: 'models/lm-en', hotwords: ['siobhan'] },
   * });
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
    const decoding = await prepareDecoding(options.decoding);
    const folder = await loadModelFolder(options.modelDir);
    const acoustic = await AcousticModel.open(folder, {
      ...(options.device === undefined ? {} : { device: options.device }),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    });
    return new Engine(acoustic, windowing, decoding);
  }

  /**
   * Transcribes a WAV file of any length, reading it in chunks at flat memory. Bad files reject
   * with a HarkError naming the file (FILE_NOT_FOUND, WAV_TRUNCATED, WAV_UNSUPPORTED_CODEC, ...).
   *
   * @example
   * const t = await engine.transcribeFile('meeting.wav', { signal: controller.signal });
   * console.log(t.audio.durationSec, t.realTimeFactor, t.timings.modelSec, t.decoding?.method);
   */
  async transcribeFile(path: string, options: TranscribeOptions = {}): Promise<EngineTranscript> {
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
  ): Promise<EngineTranscript<Omit<Transcript, 'audio'>>> {
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

  /** The decodings of one call: the engine's (with this file's hotwords), then the compared ones. */
  private decodingsFor(options: TranscribeOptions): PreparedDecoding[] {
    const primary = withExtraHotwords(this.decoding, options.hotwords ?? []);
    const compared = (options.compareWith ?? []).map((method) => {
      if (method === 'greedy') return GREEDY_DECODING;
      if (method === 'beam' && this.decoding.method === 'beam') return this.decoding;
      if (method === 'beam') return { ...GREEDY_DECODING, method: 'beam' as const };
      throw new HarkError('INVALID_ARGUMENT', `unknown decoding method "${String(method)}"`);
    });
    return [primary, ...compared];
  }

  private async run(
    chunks: AsyncIterable<Float32Array>,
    durationSec: number,
    options: TranscribeOptions,
    file: string | undefined,
  ): Promise<{ stream: StreamTranscript; decodings: PreparedDecoding[] }> {
    const decodings = this.decodingsFor(options);
    const stream = await transcribeStream(chunks, {
      model: this.acoustic,
      durationSec,
      windowing: this.windowing,
      decodings,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.skipNonSpeech === undefined ? {} : { skipNonSpeech: options.skipNonSpeech }),
      ...(file === undefined ? {} : { file }),
    });
    return { stream, decodings };
  }

  private describe(
    { stream, decodings }: { stream: StreamTranscript; decodings: PreparedDecoding[] },
    totalSec: number,
    durationSec: number,
  ): EngineTranscript<Omit<Transcript, 'audio'>> {
    const alternatives = stream.decoded.slice(1).map((decoded, index): AlternativeDecoding => ({
      decoding: decodingReport(decodings[index + 1]!),
      text: decoded.text,
      segments: decoded.segments,
      decodingSec: decoded.decodingSec,
    }));
    return {
      text: stream.text,
      segments: stream.segments,
      model: { name: this.model.name, path: this.model.path },
      device: this.device,
      decoding: decodingReport(decodings[0]!),
      realTimeFactor: durationSec > 0 ? totalSec / durationSec : 0,
      timings: { ...stream.timings, totalSec },
      ...(alternatives.length > 0 ? { alternatives } : {}),
    };
  }

  private assertUsable(): void {
    if (this.disposed) throw new HarkError('INTERNAL', 'the engine was disposed');
  }
}

async function* single(samples: Float32Array): AsyncGenerator<Float32Array> {
  yield samples;
}
