/**
 * Hark's ONNX toolkit: protobuf codec, model reading and a graph builder. See README.md.
 *
 * @example
 * import { GraphBuilder, decodeModel, summarizeModel } from '../onnx';
 */
export * from './proto';
export * from './element-type';
export * from './model-reader';
export * from './graph-builder';
