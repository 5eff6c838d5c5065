/**
 * Signal processing for the corpus, as pure functions over Float32Arrays: band-limited
 * resampling (windowed sinc, Kaiser window), FFT convolution, Butterworth biquad filters and
 * level measures.
 */

/** Zero-order modified Bessel function of the first kind (series), for the Kaiser window. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const half = x / 2;
  for (let k = 1; k < 64; k += 1) {
    term *= (half / k) * (half / k);
    sum += term;
    if (term < sum * 1e-16) break;
  }
  return sum;
}

export interface ResampleOptions {
  fromRate: number;
  toRate: number;
  /** Zero crossings of the sinc on each side (filter length); default 16. */
  zeroCrossings?: number;
  /** Passband edge as a fraction of the lower Nyquist frequency; default 0.9. */
  rolloff?: number;
  /** Kaiser window shape; default 8.6 (about 90 dB stopband). */
  kaiserBeta?: number;
}

/** Largest number of filter phases tabulated; ratios needing more are computed sample by sample. */
const MAX_POLYPHASE_PHASES = 4096;

function greatestCommonDivisor(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Band-limited resampling to any rate ratio: each output sample is the input convolved with a
 * Kaiser-windowed sinc whose cutoff sits below the lower of the two Nyquist frequencies, so
 * nothing above it aliases. Integer rates with a small reduced ratio (22050 → 16000 is 320/441)
 * use a precomputed polyphase filter bank.
 *
 * @example
 * const at16k = resample(at22k, { fromRate: 22050, toRate: 16000 });
 */
export function resample(input: Float32Array, options: ResampleOptions): Float32Array {
  const { fromRate, toRate } = options;
  if (!(fromRate > 0) || !(toRate > 0)) throw new RangeError('sample rates must be positive');
  if (fromRate === toRate) return input.slice();
  const ratio = toRate / fromRate;
  const zeroCrossings = options.zeroCrossings ?? 16;
  const rolloff = options.rolloff ?? 0.9;
  const beta = options.kaiserBeta ?? 8.6;
  // Cutoff in cycles per input sample.
  const cutoff = 0.5 * Math.min(1, ratio) * rolloff;
  const halfWidth = zeroCrossings / (2 * cutoff);
  const windowNorm = besselI0(beta);
  const kernel = (t: number): number => {
    const x = t / halfWidth;
    if (x <= -1 || x >= 1) return 0;
    const argument = 2 * cutoff * t;
    const sinc = argument === 0 ? 1 : Math.sin(Math.PI * argument) / (Math.PI * argument);
    return 2 * cutoff * sinc * (besselI0(beta * Math.sqrt(1 - x * x)) / windowNorm);
  };
  const outputLength = Math.max(0, Math.round(input.length * ratio));
  const output = new Float32Array(outputLength);
  // Taps k = floor(t) - reach + 1 ... floor(t) + reach cover |t - k| < halfWidth.
  const reach = Math.ceil(halfWidth);
  const taps = 2 * reach;
  const integerRates = Number.isInteger(fromRate) && Number.isInteger(toRate);
  const divisor = integerRates ? greatestCommonDivisor(fromRate, toRate) : 1;
  const up = toRate / divisor;
  const down = fromRate / divisor;
  if (integerRates && up <= MAX_POLYPHASE_PHASES) {
    // Phase p holds the weights for input time floor(t) + p / up.
    const bank = new Float32Array(up * taps);
    for (let phase = 0; phase < up; phase += 1) {
      const fraction = phase / up;
      for (let j = 0; j < taps; j += 1) bank[phase * taps + j] = kernel(fraction + reach - 1 - j);
    }
    for (let n = 0; n < outputLength; n += 1) {
      const position = n * down;
      const base = Math.floor(position / up);
      const phase = position - base * up;
      const first = base - reach + 1;
      const offset = phase * taps;
      let sum = 0;
      if (first >= 0 && first + taps <= input.length) {
        for (let j = 0; j < taps; j += 1)
          sum += (input[first + j] as number) * (bank[offset + j] as number);
      } else {
        for (let j = 0; j < taps; j += 1) {
          const k = first + j;
          if (k >= 0 && k < input.length)
            sum += (input[k] as number) * (bank[offset + j] as number);
        }
      }
      output[n] = sum;
    }
    return output;
  }
  // Any other ratio: a finely tabulated kernel, linearly interpolated.
  const steps = 512;
  const table = new Float64Array(Math.ceil(halfWidth * steps) + 2);
  for (let i = 0; i < table.length; i += 1) table[i] = kernel(i / steps);
  for (let n = 0; n < outputLength; n += 1) {
    const center = n / ratio;
    const first = Math.max(0, Math.floor(center) - reach + 1);
    const end = Math.min(input.length - 1, Math.floor(center) + reach);
    let sum = 0;
    for (let k = first; k <= end; k += 1) {
      const position = Math.abs(center - k) * steps;
      const index = Math.floor(position);
      const fraction = position - index;
      const weight =
        (table[index] as number) * (1 - fraction) + ((table[index + 1] ?? 0) as number) * fraction;
      sum += (input[k] as number) * weight;
    }
    output[n] = sum;
  }
  return output;
}

const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array }>();

