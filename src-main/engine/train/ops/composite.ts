/**
 * Composite ops built only from primitives (their gradients come from the primitives' rules):
 * SiLU, GLU, linear layers, dropout with an explicit mask, feed-forward blocks and multi-head
 * self-attention.
 */

import { HarkError } from '../../errors';
import type { GraphBuilder, TensorHandle } from '../../onnx';
import { rankOf, scalarLike } from '../autodiff/shapes';
import { add, mul, relu, sigmoid } from './elementwise';
import { matmul } from './matmul';
import { softmax } from './reduce';
import { reshape, split, transpose } from './shape-ops';

/** x · sigmoid(x) (Swish). */
export function silu(g: GraphBuilder, x: TensorHandle): TensorHandle {
  return mul(g, x, sigmoid(g, x));
}

/** Gated linear unit: the first half of `axis` times the sigmoid of the second half. */
export function glu(g: GraphBuilder, x: TensorHandle, axis = -1): TensorHandle {
  const rank = rankOf(x);
  const a = axis < 0 ? axis + rank : axis;
  const size = x.shape?.[a];
  if (typeof size !== 'number' || size % 2 !== 0) {
    throw new HarkError('INVALID_ARGUMENT', `GLU needs an even, static size on axis ${axis}`);
  }
  const [value, gate] = split(g, x, [size / 2, size / 2], a);
  return mul(g, value as TensorHandle, sigmoid(g, gate as TensorHandle));
}

/**
 * x · weight + bias over the last axis; weight is (in, out) — the layout the MatMul gradient
 * handles with a single Gemm.
 *
 * @example
 * const h = linear(g, x, params.get('ff.w1'), params.get('ff.b1')); // (N, T, 256) → (N, T, 1024)
 */
export function linear(
  g: GraphBuilder,
  x: TensorHandle,
  weight: TensorHandle,
  bias: TensorHandle | null,
): TensorHandle {
  const product = matmul(g, x, weight);
  return bias ? add(g, product, bias) : product;
}

/**
 * Dropout with a mask made in JS (so a train step is deterministic): `mask` holds 0 or
 * 1 / (1 − p) per element and broadcasts against x. Inference graphs simply leave it out.
 */
export function dropout(g: GraphBuilder, x: TensorHandle, mask: TensorHandle): TensorHandle {
  return mul(g, x, mask);
}

export interface FeedForwardWeights {
  w1: TensorHandle;
  b1: TensorHandle | null;
  w2: TensorHandle;
  b2: TensorHandle | null;
}

/** linear → activation (SiLU by default) → linear. */
export function feedForward(
  g: GraphBuilder,
  x: TensorHandle,
  weights: FeedForwardWeights,
  activation: 'silu' | 'relu' = 'silu',
): TensorHandle {
  const hidden = linear(g, x, weights.w1, weights.b1);
  const activated = activation === 'silu' ? silu(g, hidden) : relu(g, hidden);
  return linear(g, activated, weights.w2, weights.b2);
}

export interface AttentionWeights {
  /** (D, D) each, with (D) biases or null. */
  query: TensorHandle;
  queryBias: TensorHandle | null;
  key: TensorHandle;
  keyBias: TensorHandle | null;
  value: TensorHandle;
  valueBias: TensorHandle | null;
  output: TensorHandle;
  outputBias: TensorHandle | null;
}

/**
 * Multi-head self-attention over x (N, T, D) with `heads` heads. `maskBias`, when given, is
 * added to the scores and broadcasts to (N, heads, T, T): 0 where a key may be attended, a large
 * negative number where not (padding).
 *
 * @example
 * const y = selfAttention(g, x, weights, { heads: 4, maskBias });
 */
export function selfAttention(
  g: GraphBuilder,
  x: TensorHandle,
  weights: AttentionWeights,
  options: { heads: number; maskBias?: TensorHandle },
): TensorHandle {
  const model = x.shape?.[2];
  if (typeof model !== 'number' || model % options.heads !== 0) {
    throw new HarkError('INVALID_ARGUMENT', `attention needs a static width divisible by heads`);
  }
  const headSize = model / options.heads;
  const splitHeads = (t: TensorHandle) => reshape(g, t, [0, 0, options.heads, headSize]);
  // The 1/√d scale goes on the queries (T·d values) rather than the scores (T·T).
  const q = mul(
    g,
    linear(g, x, weights.query, weights.queryBias),
    scalarLike(g, x, 1 / Math.sqrt(headSize)),
  );
  const queries = transpose(g, splitHeads(q), [0, 2, 1, 3]); // (N, H, T, d)
  const keys = transpose(g, splitHeads(linear(g, x, weights.key, weights.keyBias)), [0, 2, 3, 1]); // (N, H, d, T)
  const values = transpose(
    g,
    splitHeads(linear(g, x, weights.value, weights.valueBias)),
    [0, 2, 1, 3],
  );
  let scores = matmul(g, queries, keys); // (N, H, T, T)
  if (options.maskBias) scores = add(g, scores, options.maskBias);
  const context = matmul(g, softmax(g, scores, -1), values); // (N, H, T, d)
  const merged = reshape(g, transpose(g, context, [0, 2, 1, 3]), [0, 0, model]);
  return linear(g, merged, weights.output, weights.outputBias);
}
