/**
 * Hark's CTC loss: a float64 TypeScript reference and the batched ONNX op (forward–backward in
 * one Scan) that train steps use. See README.md beside this file.
 *
 * @example
 * import { ctcLoss } from '../ctc';
 * const { loss, feasible, infeasibleCount } = ctcLoss(g, inputs, { blankId });
 */
export { ctcLoss } from './ctc-loss';
export type { CtcLossInputs, CtcLossOptions, CtcLossOutputs } from './ctc-loss';
export { emitCtcLoss } from './ctc-graph';
export type { CtcLossGraphInputs, CtcLossGraphOptions, CtcLossGraphOutputs } from './ctc-graph';
export { ctcLossReference } from './ctc-reference';
export type {
  CtcReferenceFeasible,
  CtcReferenceInfeasible,
  CtcReferenceInput,
  CtcReferenceResult,
} from './ctc-reference';
export {
  assertCtcTargets,
  ctcCanSkipInto,
  ctcExtendedLabels,
  ctcRequiredFrames,
} from './ctc-labels';
export { CTC_LOG_ZERO } from './ctc-scan';
