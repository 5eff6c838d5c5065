/**
 * The differentiable op table: primitives (forward emitter + gradient rule side by side) and
 * composites built from them. Every function takes the GraphBuilder first.
 *
 * @example
 * import { matmul, add, relu } from '../ops';
 * const h = relu(g, add(g, matmul(g, x, w), b));
 */
export * from './elementwise';
export * from './matmul';
export * from './reduce';
export * from './shape-ops';
export * from './conv';
export * from './normalization';
export * from './composite';
