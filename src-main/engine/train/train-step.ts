/**
 * A train step as ONE ONNX model: batch tensors, trainable parameters, AdamW moments, the step
 * number and the learning rate in; loss, metrics, gradient norm, new parameters and new moments
 * out. Forward, loss, backward and update all run inside ONNX Runtime, on whatever execution
 * provider runs inference.
 *
 * Names: parameter `p` is input `p` and output `next/p`; its moments are inputs `adam.m/p`,
 * `adam.v/p` and outputs `next/adam.m/p`, `next/adam.v/p`. Scalars: `adam.step` (float32, the
 * 1-based number of this step) and `adam.learning_rate`. Outputs `loss`, `grad_norm`,
 * `update_skipped` and `metric/<name>` for each metric.
 */

import { HarkError } from '../errors';
import { GraphBuilder } from '../onnx';
import type { TensorHandle, ValueDescription } from '../onnx';
import { emitAdamW } from './adamw';
import type { AdamWOptions } from './adamw';
import { gradients } from './autodiff/gradients';
import type { ParameterBinder, ParameterSet } from './parameters';

/** What a loss definition returns: a scalar loss and optional scalar metrics. */
export interface LossOutputs {
  loss: TensorHandle;
  metrics?: Record<string, TensorHandle>;
}

/**
 * Declares the batch inputs on `g`, builds the model with parameters from `p`, and returns the
 * loss. The model part should be the same function the inference graph uses.
 */
export type LossDefinition = (g: GraphBuilder, p: ParameterBinder) => LossOutputs;

export interface TrainStepOptions {
  optimizer?: AdamWOptions;
  /** Which parameters train (default all); the others are frozen initializers. */
  trainable?: (name: string) => boolean;
  /** Graph name, for messages. */
  name?: string;
}

/** One trainable parameter's names in the train-step model. */
export interface TrainedParameter {
  name: string;
  dims: number[];
  m: string;
  v: string;
  next: string;
  nextM: string;
  nextV: string;
}

export interface TrainStepModel {
  bytes: Uint8Array;
  parameters: TrainedParameter[];
  /** Inputs the caller feeds per batch (declared by the loss definition). */
  batchInputs: ValueDescription[];
  metricNames: string[];
}

export const STEP_INPUT = 'adam.step';
export const LEARNING_RATE_INPUT = 'adam.learning_rate';
export const LOSS_OUTPUT = 'loss';
export const GRAD_NORM_OUTPUT = 'grad_norm';
export const SKIPPED_OUTPUT = 'update_skipped';

/** Names of one parameter's tensors in the train step. */
export function trainedParameterNames(name: string, dims: number[]): TrainedParameter {
  return {
    name,
    dims,
    m: `adam.m/${name}`,
    v: `adam.v/${name}`,
    next: `next/${name}`,
    nextM: `next/adam.m/${name}`,
    nextV: `next/adam.v/${name}`,
  };
}

/**
 * Builds the train-step model for a loss definition.
 *
 * @example
 * const step = buildTrainStep((g, p) => {
 *   const x = g.input('x', 'float32', ['batch', 4]);
 *   const target = g.input('target', 'float32', ['batch', 1]);
 *   const error = sub(g, linear(g, x, p.param('w', [4, 1], { init: { uniform: 0.5 } }), null), target);
 *   return { loss: reduceMean(g, mul(g, error, error), undefined, { keepdims: false }) };
 * }, parameters, { optimizer: { weightDecay: 0 } });
 */
export function buildTrainStep(
  define: LossDefinition,
  parameterSet: ParameterSet,
  options: TrainStepOptions = {},
): TrainStepModel {
  const g = new GraphBuilder({ name: options.name ?? 'train_step' });
  const binder = parameterSet.bindTraining(
    g,
    options.trainable ? { trainable: options.trainable } : {},
  );
  const { loss, metrics = {} } = define(g, binder);
  if (loss.shape !== undefined && loss.shape.length !== 0) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `the loss must be a scalar, not [${loss.shape.join(', ')}]`,
    );
  }
  if (binder.trainable.length === 0) {
    throw new HarkError('INVALID_ARGUMENT', 'no trainable parameters');
  }
  const declaredInputs = [...g.inputs];

  const grads = gradients(g, loss, binder.trainable);
  const names = binder.trainable.map((h) => trainedParameterNames(h.name, h.shape as number[]));
  const step = g.input(STEP_INPUT, 'float32', []);
  const learningRate = g.input(LEARNING_RATE_INPUT, 'float32', []);
  const adam = emitAdamW(
    g,
    binder.trainable.map((value, i) => {
      const n = names[i] as TrainedParameter;
      return {
        value,
        gradient: grads.get(value.name),
        m: g.input(n.m, 'float32', value.shape),
        v: g.input(n.v, 'float32', value.shape),
        decay: parameterSet.spec(value.name).decay,
      };
    }),
    { step, learningRate },
    options.optimizer,
  );

  g.output(loss, LOSS_OUTPUT);
  g.output(adam.gradNorm, GRAD_NORM_OUTPUT);
  g.output(adam.skipped, SKIPPED_OUTPUT);
  for (const [key, value] of Object.entries(metrics)) g.output(value, `metric/${key}`);
  adam.next.forEach((next, i) => {
    const n = names[i] as TrainedParameter;
    g.output(next.value, n.next);
    g.output(next.m, n.nextM);
    g.output(next.v, n.nextV);
  });

  const trainableNames = new Set(binder.trainable.map((h) => h.name));
  return {
    bytes: g.toModelBytes({ producerName: 'hark-train-step' }),
    parameters: names,
    batchInputs: declaredInputs
      .filter((h) => !trainableNames.has(h.name))
      .map((h) => ({ name: h.name, type: h.type, shape: h.shape })),
    metricNames: Object.keys(metrics),
  };
}
