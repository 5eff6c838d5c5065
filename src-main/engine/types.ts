/** Shared engine data types: what a transcription produces. Times are in seconds. */

export interface Word {
  text: string;
  startSec: number;
  endSec: number;
  /** In [0, 1]: the mean posterior of the word's emitted tokens. */
  confidence: number;
}

export interface Segment {
  text: string;
  startSec: number;
  endSec: number;
  confidence: number;
  words: Word[];
}

export type ProviderName = 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';

export interface ProviderReport {
  /** The execution provider that runs the model. */
  provider: ProviderName;
  /** Why the others tried before it did not start (provider → reason). */
  rejected: { provider: ProviderName; reason: string }[];
}

/** Which decoder turned the model's output into words, and with what. */
export interface DecodingReport {
  method: 'greedy' | 'beam';
  /** Beam search only: hypotheses kept per frame. */
  beamWidth?: number;
  /** Beam search only: the n-gram LM fused into the search, or null without one. */
  languageModel?: { name: string; path: string } | null;
  /** Beam search with an LM: LM weight α and word bonus β (nats). */
  alpha?: number;
  beta?: number;
  /** Beam search only: how many hotword phrases were boosted. */
  hotwords?: number;
}

export interface Transcript {
  text: string;
  segments: Segment[];
  model: { name: string; path: string };
  device: ProviderReport;
  /** How the words were decoded (absent in transcripts saved before it was reported). */
  decoding?: DecodingReport;
  audio: {
    path: string;
    durationSec: number;
    sampleRate: number;
    channels: number;
    format: string;
  };
  /** Wall time of the whole transcription divided by the audio duration. */
  realTimeFactor: number;
  /** Seconds spent per stage. */
  timings: {
    audioSec: number;
    featuresSec: number;
    modelSec: number;
    decodingSec: number;
    totalSec: number;
  };
}

export interface Progress {
  /** In [0, 1]. */
  fraction: number;
  /** Seconds still to go, estimated; undefined until there is a basis. */
  etaSec: number | undefined;
  /** Audio seconds processed so far. */
  processedSec: number;
  durationSec: number;
}
