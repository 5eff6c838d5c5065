/**
 * The CTC loss as a differentiable op of the training engine: its forward emitter and its
 * gradient rule side by side. The forward pass is a Scan, which has no per-node gradient rules,
 * so the op declares its own vector–Jacobian product with `defineGradient`; the autodiff then
 * treats the whole span from `scores` to `loss` as one node.
 */
import { HarkError } from '../../errors';
import type { GraphBuilder, TensorHandle } from '../../onnx';
import { defineGradient } from '../autodiff/gradients';
import { emitCtcLoss } from './ctc-graph';
import type { CtcLossGraphInputs, CtcLossGraphOptions } from './ctc-graph';

export type CtcLossInputs = CtcLossGraphInputs;
export type CtcLossOptions = CtcLossGraphOptions;

export interface CtcLossOutputs {
  /** (N) negative log-likelihood per utterance, 0 where infeasible; differentiable. */
  loss: TensorHandle;
  /** (N) bool: false where the utterance was skipped (too few frames, non-finite scores). */
  feasible: TensorHandle;
  /** () int64: how many utterances of the batch were skipped. */
  infeasibleCount: TensorHandle;
}

/**
 * CTC loss of a batch, differentiable with respect to `scores` (logits by default: LogSoftmax
 * is fused in, and the gradient is softmax - occupancy). Average it over the feasible
 * utterances (or over their target lengths) before calling `gradients()`.
 *
 * @example
 * const { loss, feasible, infeasibleCount } = ctcLoss(g, {
 *   scores: logits, // (N, T', V) from the model, before its LogSoftmax
 *   targets, // (N, L) int64
 *   inputLengths: outputLengths, // (N) int64
 *   targetLengths, // (N) int64
 * }, { blankId: vocabSize - 1 });
 * const count = g.op('ReduceSum', [g.op('Cast', [feasible], { to: castTo('float32') })], {
 *   keepdims: 0 });
 * const meanLoss = div(g, reduceSum(g, loss, [0], { keepdims: false }), count);
 * const grads = gradients(g, meanLoss, parameters);
 */
export function ctcLoss(
  g: GraphBuilder,
  inputs: CtcLossInputs,
  options: CtcLossOptions,
): CtcLossOutputs {
  const { loss, feasible, infeasibleCount, gradient } = emitCtcLoss(g, inputs, options);
  defineGradient(g, {
    inputs: [inputs.scores],
    outputs: [loss],
    backward: (graph, [lossGradient], [needsGradient]) => {
      if (!needsGradient || !lossGradient) return [null];
      if (gradient === undefined) {
        throw new HarkError(
          'INVALID_ARGUMENT',
          'this CTC loss was built with withGradient: false and cannot be differentiated',
        );
      }
      // d total / d scores = d total / d loss_n  x  d loss_n / d scores, per utterance.
      const perUtterance = graph.op('Unsqueeze', [lossGradient, graph.int64s([1, 2])]);
      return [graph.op('Mul', [gradient, perUtterance], {}, { outputShapes: [gradient.shape] })];
    },
  });
  return { loss, feasible, infeasibleCount };
}
