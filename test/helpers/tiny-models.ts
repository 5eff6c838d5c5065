/**
 * Tiny CTC models in Hark's (sherpa-onnx NeMo CTC) layout, built in code for tests:
 * inputs `audio_signal` float (N, 80, T) and `length` int64 (N), output `logprobs` float
 * (N, ceil(T / subsamplingFactor), V), metadata model_type / vocab_size / subsampling_factor /
 * normalize_type. Nothing here imports onnxruntime-node.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder } from '../../src-main/engine/onnx/graph-builder';
import type { TensorHandle } from '../../src-main/engine/onnx/graph-builder';

export const FEATURE_BINS = 80;
export const BLANK = '<blk>';
/** NeMo's word-start marker, used for spaces. */
export const WORD_START = '▁';

/** A built model with what a model folder needs beside it. */
export interface TinyModel {
  bytes: Uint8Array;
  tokens: string[];
  /** tokens.txt content: `symbol id` per line, ending with a newline. */
  tokensTxt: string;
  blankId: number;
  subsamplingFactor: number;
  metadata: Record<string, string>;
}

/**
 * Characters a-z, apostrophe, the word-start marker, and the blank LAST (as NeMo does): code
 * that assumes blank = 0 fails with these tokens, as it should.
 */
export function defaultCharTokens(): string[] {
  const letters = Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i));
  return [WORD_START, ...letters, "'", BLANK];
}

/** tokens.txt text for a token list. */
export function tokensTxt(tokens: readonly string[]): string {
  return tokens.map((t, i) => `${t} ${i}\n`).join('');
}

/**
 * Splits text into token ids by greedy longest match; spaces map to the word-start token when
 * the vocabulary has one.
 */
export function tokenize(text: string, tokens: readonly string[]): number[] {
  const source = tokens.includes(WORD_START) ? text.replaceAll(' ', WORD_START) : text;
  const ids: number[] = [];
  let pos = 0;
  while (pos < source.length) {
    let best = -1;
    let bestLength = 0;
    tokens.forEach((token, id) => {
      if (token !== BLANK && token.length > bestLength && source.startsWith(token, pos)) {
        best = id;
        bestLength = token.length;
      }
    });
    if (best < 0) throw new Error(`tokenize: no token for ${JSON.stringify(source.slice(pos))}`);
    ids.push(best);
    pos += bestLength;
  }
  return ids;
}

export interface SpellingModelOptions {
  /** Vocabulary (id = index); must contain '<blk>'. Default `defaultCharTokens()`. */
  tokens?: string[];
  /** What the model spells (tokenized by greedy longest match). */
  text: string;
  /** Output frames per token: the token's frame then blanks (≥ 2 when a token repeats). */
  framesPerToken?: number;
  /** Input frames per output frame (T' = ceil(T / factor)). Default 4. */
  subsamplingFactor?: number;
  /** Probability of the winning symbol on every frame. Default 0.9. */
  peakProbability?: number;
  /** Blank output frames before the first token. Default 0. */
  leadingBlankFrames?: number;
}

/**
 * A model that ignores the features' values and spells `text`: output frame t is the t-th row
 * of a fixed log-prob table (leading blanks, then per token: the token, then blanks), blank after
 * the table ends. The output length follows the input length; a short input truncates the text.
 *
 * @example
 * const model = buildSpellingModel({ text: 'hello world', framesPerToken: 2 });
 * // greedy CTC over logprobs of an input with T ≥ 4 * 2 * 11 frames gives 'hello world'
 */
