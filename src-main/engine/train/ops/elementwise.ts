/**
 * Elementwise primitives (numpy broadcasting), each with its gradient rule beside it.
 * Gradients of broadcast inputs are summed back to the input's shape.
 */

import { HarkError } from '../../errors';
import { castTo } from '../../onnx';
import type { ElementType, GraphBuilder, TensorHandle } from '../../onnx';
import { defineOp } from '../autodiff/registry';
import type { GradientContext, Gradients } from '../autodiff/registry';
import { broadcastShapes, scalarLike, sumToShape } from '../autodiff/shapes';

/** The gradient of a single-output node (the autodiff never calls a rule without one). */
export function outputGradient(context: GradientContext, index = 0): TensorHandle {
  const gradient = context.outputGradients[index];
  if (gradient === null || gradient === undefined) {
    throw new HarkError('INTERNAL', `${context.node.opType} rule called without a gradient`);
  }
  return gradient;
}

function binary(g: GraphBuilder, opType: string, a: TensorHandle, b: TensorHandle): TensorHandle {
  return g.op(opType, [a, b], {}, { outputShapes: [broadcastShapes(a.shape, b.shape)] });
}

function unary(g: GraphBuilder, opType: string, x: TensorHandle): TensorHandle {
  return g.op(opType, [x], {}, { outputShapes: [x.shape] });
}

/** The two inputs of a binary node (both always present). */
function pair(context: GradientContext): [TensorHandle, TensorHandle] {
  const [a, b] = context.inputs;
  if (!a || !b) throw new HarkError('INTERNAL', `${context.node.opType} needs two inputs`);
  return [a, b];
}

/** a + b */
export const add = defineOp('Add', {
  forward: (g, a: TensorHandle, b: TensorHandle) => binary(g, 'Add', a, b),
  backward: (c): Gradients => {
    const dy = outputGradient(c);
    const [a, b] = pair(c);
    return [
      c.needsGradient[0] ? sumToShape(c.g, dy, a) : null,
      c.needsGradient[1] ? sumToShape(c.g, dy, b) : null,
    ];
  },
});

/** a - b */
export const sub = defineOp('Sub', {
  forward: (g, a: TensorHandle, b: TensorHandle) => binary(g, 'Sub', a, b),
  backward: (c): Gradients => {
    const dy = outputGradient(c);
    const [a, b] = pair(c);
    return [
      c.needsGradient[0] ? sumToShape(c.g, dy, a) : null,
      c.needsGradient[1] ? sumToShape(c.g, neg(c.g, dy), b) : null,
    ];
  },
});

/** a · b */
export const mul = defineOp('Mul', {
  forward: (g, a: TensorHandle, b: TensorHandle) => binary(g, 'Mul', a, b),
  backward: (c): Gradients => {
    const dy = outputGradient(c);
    const [a, b] = pair(c);
    return [
      c.needsGradient[0] ? sumToShape(c.g, mul(c.g, dy, b), a) : null,
      c.needsGradient[1] ? sumToShape(c.g, mul(c.g, dy, a), b) : null,
    ];
  },
});

/** a / b */
export const div = defineOp('Div', {
  forward: (g, a: TensorHandle, b: TensorHandle) => binary(g, 'Div', a, b),
  backward: (c): Gradients => {
    const dy = outputGradient(c);
    const [a, b] = pair(c);
    const y = c.outputs[0] as TensorHandle;
    return [
      c.needsGradient[0] ? sumToShape(c.g, div(c.g, dy, b), a) : null,
      // d(a/b)/db = -a/b² = -y/b
      c.needsGradient[1] ? sumToShape(c.g, neg(c.g, div(c.g, mul(c.g, dy, y), b)), b) : null,
    ];
  },
});

/** -x */
export const neg = defineOp('Neg', {
  forward: (g, x: TensorHandle) => unary(g, 'Neg', x),
  backward: (c): Gradients => [neg(c.g, outputGradient(c))],
});

/** eˣ */
export const exp = defineOp('Exp', {
  forward: (g, x: TensorHandle) => unary(g, 'Exp', x),
  backward: (c): Gradients => [mul(c.g, outputGradient(c), c.outputs[0] as TensorHandle)],
});

/** ln x */
export const log = defineOp('Log', {
  forward: (g, x: TensorHandle) => unary(g, 'Log', x),
  backward: (c): Gradients => [div(c.g, outputGradient(c), c.inputs[0] as TensorHandle)],
});

