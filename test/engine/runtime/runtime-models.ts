import { GraphBuilder } from '../../../src-main/engine/onnx';

/** Deterministic pseudo-random numbers in [-1, 1) (a linear congruential generator). */
export function seededValues(count: number, seed: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return values;
}

/**
 * x (1, inputSize) → MatMul W (inputSize, outputSize) → y: a model whose answer is easy to
 * compute by hand. `hiddenSize` inserts a larger Relu layer first so that a run is long enough to
 * use the intra-op thread pool.
 */
export function denseModel(options: {
  inputSize: number;
  outputSize: number;
  weights: Float32Array;
  hiddenSize?: number;
  logOfInput?: boolean;
}): Uint8Array {
  const g = new GraphBuilder({ name: 'dense' });
  const x = g.input('x', 'float32', ['batch', options.inputSize]);
  let h = options.logOfInput ? g.op('Log', [x]) : x;
  let width = options.inputSize;
  if (options.hiddenSize !== undefined) {
    const wHidden = seededValues(width * options.hiddenSize, 7).map((v) => v * 0.05);
    h = g.op('Relu', [
      g.op('MatMul', [h, g.initializer('hidden', wHidden, [width, options.hiddenSize])]),
    ]);
    const back = seededValues(options.hiddenSize * width, 9).map((v) => v * 0.05);
    h = g.op('MatMul', [h, g.initializer('back', back, [options.hiddenSize, width])]);
    width = options.inputSize;
  }
  const w = g.initializer('w', options.weights, [width, options.outputSize]);
  g.output(g.op('MatMul', [h, w]), 'y');
  return g.toModelBytes();
}

/** audio_signal (N, 80, T) → (N, T, V) log-probabilities: a linear CTC head on the features. */
export function linearCtcHead(options: { vocabSize: number; seed: number }): Uint8Array {
  const g = new GraphBuilder({ name: 'ctc-head' });
  const x = g.input('audio_signal', 'float32', ['N', 80, 'T']);
  g.input('length', 'int64', ['N']);
  const frames = g.op('Transpose', [x], { perm: [0, 2, 1] });
  const w = g.initializer('w', seededValues(80 * options.vocabSize, options.seed), [
    80,
    options.vocabSize,
  ]);
  const b = g.initializer('b', seededValues(options.vocabSize, options.seed + 1), [
    options.vocabSize,
  ]);
  const logits = g.op('Add', [g.op('MatMul', [frames, w]), b]);
  g.output(g.op('LogSoftmax', [logits], { axis: -1 }), 'logprobs');
  return g.toModelBytes();
}
