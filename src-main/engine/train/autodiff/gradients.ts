/**
 * Reverse-mode autodiff over a GraphBuilder's recorded nodes. From the loss it walks back only
 * through values that depend on a tensor being differentiated, calls each node's gradient rule
 * (from the op table) with the gradients of its outputs, and sums the gradients that reach a
 * value along several paths. Nothing is emitted for branches that lead only to frozen tensors.
 *
 * A piece of graph that has no per-node rules (a Scan-based CTC loss, say) can declare its own
 * vector–Jacobian product with `defineGradient`; the walk then treats it as one node.
 */

import { HarkError } from '../../errors';
import type { GraphBuilder, NodeRecord, TensorHandle } from '../../onnx';
import { gradientRuleFor } from './registry';
import type { Gradients } from './registry';

/** A span of graph with a hand-written gradient (see `defineGradient`). */
export interface CustomGradient {
  /** The values it is differentiable in. */
  readonly inputs: readonly TensorHandle[];
  /** The values whose gradients flow back through it. */
  readonly outputs: readonly TensorHandle[];
  /**
   * Emits, in `g`, d loss / d input for each input given d loss / d output for each output
   * (null = zero); return null for inputs where `needsGradient` is false.
   */
  readonly backward: (
    g: GraphBuilder,
    outputGradients: readonly (TensorHandle | null)[],
    needsGradient: readonly boolean[],
  ) => Gradients;
}

const CUSTOM_GRADIENTS = new WeakMap<GraphBuilder, Map<string, CustomGradient>>();

/**
 * Declares the gradient of `outputs` with respect to `inputs` for a sub-graph that the op table
 * cannot differentiate node by node. The nodes between them are never visited by the autodiff.
 *
 * @example
 * // CTC: loss (N) from logits (N, T, V), with `gradient` = d loss_n / d logits computed in graph
 * defineGradient(g, {
 *   inputs: [logits],
 *   outputs: [loss],
 *   backward: (g, [dLoss]) => [mul(g, unsqueeze(g, dLoss!, [1, 2]), gradient)],
 * });
 */
export function defineGradient(g: GraphBuilder, custom: CustomGradient): void {
  let table = CUSTOM_GRADIENTS.get(g);
  if (table === undefined) {
    table = new Map();
    CUSTOM_GRADIENTS.set(g, table);
  }
  for (const output of custom.outputs) table.set(output.name, custom);
}

type Unit =
  | { kind: 'node'; node: NodeRecord; order: number }
  | { kind: 'custom'; custom: CustomGradient; order: number };

function unitInputs(unit: Unit): readonly (TensorHandle | null)[] {
  return unit.kind === 'node' ? unit.node.inputs : unit.custom.inputs;
}

function unitOutputs(unit: Unit): readonly TensorHandle[] {
  return unit.kind === 'node' ? unit.node.outputs : unit.custom.outputs;
}

const DIFFERENTIABLE_TYPES = new Set(['float32', 'float64', 'float16']);

export interface GradientOptions {
  /** d final / d loss, when the loss is not the final scalar (default: ones). */
  seed?: TensorHandle;
}

/**
 * Emits the gradients of `loss` with respect to each of `wrt` into `g`. Returns them by name;
 * a tensor the loss does not depend on is absent from the map (its gradient is zero).
 *
 * @example
 * const loss = reduceMean(g, mul(g, error, error), undefined, { keepdims: false });
 * const grads = gradients(g, loss, [weight, bias]);
 * g.output(grads.get('weight')!, 'weight.grad');
 */
