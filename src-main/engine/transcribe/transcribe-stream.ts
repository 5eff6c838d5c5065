/**
 * Audio of any length to a timed transcript, at flat memory: samples → overlapping windows →
 * log-mel features (normalised per window) → acoustic model → the central frames of each window
 * handed in order, with absolute frame numbers, to a decoder (greedy CTC, or one prefix beam search
 * for the whole file) → words → segments. Several decoders may read the same frames (evaluation:
 * the model runs once, greedy and beam search both decode its output).
 *
 * Why fixed windows with context rather than splitting at silences: the cut points do not depend
 * on the audio, so a file with no pauses (music under speech, a noisy room) is handled the same as
 * a quiet one, memory and latency per window are bounded, and output frames land on the same grid
 * a single pass would use. Context on both sides (2 s by default) gives the model what it hears
 * around a core edge; the frames it outputs for the context are dropped, so each frame is kept
 * exactly once and a word across a core edge is decoded once, from the window that owns it.
 *
 * Consequence of normalising per window: NeMo's per-feature normalisation (mean and deviation of
 * each mel bin) is computed over each window (core + context, about 24 s) rather than over the
 * whole file, as sherpa-onnx computes it per utterance. A clip shorter than one window is
 * processed exactly as sherpa-onnx would; in a long file, a window dominated by silence or by one
 * loud speaker normalises slightly differently from its neighbours, which can change a doubtful
 * word at the edge of a window but keeps every window on the statistics the model was trained on.
 *
 * A window of digital silence or steady noise (speech-presence.ts) is not shown to the model at
 * all: normalisation would stretch it to look like speech and the model would spell letters into
 * it. Its frames are blank, so a long pause costs nothing and yields nothing.
 */
import { WORD_BOUNDARY, wordsToSegments, type Vocabulary } from '../decode';
import { HarkError, isHarkError } from '../errors';
import { computeLogMel, DEFAULT_FEATURE_OPTIONS, normalizePerFeature } from '../features';
import type { AcousticModel, FrameLogProbs } from '../model/acoustic-model';
import type { Progress, Segment, Transcript } from '../types';
import { audioWindows } from './audio-windows';
import { GREEDY_DECODING, type PreparedDecoding } from './decoding';
import { blankFrames, createFrameDecoder } from './frame-decoders';
import { mightContainSpeech } from './speech-presence';

export const MODEL_SAMPLE_RATE = DEFAULT_FEATURE_OPTIONS.sampleRate;
const HOP_SAMPLES = (MODEL_SAMPLE_RATE * DEFAULT_FEATURE_OPTIONS.hopMs) / 1000;

export interface WindowingOptions {
  /** Seconds of audio each window keeps output for. Default 20. */
  windowSec: number;
  /** Seconds of audio heard on each side of a window's core. Default 2. */
  contextSec: number;
}

export const DEFAULT_WINDOWING: Readonly<WindowingOptions> = Object.freeze({
  windowSec: 20,
  contextSec: 2,
});

export interface TranscribeStreamOptions {
  model: AcousticModel;
  /** Audio seconds expected, for progress and ETA; undefined when unknown. */
  durationSec: number | undefined;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  windowing?: Partial<WindowingOptions>;
  /** The file being transcribed, for error messages. */
  file?: string;
  /**
   * How to decode; several decode the same model output, the first one gives the transcript.
   * Default: greedy only.
   */
  decodings?: readonly PreparedDecoding[];
  /**
   * Skip the model on windows of digital silence or steady noise (`mightContainSpeech`), giving
   * them blank frames. Default true.
   */
  skipNonSpeech?: boolean;
}

/** One decoder's reading of the file. */
export interface DecodedText {
  text: string;
  segments: Segment[];
  /** Seconds this decoder took. */
  decodingSec: number;
}

