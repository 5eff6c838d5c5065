/**
 * Hark's engine, as hosts (the desktop app's engine process, the CLI, scripts) use it. Plain
 * Node: nothing here imports electron.
 *
 * @example
 * import { Engine } from './engine';
 * const engine = await Engine.create({ modelDir: 'models/base-en' });
 * const transcript = await engine.transcribeFile('talk.wav');
 */
export { Engine, type EngineOptions, type ModelInfo, type TranscribeOptions } from './engine';
export { HarkError, isHarkError, ERROR_CODES, type ErrorCode } from './errors';
export type { Progress, ProviderName, ProviderReport, Segment, Transcript, Word } from './types';
export {
  DEVICE_CHOICES,
  autoProviderOrder,
  builtInProviders,
  type DeviceChoice,
} from './runtime/onnx-runtime';
export { loadModelFolder, type ModelCard, type ModelFolder } from './model/model-folder';
export { DEFAULT_WINDOWING, type WindowingOptions } from './transcribe/transcribe-stream';
export { probeAudio, type AudioInfo } from './audio';
export { formatTranscript, TRANSCRIPT_FORMATS, type TranscriptFormat } from './output';