export function gradients(
  g: GraphBuilder,
  loss: TensorHandle,
  wrt: readonly TensorHandle[],
  options: GradientOptions = {},
): Map<string, TensorHandle> {
  const order = new Map<NodeRecord, number>();
  g.nodes.forEach((node, i) => order.set(node, i));
  const custom = CUSTOM_GRADIENTS.get(g);
  const targets = new Set(wrt.map((t) => t.name));

  const unitCache = new Map<string, Unit | null>();
  const customUnits = new Map<CustomGradient, Unit>();
  const nodeUnits = new Map<NodeRecord, Unit>();
  const producerOf = (t: TensorHandle): Unit | null => {
    const cached = unitCache.get(t.name);
    if (cached !== undefined) return cached;
    let unit: Unit | null = null;
    const span = custom?.get(t.name);
    if (span !== undefined) {
      unit = customUnits.get(span) ?? null;
      if (unit === null) {
        const spanOrder = Math.max(
          ...span.outputs.map((o) => (o.producer ? (order.get(o.producer) ?? -1) : -1)),
        );
        unit = { kind: 'custom', custom: span, order: spanOrder };
        customUnits.set(span, unit);
      }
    } else if (t.producer !== undefined && order.has(t.producer)) {
      // One unit per node: a multi-output node is visited once.
      unit = nodeUnits.get(t.producer) ?? null;
      if (unit === null) {
        unit = { kind: 'node', node: t.producer, order: order.get(t.producer) as number };
        nodeUnits.set(t.producer, unit);
      }
    }
    unitCache.set(t.name, unit);
    return unit;
  };

  // Which values depend on a differentiated tensor: one pass in node order (topological), so
  // deep graphs need no recursion.
  const dependent = new Set(targets);
  for (const node of g.nodes) {
    for (const output of node.outputs) {
      if (!DIFFERENTIABLE_TYPES.has(output.type)) continue;
      const span = custom?.get(output.name);
      const upstream = span !== undefined ? span.inputs : node.inputs;
      const differentiable = span !== undefined || gradientRuleFor(node.opType) !== 'none';
      if (differentiable && upstream.some((input) => input !== null && dependent.has(input.name))) {
        dependent.add(output.name);
      }
    }
  }
  const dependsOnTarget = (t: TensorHandle | null): boolean => t !== null && dependent.has(t.name);

  const result = new Map<string, TensorHandle>();
  if (!dependsOnTarget(loss)) return result;

  // The units between the loss and the targets.
  const units = new Set<Unit>();
  const stack: TensorHandle[] = [loss];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const t = stack.pop() as TensorHandle;
    if (seen.has(t.name)) continue;
    seen.add(t.name);
    const unit = producerOf(t);
    if (unit === null || units.has(unit)) continue;
    units.add(unit);
    for (const input of unitInputs(unit)) if (input && dependsOnTarget(input)) stack.push(input);
  }

  const pending = new Map<string, TensorHandle[]>();
  const accumulate = (t: TensorHandle, computed: TensorHandle) => {
    // A gradient has its value's shape by definition: label it so when a rule could not tell.
    const gradient =
      computed.shape === undefined && t.shape !== undefined
        ? { ...computed, shape: t.shape }
        : computed;
    const list = pending.get(t.name);
    if (list === undefined) pending.set(t.name, [gradient]);
    else list.push(gradient);
  };
  const total = (t: TensorHandle): TensorHandle | null => {
    const list = pending.get(t.name);
    if (list === undefined || list.length === 0) return null;
    if (list.length === 1) return list[0] as TensorHandle;
    const sum = g.op('Sum', list, {}, { outputShapes: [list[0]?.shape] });
    pending.set(t.name, [sum]);
    return sum;
  };

  accumulate(loss, options.seed ?? onesLike(g, loss));
  const sorted = [...units].sort((a, b) => b.order - a.order);
  for (const unit of sorted) {
    const outputGradients = unitOutputs(unit).map(total);
    if (outputGradients.every((d) => d === null)) continue;
    const inputs = unitInputs(unit);
    const needsGradient = inputs.map(dependsOnTarget);
    let inputGradients: Gradients;
    if (unit.kind === 'custom') {
      inputGradients = unit.custom.backward(g, outputGradients, needsGradient);
    } else {
      const rule = gradientRuleFor(unit.node.opType);
      if (rule === undefined || rule === 'none') {
        throw new HarkError(
          'INVALID_ARGUMENT',
          `no gradient rule for ${unit.node.opType} (node ${unit.node.name}) on the path to the loss`,
        );
      }
      inputGradients = rule({
        g,
        node: unit.node,
        inputs,
        outputs: unit.node.outputs,
        attributes: unit.node.attributes,
        outputGradients,
        needsGradient,
      });
    }
    inputs.forEach((input, i) => {
      const gradient = inputGradients[i];
      if (input && needsGradient[i] && gradient) accumulate(input, gradient);
    });
  }

  for (const t of wrt) {
    const gradient = total(t);
    if (gradient !== null) result.set(t.name, gradient);
  }
  return result;
}

function onesLike(g: GraphBuilder, x: TensorHandle): TensorHandle {
  const one = g.constant(1, { type: x.type });
  if (x.shape !== undefined && x.shape.length === 0) return one;
  const shape = g.op('Shape', [x]);
  return g.op('Expand', [one, shape], {}, { outputShapes: [x.shape] });
}
