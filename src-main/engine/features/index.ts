export {
  computeLogMel,
  frameCount,
  DEFAULT_FEATURE_OPTIONS,
  FLOAT32_EPSILON,
  type FeatureOptions,
  type LogMelFeatures,
} from './log-mel';
export { normalizePerFeature, NORMALIZE_STD_EPSILON } from './normalize';
export {
  hzToMelSlaney,
  melToHzSlaney,
  melFilterbank,
  melScaleLayout,
  type MelFilterbank,
} from './mel-filterbank';
export { RealFft } from './real-fft';