/** √x */
export const sqrt = defineOp('Sqrt', {
  forward: (g, x: TensorHandle) => unary(g, 'Sqrt', x),
  backward: (c): Gradients => {
    const dy = outputGradient(c);
    const y = c.outputs[0] as TensorHandle;
    return [div(c.g, mul(c.g, dy, scalarLike(c.g, dy, 0.5)), y)];
  },
});

/** xᵖ for a constant exponent p. */
export const pow = defineOp('Pow', {
  forward: (g, x: TensorHandle, exponent: number) =>
    g.op('Pow', [x, scalarLike(g, x, exponent)], {}, { outputShapes: [x.shape] }),
  backward: (c): Gradients => {
    if (c.needsGradient[1]) {
      throw new HarkError('INVALID_ARGUMENT', 'Pow is differentiable only in its base');
    }
    const dy = outputGradient(c);
    const [x, e] = pair(c);
    const value = c.g.constantValue(e);
    if (value === undefined || value.length !== 1) {
      throw new HarkError('INVALID_ARGUMENT', 'Pow needs a constant scalar exponent');
    }
    const p = Number(value[0]);
    if (p === 1) return [dy, null];
    const slope = p === 2 ? x : pow(c.g, x, p - 1);
    return [mul(c.g, mul(c.g, dy, scalarLike(c.g, dy, p)), slope), null];
  },
});

/** max(x, 0) */
export const relu = defineOp('Relu', {
  forward: (g, x: TensorHandle) => unary(g, 'Relu', x),
  backward: (c): Gradients => {
    const dy = outputGradient(c);
    const x = c.inputs[0] as TensorHandle;
    const positive = c.g.op('Greater', [x, scalarLike(c.g, x, 0)]);
    return [where(c.g, positive, dy, scalarLike(c.g, dy, 0))];
  },
});

/** 1 / (1 + e⁻ˣ) */
export const sigmoid = defineOp('Sigmoid', {
  forward: (g, x: TensorHandle) => unary(g, 'Sigmoid', x),
  backward: (c): Gradients => {
    const dy = outputGradient(c);
    const y = c.outputs[0] as TensorHandle;
    return [mul(c.g, dy, mul(c.g, y, sub(c.g, scalarLike(c.g, y, 1), y)))];
  },
});

/** tanh x */
export const tanh = defineOp('Tanh', {
  forward: (g, x: TensorHandle) => unary(g, 'Tanh', x),
  backward: (c): Gradients => {
    const dy = outputGradient(c);
    const y = c.outputs[0] as TensorHandle;
    return [mul(c.g, dy, sub(c.g, scalarLike(c.g, y, 1), mul(c.g, y, y)))];
  },
});

/** x (a named copy) */
export const identity = defineOp('Identity', {
  forward: (g, x: TensorHandle) => unary(g, 'Identity', x),
  backward: (c): Gradients => [outputGradient(c)],
});

const FLOAT_TYPES: readonly ElementType[] = ['float32', 'float64', 'float16'];

/** x converted to another element type; gradients flow between float types only. */
export const cast = defineOp('Cast', {
  forward: (g, x: TensorHandle, to: ElementType) =>
    g.op('Cast', [x], { to: castTo(to) }, { outputShapes: [x.shape] }),
  backward: (c): Gradients => {
    const x = c.inputs[0] as TensorHandle;
    const y = c.outputs[0] as TensorHandle;
    if (!FLOAT_TYPES.includes(x.type) || !FLOAT_TYPES.includes(y.type)) return [null];
    return [cast(c.g, outputGradient(c), x.type)];
  },
});

/** cond ? a : b, elementwise with broadcasting (cond is not differentiable). */
export const where = defineOp('Where', {
  forward: (g, condition: TensorHandle, a: TensorHandle, b: TensorHandle) =>
    g.op(
      'Where',
      [condition, a, b],
      {},
      {
        outputShapes: [broadcastShapes(condition.shape, a.shape, b.shape)],
      },
    ),
  backward: (c): Gradients => {
    const dy = outputGradient(c);
    const [condition, a, b] = c.inputs as TensorHandle[];
    const zero = scalarLike(c.g, dy, 0);
    return [
      null,
      c.needsGradient[1] ? sumToShape(c.g, where(c.g, condition!, dy, zero), a!) : null,
      c.needsGradient[2] ? sumToShape(c.g, where(c.g, condition!, zero, dy), b!) : null,
    ];
  },
});