function twiddles(size: number): { cos: Float64Array; sin: Float64Array } {
  let table = twiddleCache.get(size);
  if (!table) {
    table = { cos: new Float64Array(size / 2), sin: new Float64Array(size / 2) };
    for (let k = 0; k < size / 2; k += 1) {
      table.cos[k] = Math.cos((2 * Math.PI * k) / size);
      table.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    twiddleCache.set(size, table);
  }
  return table;
}

/** In-place iterative radix-2 FFT; `inverse` computes the unscaled inverse transform. */
export function fft(real: Float64Array, imaginary: Float64Array, inverse = false): void {
  const n = real.length;
  if ((n & (n - 1)) !== 0 || imaginary.length !== n) {
    throw new RangeError('FFT size must be a power of two, equal for both parts');
  }
  for (let i = 1, j = 0; i < n; i += 1) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [real[i], real[j]] = [real[j] as number, real[i] as number];
      [imaginary[i], imaginary[j]] = [imaginary[j] as number, imaginary[i] as number];
    }
  }
  const table = twiddles(n);
  const sign = inverse ? 1 : -1;
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const stride = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k += 1) {
        const wReal = table.cos[k * stride] as number;
        const wImaginary = sign * (table.sin[k * stride] as number);
        const a = start + k;
        const b = a + half;
        const bReal = (real[b] as number) * wReal - (imaginary[b] as number) * wImaginary;
        const bImaginary = (real[b] as number) * wImaginary + (imaginary[b] as number) * wReal;
        real[b] = (real[a] as number) - bReal;
        imaginary[b] = (imaginary[a] as number) - bImaginary;
        real[a] = (real[a] as number) + bReal;
        imaginary[a] = (imaginary[a] as number) + bImaginary;
      }
    }
  }
}

/**
 * Linear convolution through the FFT, truncated to `outputLength` (default: the full
 * `signal.length + kernel.length - 1`).
 */
export function convolve(
  signal: Float32Array,
  kernel: Float32Array,
  outputLength = signal.length + kernel.length - 1,
): Float32Array {
  const fullLength = signal.length + kernel.length - 1;
  let size = 1;
  while (size < fullLength) size <<= 1;
  const aReal = new Float64Array(size);
  const aImaginary = new Float64Array(size);
  const bReal = new Float64Array(size);
  const bImaginary = new Float64Array(size);
  aReal.set(signal);
  bReal.set(kernel);
  fft(aReal, aImaginary);
  fft(bReal, bImaginary);
  for (let i = 0; i < size; i += 1) {
    const real =
      (aReal[i] as number) * (bReal[i] as number) -
      (aImaginary[i] as number) * (bImaginary[i] as number);
    aImaginary[i] =
      (aReal[i] as number) * (bImaginary[i] as number) +
      (aImaginary[i] as number) * (bReal[i] as number);
    aReal[i] = real;
  }
  fft(aReal, aImaginary, true);
  const output = new Float32Array(Math.min(outputLength, fullLength));
  for (let i = 0; i < output.length; i += 1) output[i] = (aReal[i] as number) / size;
  return output;
}

export interface BiquadCoefficients {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

/** A low- or high-pass biquad (RBJ audio-EQ cookbook), normalised so that a0 = 1. */
export function biquad(
  kind: 'lowpass' | 'highpass',
  options: { sampleRate: number; cutoffHz: number; q: number },
): BiquadCoefficients {
  const omega = (2 * Math.PI * options.cutoffHz) / options.sampleRate;
  const cos = Math.cos(omega);
  const alpha = Math.sin(omega) / (2 * options.q);
  const a0 = 1 + alpha;
  const b1 = kind === 'lowpass' ? 1 - cos : -(1 + cos);
  const b0 = kind === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
  return { b0: b0 / a0, b1: b1 / a0, b2: b0 / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
}

/** Runs one biquad over a signal (direct form I). */
export function applyBiquad(input: Float32Array, c: BiquadCoefficients): Float32Array {
  const output = new Float32Array(input.length);
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < input.length; i += 1) {
    const x = input[i] as number;
    const y = c.b0 * x + c.b1 * x1 + c.b2 * x2 - c.a1 * y1 - c.a2 * y2;
    output[i] = y;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
  }
  return output;
}

/**
 * An even-order Butterworth low- or high-pass as a cascade of biquads.
 *
 * @example
 * const band = butterworth(butterworth(x, { kind: 'highpass', sampleRate: 16000, cutoffHz: 300, order: 4 }),
 *   { kind: 'lowpass', sampleRate: 16000, cutoffHz: 3400, order: 4 });
 */
export function butterworth(
  input: Float32Array,
  options: { kind: 'lowpass' | 'highpass'; sampleRate: number; cutoffHz: number; order: number },
): Float32Array {
  if (options.order < 2 || options.order % 2 !== 0) throw new RangeError('order must be even');
  let output = input;
  for (let k = 1; k <= options.order / 2; k += 1) {
    const q = 1 / (2 * Math.cos(((2 * k - 1) * Math.PI) / (2 * options.order)));
    output = applyBiquad(output, biquad(options.kind, { ...options, q }));
  }
  return output;
}

/** Mean square of a signal. */
export function power(signal: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < signal.length; i += 1) sum += (signal[i] as number) ** 2;
  return signal.length > 0 ? sum / signal.length : 0;
}

export function peak(signal: Float32Array): number {
  let max = 0;
  for (let i = 0; i < signal.length; i += 1) max = Math.max(max, Math.abs(signal[i] as number));
  return max;
}

export function powerRatioToDb(ratio: number): number {
  return 10 * Math.log10(ratio);
}

export function dbToAmplitude(db: number): number {
  return 10 ** (db / 20);
}