export function buildSpellingModel(options: SpellingModelOptions): TinyModel {
  const tokens = options.tokens ?? defaultCharTokens();
  const factor = options.subsamplingFactor ?? 4;
  const framesPerToken = options.framesPerToken ?? 2;
  const peak = options.peakProbability ?? 0.9;
  const blankId = blankIdOf(tokens);
  const ids = tokenize(options.text, tokens);
  if (framesPerToken < 1 || !Number.isInteger(framesPerToken)) {
    throw new Error('framesPerToken must be a positive integer');
  }
  if (framesPerToken === 1 && ids.some((id, i) => id === ids[i - 1])) {
    throw new Error('a repeated token needs framesPerToken ≥ 2 (a blank between the two)');
  }
  const frameIds: number[] = new Array<number>(options.leadingBlankFrames ?? 0).fill(blankId);
  for (const id of ids) {
    frameIds.push(id);
    for (let k = 1; k < framesPerToken; k++) frameIds.push(blankId);
  }
  frameIds.push(blankId); // the row repeated after the end
  const vocab = tokens.length;
  const table = new Float32Array(frameIds.length * vocab);
  const rest = Math.log((1 - peak) / (vocab - 1));
  frameIds.forEach((id, row) => {
    for (let v = 0; v < vocab; v++) table[row * vocab + v] = v === id ? Math.log(peak) : rest;
  });

  const g = new GraphBuilder({ name: 'spelling' });
  const { batch, outFrames } = declareInputs(g, factor);
  const table2d = g.initializer('spelling.table', table, [frameIds.length, vocab]);
  const frameIndex = g.op(
    'Range',
    [g.constant(0n), outFrames, g.constant(1n)],
    {},
    {
      outputShapes: [["T'"]],
    },
  );
  const clamped = g.op('Min', [frameIndex, g.constant(BigInt(frameIds.length - 1))]);
  const rows = g.op('Gather', [table2d, clamped], { axis: 0 }, { outputShapes: [["T'", vocab]] });
  const shape = g.op('Concat', [batch, outFrames, g.int64s([vocab])], { axis: 0 });
  const logprobs = g.op('Expand', [rows, shape], {}, { outputShapes: [['N', "T'", vocab]] });
  g.output(logprobs, 'logprobs');
  return finish(g, tokens, blankId, factor);
}

export interface LinearCtcModelOptions {
  /** Vocabulary; default `defaultCharTokens()`. */
  tokens?: string[];
  /** Input frames stacked into one output frame. Default 4. */
  subsamplingFactor?: number;
  /** Projection (factor · 80, V), row-major; default pseudo-random from `seed`. */
  weights?: Float32Array;
  /** Bias (V); default zeros. */
  bias?: Float32Array;
  /** Seed of the default weights. Default 1. */
  seed?: number;
}

/**
 * A model whose output depends on the features: frames are zero-padded at the end to a multiple
 * of the factor, stacked (`factor` consecutive frames of 80 bins → one vector of factor · 80,
 * frame-major), projected to V logits and log-softmaxed. Each output frame depends only on its
 * own input frames, so transcribing in windows aligned to the factor equals the whole.
 * `linearCtcReference` computes the same in JS.
 *
 * @example
 * const model = buildLinearCtcModel({ subsamplingFactor: 4, seed: 7 });
 */
export function buildLinearCtcModel(options: LinearCtcModelOptions = {}): TinyModel & {
  weights: Float32Array;
  bias: Float32Array;
} {
  const tokens = options.tokens ?? defaultCharTokens();
  const factor = options.subsamplingFactor ?? 4;
  const vocab = tokens.length;
  const stacked = factor * FEATURE_BINS;
  const weights = options.weights ?? pseudoRandomWeights(stacked * vocab, options.seed ?? 1);
  const bias = options.bias ?? new Float32Array(vocab);
  if (weights.length !== stacked * vocab || bias.length !== vocab) {
    throw new Error(`weights must be ${stacked}×${vocab} and bias ${vocab}`);
  }

  const g = new GraphBuilder({ name: 'linear_ctc' });
  const { features, time, outFrames } = declareInputs(g, factor);
  const frames = g.op(
    'Transpose',
    [features],
    { perm: [0, 2, 1] },
    {
      outputShapes: [['N', 'T', FEATURE_BINS]],
    },
  );
  const paddedTime = g.op('Mul', [outFrames, g.int64s([factor])]);
  const padFrames = g.op('Sub', [paddedTime, time]);
  const pads = g.op('Concat', [g.int64s([0, 0, 0, 0]), padFrames, g.int64s([0])], { axis: 0 });
  const padded = g.op('Pad', [frames, pads], { mode: 'constant' });
  const grouped = g.op(
    'Reshape',
    [padded, g.int64s([0, -1, stacked])],
    {},
    {
      outputShapes: [['N', "T'", stacked]],
    },
  );
  const w = g.initializer('linear.weight', weights, [stacked, vocab]);
  const b = g.initializer('linear.bias', bias, [vocab]);
  const logits = g.op('Add', [g.op('MatMul', [grouped, w]), b]);
  const logprobs = g.op(
    'LogSoftmax',
    [logits],
    { axis: -1 },
    {
      outputShapes: [['N', "T'", vocab]],
    },
  );
  g.output(logprobs, 'logprobs');
  return { ...finish(g, tokens, blankIdOf(tokens), factor), weights, bias };
}

