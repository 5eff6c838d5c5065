/**
 * Layer normalization as one primitive (ONNX LayerNormalization, opset 17) with an analytic
 * gradient that reuses the forward pass's mean and inverse standard deviation — and the same
 * thing composed from primitives, kept for the benchmark and as a cross-check.
 */

import { HarkError } from '../../errors';
import type { Dim, GraphBuilder, TensorHandle } from '../../onnx';
import { float } from '../../onnx';
import { defineOp } from '../autodiff/registry';
import type { Gradients } from '../autodiff/registry';
import { normalizeAxis, rankOf, scalarLike, sumToShape } from '../autodiff/shapes';
import { add, cast, mul, outputGradient, pow, sub } from './elementwise';
import { reduceMean } from './reduce';

export interface LayerNormOptions {
  /** First normalized axis; all axes from it on are normalized. Default -1. */
  axis?: number;
  /** Default 1e-5. */
  epsilon?: number;
}

function statisticsShape(x: TensorHandle, axis: number): Dim[] | undefined {
  if (x.shape === undefined) return undefined;
  return x.shape.map((d, i) => (i < axis ? d : 1));
}

/**
 * (x − mean) / √(var + ε) · scale + bias over the axes from `axis` on.
 *
 * @example
 * const y = layerNorm(g, x, gain, bias, { epsilon: 1e-5 }); // x (N, T, D), gain and bias (D)
 */
export const layerNorm = defineOp('LayerNormalization', {
  forward: (
    g,
    x: TensorHandle,
    scale: TensorHandle,
    bias: TensorHandle | null,
    options: LayerNormOptions = {},
  ) => {
    const axis = normalizeAxis(options.axis ?? -1, rankOf(x));
    const stats = statisticsShape(x, axis);
    // Mean and inverse standard deviation are outputs too, so the backward pass reuses them.
    const [y] = g.node(
      'LayerNormalization',
      [x, scale, bias],
      { axis, epsilon: float(options.epsilon ?? 1e-5) },
      // Statistics are float32 whatever the input (stash_type 1; ORT has no double variant).
      {
        outputs: 3,
        outputShapes: [x.shape, stats, stats],
        outputTypes: [x.type, 'float32', 'float32'],
      },
    );
    return y as TensorHandle;
  },
  backward: (c): Gradients => {
    const { g } = c;
    const [x, scale, bias] = c.inputs;
    const [, savedMean, savedInverse] = c.outputs;
    if (!x || !scale || !savedMean || !savedInverse) {
      throw new HarkError('INTERNAL', 'LayerNormalization needs x, scale, mean and 1/σ');
    }
    const mean = savedMean.type === x.type ? savedMean : cast(g, savedMean, x.type);
    const inverseDeviation =
      savedInverse.type === x.type ? savedInverse : cast(g, savedInverse, x.type);
    const dy = outputGradient(c);
    const rank = rankOf(x);
    const axis = normalizeAxis(Number(c.attributes.axis ?? -1), rank);
    const normalized = Array.from({ length: rank - axis }, (_, i) => axis + i);
    const xHat = mul(g, sub(g, x, mean), inverseDeviation);
    let dx: TensorHandle | null = null;
    if (c.needsGradient[0]) {
      // dx = σ⁻¹ (dx̂ − mean(dx̂) − x̂ · mean(dx̂ ⊙ x̂)), dx̂ = dy ⊙ scale
      const dxHat = mul(g, dy, scale);
      const centered = sub(g, dxHat, reduceMean(g, dxHat, normalized));
      const projected = mul(g, xHat, reduceMean(g, mul(g, dxHat, xHat), normalized));
      dx = mul(g, inverseDeviation, sub(g, centered, projected));
    }
    return [
      dx,
      c.needsGradient[1] ? sumToShape(g, mul(g, dy, xHat), scale) : null,
      bias && c.needsGradient[2] ? sumToShape(g, dy, bias) : null,
    ];
  },
});

/**
 * The same normalization built from primitives (ReduceMean, Sub, Mul, Pow, Add); the autodiff
 * derives its gradient. Slower than `layerNorm` (see scripts/bench-layer-norm.ts).
 */
export function layerNormComposed(
  g: GraphBuilder,
  x: TensorHandle,
  scale: TensorHandle,
  bias: TensorHandle | null,
  options: LayerNormOptions = {},
): TensorHandle {
  const rank = rankOf(x);
  const axis = normalizeAxis(options.axis ?? -1, rank);
  const axes = Array.from({ length: rank - axis }, (_, i) => axis + i);
  const centered = sub(g, x, reduceMean(g, x, axes));
  const variance = reduceMean(g, mul(g, centered, centered), axes);
  const inverse = pow(g, add(g, variance, scalarLike(g, x, options.epsilon ?? 1e-5)), -0.5);
  const scaled = mul(g, mul(g, centered, inverse), scale);
  return bias ? add(g, scaled, bias) : scaled;
}
