import { HarkError } from '../errors';
import { applyMelFilterbank, melFilterbank, type MelFilterbank } from './mel-filterbank';
import { RealFft } from './real-fft';

/**
 * Log-mel front end in the convention sherpa-onnx uses for NeMo CTC models, so that a model trained
 * by NeMo (or by Hark) sees the same features here as in sherpa-onnx. Where each setting comes from:
 *
 * - sherpa-onnx/csrc/features.h (`FeatureExtractorConfig`): 16 kHz, 80 bins, 25 ms frames, 10 ms
 *   shift, `dither = 0`, `snip_edges = false`, samples in [-1, 1] (`normalize_samples = true`).
 * - sherpa-onnx/csrc/offline-recognizer-ctc-impl.h (`Init`, NeMo branch): `low_freq = 0`,
 *   `high_freq = 0` (→ Nyquist), `is_librosa = true`, `remove_dc_offset = false`,
 *   `window_type = "hann"`.
 * - kaldi-native-fbank/csrc/feature-window.{h,cc}: `preemph_coeff = 0.97` (not overridden, and the
 *   NeMo preprocessor's default too), applied inside each frame with x[0] -= 0.97·x[0]; the "hann"
 *   window is periodic, 0.5 − 0.5·cos(2πi/N); the FFT length is the window length rounded up to a
 *   power of two (400 → 512); with `snip_edges = false` there are round(numSamples / shift) frames,
 *   frame f is centred on f·shift + shift/2 and samples outside the signal are mirrored.
 * - kaldi-native-fbank/csrc/feature-fbank.{h,cc}: `use_power = true` (|X|²), `use_energy = false`,
 *   `use_log_fbank = true` with log(max(energy, FLT_EPSILON)), natural log.
 * - kaldi-native-fbank/csrc/mel-computations.{h,cc}: librosa mode = Slaney mel scale with Slaney
 *   area normalisation over fftSize/2 + 1 bins (see mel-filterbank.ts).
 */
export interface FeatureOptions {
  /** Hz. Default 16000. */
  sampleRate: number;
  /** Default 80. */
  numMelBins: number;
  /** Frame (window) length in milliseconds. Default 25 (400 samples). */
  windowMs: number;
  /** Frame shift in milliseconds. Default 10 (160 samples). */
  hopMs: number;
  /** FFT length, a power of two >= the window length. Default 512. */
  fftSize: number;
  /** Pre-emphasis coefficient applied within each frame. Default 0.97. */
  preemphasis: number;
  /** Lower edge of the first mel filter in Hz. Default 0. */
  lowFreqHz: number;
  /** Upper edge of the last mel filter in Hz; 0 or less is Nyquist plus this value. Default 0. */
  highFreqHz: number;
  /** Mel energies are floored here before the log. Default FLT_EPSILON = 2⁻²³. */
  energyFloor: number;
}

/** Features in feature-major layout: value (bin, frame) is data[bin * numFrames + frame]. */
export interface LogMelFeatures {
  data: Float32Array;
  numFrames: number;
  numBins: number;
}

/** float32 machine epsilon, the floor kaldi-native-fbank applies before taking the log. */
export const FLOAT32_EPSILON = 2 ** -23;

export const DEFAULT_FEATURE_OPTIONS: Readonly<FeatureOptions> = Object.freeze({
  sampleRate: 16000,
  numMelBins: 80,
  windowMs: 25,
  hopMs: 10,
  fftSize: 512,
  preemphasis: 0.97,
  lowFreqHz: 0,
  highFreqHz: 0,
  energyFloor: FLOAT32_EPSILON,
});

interface FrontEnd {
  options: FeatureOptions;
  windowLength: number;
  hopLength: number;
  window: Float64Array;
  fft: RealFft;
  bank: MelFilterbank;
}

const frontEnds = new Map<string, FrontEnd>();

function resolveOptions(partial: Partial<FeatureOptions> | undefined): FeatureOptions {
  const options: FeatureOptions = { ...DEFAULT_FEATURE_OPTIONS, ...partial };
  const positive: (keyof FeatureOptions)[] = [
    'sampleRate',
    'numMelBins',
    'windowMs',
    'hopMs',
    'fftSize',
    'energyFloor',
  ];
  for (const key of positive) {
    const value = options[key];
    if (!Number.isFinite(value) || value <= 0) {
      throw new HarkError('INVALID_ARGUMENT', `feature option ${key} must be > 0, got ${value}`);
    }
  }
  if (!(options.preemphasis >= 0 && options.preemphasis <= 1)) {
    throw new HarkError('INVALID_ARGUMENT', `feature option preemphasis must be in [0, 1]`);
  }
  return options;
}

