/**
 * Exporting trained weights into an inference model is a copy: the model keeps its graph, and
 * each initializer named like a parameter gets the parameter's values.
 */

import { HarkError } from '../errors';
import { DataType, rawDataOf } from '../onnx';
import type { ModelProto } from '../onnx';

/**
 * A copy of `model` whose float initializers named in `values` hold those values (same sizes).
 * Other initializers, the graph and the metadata are shared with the original.
 *
 * @example
 * const trained = encodeModel(replaceParameters(decodeModel(baseBytes), trainer.syncParameters().entries()));
 */
export function replaceParameters(
  model: ModelProto,
  values: Iterable<[string, Float32Array]>,
): ModelProto {
  const byName = new Map(values);
  const initializers = model.graph.initializers.map((tensor) => {
    const data = byName.get(tensor.name);
    if (data === undefined) return tensor;
    const count = tensor.dims.reduce((a, b) => a * b, 1);
    if (tensor.dataType !== DataType.FLOAT || count !== data.length) {
      throw new HarkError(
        'INVALID_ARGUMENT',
        `parameter ${tensor.name} has ${data.length} values; the model holds ${count} of type ${tensor.dataType}`,
      );
    }
    byName.delete(tensor.name);
    return {
      name: tensor.name,
      dataType: tensor.dataType,
      dims: tensor.dims,
      rawData: rawDataOf(data),
    };
  });
  if (byName.size > 0) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `the model has no initializer ${[...byName.keys()].join(', ')}`,
    );
  }
  return { ...model, graph: { ...model.graph, initializers } };
}
