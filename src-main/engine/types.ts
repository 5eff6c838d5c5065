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

export interface Transcript {
  text: string;
  segments: Segment[];
  model: { name: string; path: string };
  device: ProviderReport;
  audio: { path: string; durationSec: number; sampleRate: number; channels: number; format: string };
  /** Wall time of the whole transcription divided by the audio duration. */
  realTimeFactor: number;
  /** Seconds spent per stage. */
  timings: { audioSec: number; featuresSec: number; modelSec: number; decodingSec: number; totalSec: number };
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
