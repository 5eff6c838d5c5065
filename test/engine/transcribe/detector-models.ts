/**
 * Tiny CTC models whose output depends on the audio in a way a test can predict, built on the
 * shared `buildLinearCtcModel` (4 feature frames stacked per output frame, a linear layer,
 * log-softmax).
 */
import { computeLogMel } from '../../../src-main/engine/features';
import { decodeModel, encodeModel } from '../../../src-main/engine/onnx';
import {
  FEATURE_BINS,
  WORD_START,
  buildLinearCtcModel,
  defaultCharTokens,
  type TinyModel,
} from '../../helpers/tiny-models';
import { toneBurst } from './synth-audio';

const FACTOR = 4;
const NEVER = -30;

/** The same model with some metadata entries replaced. */
export function withMetadata(model: TinyModel, changes: Record<string, string>): TinyModel {
  const proto = decodeModel(model.bytes);
  const metadata = { ...model.metadata, ...changes };
  proto.metadataProps = Object.entries(metadata).map(([key, value]) => ({ key, value }));
  return { ...model, bytes: encodeModel(proto), metadata };
}

/** The mel bin where a pure tone puts most of its energy. */
export function melBinOf(frequencyHz: number): number {
  const features = computeLogMel(toneBurst({ frequencyHz, durationSec: 0.2 }));
  let best = 0;
  let bestValue = -Infinity;
  for (let bin = 0; bin < features.numBins; bin++) {
    let sum = 0;
    for (let t = 0; t < features.numFrames; t++)
      sum += features.data[bin * features.numFrames + t]!;
    if (sum > bestValue) {
      bestValue = sum;
      best = bin;
    }
  }
  return best;
}

/**
 * Letters as tones: while the tone of a letter sounds, the model emits that letter; in the quiet
 * between tones it emits the word-start token, so every run of tones without a pause reads as a
 * word (with `quiet: 'blank'` it emits blanks there instead, so nothing ends a word, as a CTC
 * model that writes no boundary after the last word of an utterance). Works on raw log-mel
 * energies (normalize_type empty): a letter wins when its mel bin's log energy, averaged over an
 * output frame, rises above `logEnergyThreshold`.
 *
 * @example
 * const model = toneAlphabetModel({ a: 500, b: 900 });
 */
export function toneAlphabetModel(
  toneOf: Record<string, number>,
  logEnergyThreshold = -9,
  quiet: 'word-start' | 'blank' = 'word-start',
): TinyModel {
  const tokens = defaultCharTokens();
  const vocab = tokens.length;
  const weights = new Float32Array(FACTOR * FEATURE_BINS * vocab);
  const bias = new Float32Array(vocab).fill(NEVER);
  bias[quiet === 'blank' ? vocab - 1 : tokens.indexOf(WORD_START)] = 0;
  const slope = 2;
  for (const [letter, frequencyHz] of Object.entries(toneOf)) {
    const id = tokens.indexOf(letter);
    const bin = melBinOf(frequencyHz);
    for (let k = 0; k < FACTOR; k++)
      weights[(k * FEATURE_BINS + bin) * vocab + id] = slope / FACTOR;
    bias[id] = -slope * logEnergyThreshold;
  }
  const model = buildLinearCtcModel({ tokens, subsamplingFactor: FACTOR, weights, bias });
  return withMetadata(model, { normalize_type: '' });
}

/**
 * Speech against silence on per-feature normalised features: an output frame whose mean
 * normalised value (over 4 frames and 80 bins) exceeds `threshold` emits `letter`, a quieter one
 * the word-start token. One burst of speech (a word spoken alone) reads as one word.
 */
export function speechDetectorModel(
  options: { letter?: string; threshold?: number } = {},
): TinyModel {
  const tokens = defaultCharTokens();
  const vocab = tokens.length;
  const id = tokens.indexOf(options.letter ?? 'x');
  const weights = new Float32Array(FACTOR * FEATURE_BINS * vocab);
  const bias = new Float32Array(vocab).fill(NEVER);
  bias[tokens.indexOf(WORD_START)] = 0;
  const slope = 8;
  for (let row = 0; row < FACTOR * FEATURE_BINS; row++)
    weights[row * vocab + id] = slope / (FACTOR * FEATURE_BINS);
  bias[id] = -slope * (options.threshold ?? 0);
  return buildLinearCtcModel({ tokens, subsamplingFactor: FACTOR, weights, bias });
}
