/** Matrix products: MatMul (batched, broadcasting) and Gemm, with their gradient rules. */

import { HarkError } from '../../errors';
import type { Dim, GraphBuilder, TensorHandle } from '../../onnx';
import { defineOp } from '../autodiff/registry';
import type { Gradients } from '../autodiff/registry';
import { broadcastShapes, rankOf, sumToShape } from '../autodiff/shapes';
import { mul, outputGradient } from './elementwise';
import { reshape, transpose } from './shape-ops';

function matmulShape(a: TensorHandle, b: TensorHandle): Dim[] | undefined {
  if (a.shape === undefined || b.shape === undefined) return undefined;
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new HarkError('INVALID_ARGUMENT', `MatMul of ${a.name} and ${b.name} needs rank ≥ 2`);
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2)) ?? [];
  return [...batch, a.shape[a.shape.length - 2] as Dim, b.shape[b.shape.length - 1] as Dim];
}

/** Swaps the last two axes. */
function transposeLastTwo(g: GraphBuilder, x: TensorHandle): TensorHandle {
  const rank = rankOf(x);
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transpose(g, x, perm);
}

/**
 * a @ b over the last two axes, leading axes broadcast (both of rank ≥ 2). With a 2-D `b` (a
 * weight), the weight's gradient is one Gemm over all leading axes flattened.
 */
export const matmul = defineOp('MatMul', {
  forward: (g, a: TensorHandle, b: TensorHandle) =>
    g.op('MatMul', [a, b], {}, { outputShapes: [matmulShape(a, b)] }),
  backward: (c): Gradients => {
    const { g } = c;
    const dy = outputGradient(c);
    const [a, b] = c.inputs as TensorHandle[];
    if (!a || !b) throw new HarkError('INTERNAL', 'MatMul needs two inputs');
    const weightLike = rankOf(b) === 2;
    let da: TensorHandle | null = null;
    let db: TensorHandle | null = null;
    if (c.needsGradient[0]) {
      da = sumToShape(g, matmul(g, dy, transposeLastTwo(g, b)), a);
    }
    if (c.needsGradient[1]) {
      if (weightLike) {
        const [k, n] = b.shape as Dim[];
        if (typeof k !== 'number' || typeof n !== 'number') {
          throw new HarkError('INVALID_ARGUMENT', `weight ${b.name} needs a static shape`);
        }
        // Σ over every leading axis at once: (rows, k)ᵀ · (rows, n).
        const a2 = rankOf(a) === 2 ? a : reshape(g, a, [-1, k]);
        const dy2 = rankOf(dy) === 2 ? dy : reshape(g, dy, [-1, n]);
        db = gemm(g, a2, dy2, null, { transA: 1 });
      } else {
        db = sumToShape(g, matmul(g, transposeLastTwo(g, a), dy), b);
      }
    }
    return [da, db];
  },
});

export interface GemmOptions {
  alpha?: number;
  beta?: number;
  transA?: 0 | 1;
  transB?: 0 | 1;
}

function gemmShape(a: TensorHandle, b: TensorHandle, options: GemmOptions): Dim[] | undefined {
  if (a.shape === undefined || b.shape === undefined) return undefined;
  const m = options.transA ? a.shape[1] : a.shape[0];
  const n = options.transB ? b.shape[0] : b.shape[1];
  return [m ?? null, n ?? null];
}

/**
 * alpha · op(A) · op(B) + beta · C for 2-D A and B (op = optional transpose); C broadcasts.
 *
 * @example
 * const y = gemm(g, x, w, bias, { transB: 1 }); // x · wᵀ + bias
 */
export const gemm = defineOp('Gemm', {
  forward: (
    g,
    a: TensorHandle,
    b: TensorHandle,
    c: TensorHandle | null,
    options: GemmOptions = {},
  ) =>
    g.op(
      'Gemm',
      [a, b, c],
      {
        alpha: options.alpha,
        beta: options.beta,
        transA: options.transA,
        transB: options.transB,
      },
      { outputShapes: [gemmShape(a, b, options)] },
    ),
  backward: (context): Gradients => {
    const { g } = context;
    const dy = outputGradient(context);
    const [a, b, c] = context.inputs;
    if (!a || !b) throw new HarkError('INTERNAL', 'Gemm needs two inputs');
    const attributes = context.attributes;
    const alpha = Number(attributes.alpha ?? 1);
    const beta = Number(attributes.beta ?? 1);
    const transA = Number(attributes.transA ?? 0) === 1;
    const transB = Number(attributes.transB ?? 0) === 1;
    const scale = alpha === 1 ? {} : { alpha };
    let da: TensorHandle | null = null;
    let db: TensorHandle | null = null;
    let dc: TensorHandle | null = null;
    if (context.needsGradient[0]) {
      // Y = op(A) op(B): d op(A) = dY op(B)ᵀ; for transA, dA = op(B) dYᵀ.
      da = transA
        ? gemm(g, b, dy, null, { ...scale, transA: transB ? 1 : 0, transB: 1 })
        : gemm(g, dy, b, null, { ...scale, transB: transB ? 0 : 1 });
    }
    if (context.needsGradient[1]) {
      // d op(B) = op(A)ᵀ dY; for transB, dB = dYᵀ op(A).
      db = transB
        ? gemm(g, dy, a, null, { ...scale, transA: 1, transB: transA ? 1 : 0 })
        : gemm(g, a, dy, null, { ...scale, transA: transA ? 0 : 1 });
    }
    if (c && context.needsGradient[2]) {
      const scaled = beta === 1 ? dy : mul(g, dy, g.constant(beta, { type: dy.type }));
      dc = sumToShape(g, scaled, c);
    }
    return [da, db, dc];
  },
});
