/**
 * Hark's engine, as hosts (the desktop app's engine process, the CLI, scripts) use it. Plain
 * Node: nothing here imports electron.
 *
 * @example
 * import { Engine } from './engine';
 * const engine = await Engine.create({
 *   modelDir: 'models/base-en',
 *   decoding: { method: 'beam', lmDir: 'models/lm-en' },
 * });
 * const transcript = await engine.transcribeFile('talk.wav');
 * console.log(transcript.text, transcript.decoding);
 */
export {
  Engine,
  type AlternativeDecoding,
  type EngineOptions,
  type EngineTranscript,
  type ModelInfo,
  type TranscribeOptions,
} from './engine';
export { HarkError, isHarkError, ERROR_CODES, type ErrorCode } from './errors';
export type {
  DecodingReport,
  Progress,
  ProviderName,
  ProviderReport,
  Segment,
  Transcript,
  Word,
} from './types';
export {
  DEVICE_CHOICES,
  autoProviderOrder,
  builtInProviders,
  type DeviceChoice,
} from './runtime/onnx-runtime';
export { loadModelFolder, type ModelCard, type ModelFolder } from './model/model-folder';
export { DEFAULT_WINDOWING, type WindowingOptions } from './transcribe/transcribe-stream';
export { prepareDecoding, type DecodingOptions } from './transcribe/decoding';
export {
  BEAM_WIDTH_RANGE,
  DECODING_METHODS,
  DEFAULT_DECODING,
  HOTWORD_LIMITS,
  type DecodingMethod,
} from './transcribe/decoding-defaults';
export { loadHotwords, parseHotwords, type Hotword } from './decode/beam';
export { readLanguageModelCard } from './lm';
export { probeAudio, type AudioInfo } from './audio';
export { formatTranscript, TRANSCRIPT_FORMATS, type TranscriptFormat } from './output';
