/**
 * The table of gradient rules, keyed by ONNX op type. Each op module defines an op's forward
 * emitter and its gradient rule together with `defineOp` (the micrograd way); the autodiff looks
 * rules up here by the op type of each recorded node, so a node added with a plain `g.op(...)`
 * is differentiable too when its op type has a rule.
 */

import { HarkError } from '../../errors';
import type { AttributeValue, GraphBuilder, NodeRecord, TensorHandle } from '../../onnx';

/** What a gradient rule gets: the node, its values, and the gradients of its outputs. */
export interface GradientContext {
  readonly g: GraphBuilder;
  readonly node: NodeRecord;
  readonly inputs: readonly (TensorHandle | null)[];
  readonly outputs: readonly TensorHandle[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** d loss / d output per output; null where no gradient flows (read as zero). */
  readonly outputGradients: readonly (TensorHandle | null)[];
  /** Per input: true when its gradient is wanted (it leads to a trainable tensor). */
  readonly needsGradient: readonly boolean[];
}

/**
 * Returns one gradient per input, null for inputs that are not differentiable or whose gradient
 * is not wanted (`needsGradient[i]` false: emit nothing for them).
 */
/** One gradient per input (null: none). */
export type Gradients = (TensorHandle | null)[];

export type GradientRule = (context: GradientContext) => Gradients;

const RULES = new Map<string, GradientRule>();

/** Op types that never carry a gradient (their outputs are integers, booleans or shapes). */
const NOT_DIFFERENTIABLE = new Set([
  'Shape',
  'Size',
  'Equal',
  'Less',
  'LessOrEqual',
  'Greater',
  'GreaterOrEqual',
  'Not',
  'And',
  'Or',
  'Xor',
  'IsNaN',
  'IsInf',
  'ArgMax',
  'ArgMin',
  'NonZero',
  'Range',
  'ConstantOfShape',
  'OneHot',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
]);

/**
 * Registers a gradient rule for an op type (once per op type).
 *
 * @example
 * registerGradient('Neg', ({ g, outputGradients: [dy] }) => [neg(g, dy!)]);
 */
export function registerGradient(opType: string, rule: GradientRule): void {
  if (RULES.has(opType)) {
    throw new HarkError('INTERNAL', `a gradient rule for ${opType} is already registered`);
  }
  RULES.set(opType, rule);
}

/** The rule for an op type, 'none' for ops without gradients, undefined when unknown. */
export function gradientRuleFor(opType: string): GradientRule | 'none' | undefined {
  if (NOT_DIFFERENTIABLE.has(opType)) return 'none';
  return RULES.get(opType);
}

/**
 * Defines a primitive op: its forward emitter and its gradient rule, side by side. Returns the
 * forward emitter.
 *
 * @example
 * export const exp = defineOp('Exp', {
 *   forward: (g, x: TensorHandle) => g.op('Exp', [x], {}, { outputShapes: [x.shape] }),
 *   backward: ({ g, outputs: [y], outputGradients: [dy] }) => [mul(g, dy!, y!)],
 * });
 */
export function defineOp<Args extends unknown[], Result>(
  opType: string,
  definition: { forward: (g: GraphBuilder, ...args: Args) => Result; backward: GradientRule },
): (g: GraphBuilder, ...args: Args) => Result {
  registerGradient(opType, definition.backward);
  return definition.forward;
}