export interface StreamTranscript {
  text: string;
  segments: Segment[];
  /** Seconds of 16 kHz audio actually processed. */
  processedSec: number;
  /** Seconds per stage (decodingSec: the first decoder's); totalSec is filled in by the caller. */
  timings: Omit<Transcript['timings'], 'totalSec'>;
  /** Windows the model skipped as silence or steady noise, of `windows` in all. */
  skippedWindows: number;
  windows: number;
  /** Every decoder's result, in the order of `decodings` (the first is the transcript's). */
  decoded: DecodedText[];
}

function cancelled(file: string | undefined): HarkError {
  return new HarkError('CANCELLED', 'transcription cancelled', file === undefined ? {} : { file });
}

/** Measures the time spent waiting for each chunk. */
async function* timed(
  chunks: AsyncIterable<Float32Array>,
  timings: { audioSec: number },
): AsyncGenerator<Float32Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  try {
    for (;;) {
      const started = performance.now();
      const next = await iterator.next();
      timings.audioSec += (performance.now() - started) / 1000;
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}

class ProgressReporter {
  private readonly started = performance.now();

  constructor(
    private readonly durationSec: number | undefined,
    private readonly onProgress: ((progress: Progress) => void) | undefined,
  ) {}

  report(processedSec: number, done: boolean): void {
    if (!this.onProgress) return;
    const durationSec = done ? processedSec : Math.max(this.durationSec ?? 0, processedSec);
    const fraction = done ? 1 : durationSec > 0 ? Math.min(processedSec / durationSec, 0.999) : 0;
    const elapsedSec = (performance.now() - this.started) / 1000;
    const etaSec = done
      ? 0
      : processedSec > 0 && durationSec > 0
        ? (elapsedSec / processedSec) * (durationSec - processedSec)
        : undefined;
    this.onProgress({ fraction, etaSec, processedSec, durationSec });
  }
}

/**
 * Transcribes a stream of 16 kHz mono chunks. Progress is reported once before the first window
 * and after each window (fraction ends at exactly 1); `signal` is checked between windows, so an
 * abort stops the work within one window and rejects with HarkError CANCELLED.
 *
 * @example
 * const model = await AcousticModel.open(await loadModelFolder('models/base-en'));
 * const chunks = readAudio('talk.wav', { targetSampleRate: 16000, chunkSec: 5 });
 * const beam = await prepareDecoding({ method: 'beam', lmDir: 'models/lm-en' });
 * const { text, segments, decoded } = await transcribeStream(chunks, {
 *   model, durationSec: 3600, decodings: [beam, GREEDY_DECODING],
 * });
 * console.log(decoded[1]?.text); // the greedy reading of the same model output
 */
export async function transcribeStream(
  chunks: AsyncIterable<Float32Array>,
  options: TranscribeStreamOptions,
): Promise<StreamTranscript> {
  const { model, signal, file } = options;
  const { vocabulary, subsamplingFactor, normalizeType } = model.folder;
  const windowing = { ...DEFAULT_WINDOWING, ...options.windowing };
  const samplesPerFrame = HOP_SAMPLES * subsamplingFactor;
  const timings = { audioSec: 0, featuresSec: 0, modelSec: 0, decodingSec: 0 };
  const progress = new ProgressReporter(options.durationSec, options.onProgress);
  const frameSec = samplesPerFrame / MODEL_SAMPLE_RATE;
  const decodings = options.decodings?.length ? options.decodings : [GREEDY_DECODING];
  const decoders = decodings.map((decoding) =>
    createFrameDecoder(decoding, { vocabulary, frameSec }),
  );
  const decodingSec = decoders.map(() => 0);
  /** Runs each decoder on the frames, timing each. */
  const decode = (kept: Float32Array, numFrames: number, firstFrame: number): void => {
    decoders.forEach((decoder, index) => {
      const started = performance.now();
      decoder.push(kept, numFrames, firstFrame);
      decodingSec[index]! += (performance.now() - started) / 1000;
    });
  };

  const skipNonSpeech = options.skipNonSpeech ?? true;
  let windowCount = 0;
  let skippedWindows = 0;
  let previousSkipped = false;
  let processedSamples = 0;
  if (signal?.aborted) throw cancelled(file);
  progress.report(0, false);
  try {
    const windows = audioWindows(timed(chunks, timings), {
      sampleRate: MODEL_SAMPLE_RATE,
      windowSec: windowing.windowSec,
      contextSec: windowing.contextSec,
      alignSamples: samplesPerFrame,
      minLastCoreSec: Math.min(5, windowing.windowSec / 4),
    });
    for await (const window of windows) {
      if (signal?.aborted) throw cancelled(file);

      let started = performance.now();
      const features = computeLogMel(window.samples);
      const speech = !skipNonSpeech || mightContainSpeech(features);
      if (speech && normalizeType === 'per_feature') normalizePerFeature(features);
      timings.featuresSec += (performance.now() - started) / 1000;

      windowCount++;
      const windowFirstFrame = window.startSample / samplesPerFrame;
      const keepFrom = window.coreStartSample / samplesPerFrame - windowFirstFrame;
      started = performance.now();
      const output = speech
        ? await model.logProbs(features)
        : silentOutput(Math.floor(features.numFrames / subsamplingFactor), vocabulary, {
            wordEndFrame: windowCount > 1 && !previousSkipped ? keepFrom : undefined,
          });
      if (!speech) skippedWindows++;
      previousSkipped = !speech;
      timings.modelSec += (performance.now() - started) / 1000;

      const keepTo = window.isLast
        ? output.numFrames
        : Math.min(output.numFrames, window.coreEndSample / samplesPerFrame - windowFirstFrame);
      if (keepTo > keepFrom) {
        const kept = output.data.subarray(keepFrom * output.vocabSize, keepTo * output.vocabSize);
        decode(kept, keepTo - keepFrom, windowFirstFrame + keepFrom);
      }

      processedSamples = window.coreEndSample;
      progress.report(processedSamples / MODEL_SAMPLE_RATE, false);
    }
  } catch (error) {
    if (signal?.aborted && !(isHarkError(error) && error.code !== 'CANCELLED'))
      throw cancelled(file);
    throw error;
  }
  if (signal?.aborted) throw cancelled(file);

  const decoded = decoders.map((decoder, index): DecodedText => {
    const started = performance.now();
    const segments = wordsToSegments(decoder.finish());
    const text = segments.map((segment) => segment.text).join(' ');
    return {
      text,
      segments,
      decodingSec: decodingSec[index]! + (performance.now() - started) / 1000,
    };
  });
  const primary = decoded[0]!;
  timings.decodingSec = primary.decodingSec;

  const processedSec = processedSamples / MODEL_SAMPLE_RATE;
  progress.report(processedSec, true);
  return {
    text: primary.text,
    segments: primary.segments,
    processedSec,
    timings,
    decoded,
    skippedWindows,
    windows: windowCount,
  };
}

/**
 * Output for a window without speech: every frame certainly blank, except `wordEndFrame` (the first
 * frame the window keeps, after a window with speech): a certain word boundary there, where the
 * vocabulary has one as a token of its own. A word the speech before the pause left open ends
 * there; the decoders would otherwise carry it on to the first letters after the pause.
 */
function silentOutput(
  numFrames: number,
  vocabulary: Vocabulary,
  { wordEndFrame }: { wordEndFrame: number | undefined },
): FrameLogProbs {
  const data = blankFrames(numFrames, vocabulary);
  const boundary = vocabulary.idOf(WORD_BOUNDARY) ?? vocabulary.idOf(' ');
  if (wordEndFrame !== undefined && wordEndFrame < numFrames && boundary !== undefined) {
    const row = wordEndFrame * vocabulary.size;
    data[row + vocabulary.blankId] = -Infinity;
    data[row + boundary] = 0;
  }
  return { data, numFrames, vocabSize: vocabulary.size };
}
