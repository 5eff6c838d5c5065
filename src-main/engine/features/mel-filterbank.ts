/**
 * The mel filterbank of kaldi-native-fbank's librosa mode (`MelBanksOptions.is_librosa = true`,
 * `norm = "slaney"`, kaldi-native-fbank/csrc/mel-computations.{h,cc}), which sherpa-onnx switches on
 * for NeMo CTC models. It matches `librosa.filters.mel(htk=False, norm="slaney")`: the Slaney mel
 * scale (linear below 1 kHz, logarithmic above), triangles laid out evenly in mel between the low and
 * high frequency, each scaled by 2 / (right − left) in Hz so every filter has the same area.
 */

/** Hz → mel on the Slaney (Auditory Toolbox) scale: 3 mel per 200 Hz below 1 kHz, then log. */
export function hzToMelSlaney(hz: number): number {
  if (hz <= 1000) return (hz * 3) / 200;
  return 15 + (27 / Math.log(6.4)) * Math.log(hz / 1000);
}

/** Inverse of {@link hzToMelSlaney}. */
export function melToHzSlaney(mel: number): number {
  if (mel <= 15) return (mel * 200) / 3;
  return 1000 * Math.exp((mel - 15) * (Math.log(6.4) / 27));
}

export interface MelFilterbankOptions {
  sampleRate: number;
  fftSize: number;
  numMelBins: number;
  lowFreqHz: number;
  /** Upper edge in Hz; 0 or less means Nyquist plus this value (the Kaldi convention). */
  highFreqHz: number;
}

/** A sparse filterbank: filter b has weights[b] on FFT bins firstBin[b] ... */
export interface MelFilterbank {
  numMelBins: number;
  /** Number of power-spectrum values it reads: fftSize / 2 + 1. */
  numFftBins: number;
  firstBin: Int32Array;
  weights: Float64Array[];
  /** Centre frequency of each filter, in Hz. */
  centerHz: Float64Array;
}

/**
 * Where the filters sit on the mel scale: filter b spans melLow + b·melDelta to
 * melLow + (b + 2)·melDelta and peaks at melLow + (b + 1)·melDelta.
 */
export function melScaleLayout(
  options: Pick<MelFilterbankOptions, 'sampleRate' | 'numMelBins' | 'lowFreqHz' | 'highFreqHz'>,
): { melLow: number; melDelta: number } {
  const { sampleRate, numMelBins, lowFreqHz } = options;
  const nyquist = sampleRate / 2;
  const highFreqHz = options.highFreqHz > 0 ? options.highFreqHz : nyquist + options.highFreqHz;
  if (lowFreqHz < 0 || lowFreqHz >= nyquist || highFreqHz > nyquist || highFreqHz <= lowFreqHz) {
    throw new RangeError(
      `mel filterbank: bad band ${lowFreqHz}..${highFreqHz} Hz for Nyquist ${nyquist} Hz`,
    );
  }
  const melLow = hzToMelSlaney(lowFreqHz);
  return { melLow, melDelta: (hzToMelSlaney(highFreqHz) - melLow) / (numMelBins + 1) };
}

/**
 * Builds the Slaney-normalised triangular filterbank.
 *
 * @example
 * const bank = melFilterbank({ sampleRate: 16000, fftSize: 512, numMelBins: 80, lowFreqHz: 0, highFreqHz: 0 });
 * const mel = new Float64Array(80);
 * applyMelFilterbank(bank, powerSpectrum, mel);
 */
export function melFilterbank(options: MelFilterbankOptions): MelFilterbank {
  const { sampleRate, fftSize, numMelBins } = options;
  const numFftBins = fftSize / 2 + 1;
  const binWidthHz = sampleRate / fftSize;
  const { melLow, melDelta } = melScaleLayout(options);

  const firstBin = new Int32Array(numMelBins);
  const weights: Float64Array[] = [];
  const centerHz = new Float64Array(numMelBins);
  for (let bin = 0; bin < numMelBins; bin++) {
    const leftHz = melToHzSlaney(melLow + bin * melDelta);
    const midHz = melToHzSlaney(melLow + (bin + 1) * melDelta);
    const rightHz = melToHzSlaney(melLow + (bin + 2) * melDelta);
    const norm = 2 / (rightHz - leftHz);
    centerHz[bin] = midHz;
    const row: number[] = [];
    let first = -1;
    for (let i = 0; i < numFftBins; i++) {
      const hz = i * binWidthHz;
      if (hz <= leftHz || hz >= rightHz) continue;
      const rising = hz <= midHz;
      const weight = rising ? (hz - leftHz) / (midHz - leftHz) : (rightHz - hz) / (rightHz - midHz);
      if (first === -1) first = i;
      row.push(weight * norm);
    }
    if (first === -1) {
      throw new RangeError(
        `mel filterbank: filter ${bin} covers no FFT bin (too many mel bins for fftSize ${fftSize})`,
      );
    }
    firstBin[bin] = first;
    weights.push(Float64Array.from(row));
  }
  return { numMelBins, numFftBins, firstBin, weights, centerHz };
}

/** mel[b] = Σ weights[b][k] · power[firstBin[b] + k]. */
export function applyMelFilterbank(
  bank: MelFilterbank,
  power: Float64Array,
  mel: Float64Array,
): void {
  for (let bin = 0; bin < bank.numMelBins; bin++) {
    const row = bank.weights[bin]!;
    const offset = bank.firstBin[bin]!;
    let energy = 0;
    for (let k = 0; k < row.length; k++) energy += row[k]! * power[offset + k]!;
    mel[bin] = energy;
  }
}