/**
 * What `buildLinearCtcModel` computes, in JS, for one utterance of features (80, T) row-major
 * (bin-major, as in `audio_signal`). Returns (ceil(T / factor), V) log-probs row-major.
 */
export function linearCtcReference(
  features: Float32Array,
  frames: number,
  model: { weights: Float32Array; bias: Float32Array; subsamplingFactor: number },
): Float32Array {
  const factor = model.subsamplingFactor;
  const vocab = model.bias.length;
  const outFrames = Math.ceil(frames / factor);
  const out = new Float32Array(outFrames * vocab);
  const logits = new Float64Array(vocab);
  for (let t = 0; t < outFrames; t++) {
    logits.set(model.bias);
    for (let k = 0; k < factor; k++) {
      const frame = t * factor + k;
      if (frame >= frames) break;
      for (let bin = 0; bin < FEATURE_BINS; bin++) {
        const x = features[bin * frames + frame] as number;
        const row = (k * FEATURE_BINS + bin) * vocab;
        for (let v = 0; v < vocab; v++) logits[v]! += x * (model.weights[row + v] as number);
      }
    }
    const max = Math.max(...logits);
    let sum = 0;
    for (let v = 0; v < vocab; v++) sum += Math.exp((logits[v] as number) - max);
    const logSum = max + Math.log(sum);
    for (let v = 0; v < vocab; v++) out[t * vocab + v] = (logits[v] as number) - logSum;
  }
  return out;
}

/**
 * Writes `model.onnx` and `tokens.txt` into `dir` (created if missing) and returns the dir.
 *
 * @example
 * const dir = writeModelFolder(mkdtempSync(join(tmpdir(), 'hark-')), buildSpellingModel({ text: 'hi' }));
 */
export function writeModelFolder(dir: string, model: TinyModel): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), model.bytes);
  writeFileSync(join(dir, 'tokens.txt'), model.tokensTxt);
  return dir;
}

/** Greedy CTC decoding of (T', V) log-probs into text (for tests of the helpers themselves). */
export function greedyDecode(
  logprobs: Float32Array,
  frames: number,
  tokens: readonly string[],
): string {
  const vocab = tokens.length;
  const blankId = blankIdOf(tokens);
  let previous = -1;
  let text = '';
  for (let t = 0; t < frames; t++) {
    let best = 0;
    for (let v = 1; v < vocab; v++) {
      if ((logprobs[t * vocab + v] as number) > (logprobs[t * vocab + best] as number)) best = v;
    }
    if (best !== previous && best !== blankId) text += tokens[best];
    previous = best;
  }
  return text.replaceAll(WORD_START, ' ').trim();
}

function blankIdOf(tokens: readonly string[]): number {
  const id = tokens.indexOf(BLANK);
  if (id < 0) throw new Error(`tokens must contain ${BLANK}`);
  return id;
}

/** audio_signal (N, 80, T), length (N), and T, N and T' = ceil(T / factor) as 1-D int64. */
function declareInputs(
  g: GraphBuilder,
  factor: number,
): { features: TensorHandle; batch: TensorHandle; time: TensorHandle; outFrames: TensorHandle } {
  const features = g.input('audio_signal', 'float32', ['N', FEATURE_BINS, 'T']);
  g.input('length', 'int64', ['N']);
  const shape = g.op('Shape', [features]);
  const batch = g.op('Slice', [shape, g.int64s([0]), g.int64s([1])]);
  const time = g.op('Slice', [shape, g.int64s([2]), g.int64s([3])]);
  const outFrames = g.op('Div', [g.op('Add', [time, g.int64s([factor - 1])]), g.int64s([factor])]);
  return { features, batch, time, outFrames };
}

function finish(g: GraphBuilder, tokens: string[], blankId: number, factor: number): TinyModel {
  const metadata = {
    model_type: 'EncDecCTCModelBPE',
    vocab_size: String(tokens.length),
    subsampling_factor: String(factor),
    normalize_type: 'per_feature',
  };
  for (const [key, value] of Object.entries(metadata)) g.metadata(key, value);
  return {
    bytes: g.toModelBytes({ producerName: 'hark-tests' }),
    tokens,
    tokensTxt: tokensTxt(tokens),
    blankId,
    subsamplingFactor: factor,
    metadata,
  };
}

/** Deterministic weights in [-0.5, 0.5) (a small LCG; tests need reproducible, not random). */
function pseudoRandomWeights(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 32 - 0.5;
  }
  return out;
}
