/**
 * Hark's training engine: differentiable ops, reverse-mode autodiff, the one-model train step
 * (AdamW inside the graph), the step runner and checkpoints. See README.md.
 *
 * @example
 * import { ParameterSet, buildTrainStep, Trainer, ops } from '../train';
 */
export * as ops from './ops';
export * from './autodiff/gradients';
export * from './autodiff/registry';
export * from './autodiff/shapes';
export * from './parameters';
export * from './adamw';
export * from './train-step';
export * from './trainer';
export * from './checkpoint';
export * from './export-model';