/** Window length and hop in samples, as kaldi-native-fbank derives them from milliseconds. */
function samplesPer(options: FeatureOptions): { windowLength: number; hopLength: number } {
  return {
    windowLength: Math.round((options.sampleRate * options.windowMs) / 1000),
    hopLength: Math.round((options.sampleRate * options.hopMs) / 1000),
  };
}

function frontEndFor(options: FeatureOptions): FrontEnd {
  const key = JSON.stringify(options);
  const cached = frontEnds.get(key);
  if (cached) return cached;

  const { windowLength, hopLength } = samplesPer(options);
  const { fftSize } = options;
  if ((fftSize & (fftSize - 1)) !== 0 || fftSize < windowLength) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `feature option fftSize must be a power of two >= the window length (${windowLength}), got ${fftSize}`,
    );
  }
  const window = new Float64Array(windowLength);
  for (let i = 0; i < windowLength; i++) {
    window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / windowLength);
  }
  let bank: MelFilterbank;
  try {
    bank = melFilterbank(options);
  } catch (error) {
    throw new HarkError('INVALID_ARGUMENT', (error as Error).message, { cause: error });
  }
  const frontEnd = { options, windowLength, hopLength, window, fft: new RealFft(fftSize), bank };
  frontEnds.set(key, frontEnd);
  return frontEnd;
}

/**
 * Number of feature frames for a signal of `numSamples` samples: round(numSamples / hop)
 * (kaldi-native-fbank `NumFrames` with `snip_edges = false`), i.e. floor((n + hop/2) / hop).
 *
 * @example
 * frameCount(16000); // 100 frames for one second at 16 kHz
 * frameCount(16080); // 101
 */
export function frameCount(numSamples: number, options?: Partial<FeatureOptions>): number {
  const { hopLength } = samplesPer(resolveOptions(options));
  if (numSamples <= 0) return 0;
  return Math.floor((numSamples + Math.floor(hopLength / 2)) / hopLength);
}

/** Index into a signal of `length` samples, mirrored at both ends: -1 → 0, length → length - 1. */
function reflectIndex(index: number, length: number): number {
  let i = index;
  while (i < 0 || i >= length) i = i < 0 ? -i - 1 : 2 * length - 1 - i;
  return i;
}

/**
 * Log-mel filterbank features of a mono signal in [-1, 1] at `options.sampleRate`, before any
 * normalisation (see {@link normalizePerFeature}). The result is feature-major, (numBins, numFrames)
 * row-major, which is the layout of the model input `audio_signal` (N, 80, T).
 *
 * @example
 * const features = computeLogMel(samples16k);
 * normalizePerFeature(features);
 * // features.data → tensor of shape [1, features.numBins, features.numFrames]
 */
export function computeLogMel(
  samples: Float32Array,
  options?: Partial<FeatureOptions>,
): LogMelFeatures {
  const frontEnd = frontEndFor(resolveOptions(options));
  const { windowLength, hopLength, window, fft, bank } = frontEnd;
  const { preemphasis, energyFloor, fftSize } = frontEnd.options;
  const numBins = bank.numMelBins;
  const numSamples = samples.length;
  const numFrames = frameCount(numSamples, frontEnd.options);
  const data = new Float32Array(numBins * numFrames);

  const frame = new Float64Array(fftSize);
  const power = new Float64Array(fftSize / 2 + 1);
  const mel = new Float64Array(numBins);
  const halfHop = Math.floor(hopLength / 2);
  const halfWindow = Math.floor(windowLength / 2);

  for (let t = 0; t < numFrames; t++) {
    const start = t * hopLength + halfHop - halfWindow;
    if (start >= 0 && start + windowLength <= numSamples) {
      for (let i = 0; i < windowLength; i++) frame[i] = samples[start + i]!;
    } else {
      for (let i = 0; i < windowLength; i++)
        frame[i] = samples[reflectIndex(start + i, numSamples)]!;
    }
    frame.fill(0, windowLength);

    if (preemphasis !== 0) {
      for (let i = windowLength - 1; i > 0; i--) frame[i] = frame[i]! - preemphasis * frame[i - 1]!;
      frame[0] = frame[0]! - preemphasis * frame[0]!;
    }
    for (let i = 0; i < windowLength; i++) frame[i] = frame[i]! * window[i]!;

    fft.powerSpectrum(frame, power);
    applyMelFilterbank(bank, power, mel);
    for (let b = 0; b < numBins; b++) {
      data[b * numFrames + t] = Math.log(Math.max(mel[b]!, energyFloor));
    }
  }
  return { data, numFrames, numBins };
}
