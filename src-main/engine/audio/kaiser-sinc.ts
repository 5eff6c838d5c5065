/**
 * Windowed-sinc low-pass design for the resampler: an ideal low-pass impulse response
 * (a sinc) shaped by a Kaiser window, laid out as a polyphase table.
 */

/** The zeroth-order modified Bessel function of the first kind, by its power series. */
export function besselI0(x: number): number {
  const quarterSquare = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 200 && term > sum * 1e-17; k++) {
    term *= quarterSquare / (k * k);
    sum += term;
  }
  return sum;
}

/**
 * Kaiser's β for a stopband attenuation in dB (Kaiser's empirical formula).
 *
 * @example
 * kaiserBeta(80); // ≈ 7.857
 */
export function kaiserBeta(stopbandDb: number): number {
  if (stopbandDb > 50) return 0.1102 * (stopbandDb - 8.7);
  if (stopbandDb >= 21) return 0.5842 * (stopbandDb - 21) ** 0.4 + 0.07886 * (stopbandDb - 21);
  return 0;
}

/**
 * The number of taps Kaiser's formula asks for, given the attenuation and the transition width as
 * a fraction of the sample rate.
 *
 * @example
 * kaiserLength({ stopbandDb: 80, transitionWidth: 1000 / 44100 }); // 223
 */
export function kaiserLength(options: { stopbandDb: number; transitionWidth: number }): number {
  return (
    Math.ceil((options.stopbandDb - 7.95) / (2.285 * 2 * Math.PI * options.transitionWidth)) + 1
  );
}

export interface PolyphaseFilterOptions {
  /** Sub-sample positions the table covers: phase p is an offset of p / phases input samples. */
  phases: number;
  /** Cut-off (−6 dB point) as a fraction of the input sample rate, below 0.5. */
  cutoff: number;
  /** Taps on each side of the centre; each phase has 2 × halfTaps coefficients. */
  halfTaps: number;
  /** Kaiser window β. */
  beta: number;
}

/**
 * A polyphase low-pass table. Row p holds the taps for an output that falls `p / phases` input
 * samples after input sample k; tap j multiplies input sample `k - halfTaps + 1 + j`. Each row is
 * normalised to unit DC gain.
 *
 * @example
 * const table = designPolyphaseFilter({ phases: 160, cutoff: 7500 / 44100, halfTaps: 111, beta: 7.86 });
 * table.coefficients.length; // 160 * 222
 */
export function designPolyphaseFilter(options: PolyphaseFilterOptions): {
  coefficients: Float32Array;
  tapsPerPhase: number;
} {
  const { phases, cutoff, halfTaps, beta } = options;
  const tapsPerPhase = 2 * halfTaps;
  const coefficients = new Float32Array(phases * tapsPerPhase);
  const row = new Float64Array(tapsPerPhase);
  const windowNorm = 1 / besselI0(beta);
  for (let phase = 0; phase < phases; phase++) {
    const fraction = phase / phases;
    let sum = 0;
    for (let tap = 0; tap < tapsPerPhase; tap++) {
      const t = fraction + halfTaps - 1 - tap; // distance (in input samples) from output to input
      const x = t / halfTaps;
      const window = Math.abs(x) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - x * x)) * windowNorm;
      const value = 2 * cutoff * sinc(2 * cutoff * t) * window;
      row[tap] = value;
      sum += value;
    }
    for (let tap = 0; tap < tapsPerPhase; tap++) {
      coefficients[phase * tapsPerPhase + tap] = row[tap]! / sum;
    }
  }
  return { coefficients, tapsPerPhase };
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}
