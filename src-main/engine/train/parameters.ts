/**
 * Model parameters and how a model definition gets them. One definition function builds both the
 * inference graph and the train step; what differs is the binder it is given:
 * - `parameters.bindInference(g)`: every parameter is an initializer holding its values;
 * - `parameters.bindTraining(g, { trainable })`: trainable parameters are graph inputs with the
 *   same names (fed and updated by the train step), frozen ones stay initializers.
 * So names and layouts match by construction, and exporting a trained model is a copy.
 */

import { HarkError } from '../errors';
import { seededRandom } from '../seeded-random';

export { seededRandom };
import type { GraphBuilder, TensorHandle } from '../onnx';

/** How a parameter starts: zeros, ones, uniform in ±limit, or normal with a standard deviation. */
export type ParameterInit = 'zeros' | 'ones' | { uniform: number } | { normal: number };

export interface ParameterSpec {
  name: string;
  dims: number[];
  init: ParameterInit;
  /** AdamW weight decay applies (default: tensors of rank ≥ 2, not biases and norm gains). */
  decay: boolean;
}

export interface ParameterOptions {
  init?: ParameterInit;
  decay?: boolean;
}

/** What a model definition calls to get a parameter's handle. */
export interface ParameterBinder {
  /**
   * The handle of parameter `name` with these dims in the graph being built (declared on first
   * use; the same name twice must have the same dims).
   */
  param(name: string, dims: readonly number[], options?: ParameterOptions): TensorHandle;
}

/** The Glorot/Xavier uniform limit √(6 / (fanIn + fanOut)). */
export function glorotLimit(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}

/**
 * Named float32 parameters with their specs. Values are created from the specs on first use,
 * deterministically from `seed` and the name.
 *
 * @example
 * const parameters = new ParameterSet({ seed: 1 });
 * const inference = new GraphBuilder();
 * const logits = defineModel(inference, parameters.bindInference(inference), features);
 */
export class ParameterSet {
  readonly seed: number;
  private readonly specs = new Map<string, ParameterSpec>();
  private readonly values = new Map<string, Float32Array>();

  constructor(options: { seed?: number } = {}) {
    this.seed = options.seed ?? 1;
  }

  /** Parameter names in declaration order. */
  get names(): string[] {
    return [...this.specs.keys()];
  }

  /** Total number of values. */
  get size(): number {
    let total = 0;
    for (const spec of this.specs.values()) total += spec.dims.reduce((a, b) => a * b, 1);
    return total;
  }

  spec(name: string): ParameterSpec {
    const spec = this.specs.get(name);
    if (spec === undefined) throw new HarkError('INVALID_ARGUMENT', `no parameter named ${name}`);
    return spec;
  }

  /** Declares a parameter (idempotent for the same dims). */
  declare(name: string, dims: readonly number[], options: ParameterOptions = {}): ParameterSpec {
    const existing = this.specs.get(name);
    if (existing !== undefined) {
      if (existing.dims.join(',') !== dims.join(',')) {
        throw new HarkError(
          'INVALID_ARGUMENT',
          `parameter ${name} is [${existing.dims.join(', ')}], asked for [${dims.join(', ')}]`,
        );
      }
      return existing;
    }
    const spec: ParameterSpec = {
      name,
      dims: [...dims],
      init: options.init ?? 'zeros',
      decay: options.decay ?? dims.length >= 2,
    };
    this.specs.set(name, spec);
    return spec;
  }

  /** The values of a parameter (initialised from its spec if not set yet). */
  get(name: string): Float32Array {
    const existing = this.values.get(name);
    if (existing !== undefined) return existing;
    const spec = this.spec(name);
    const created = initialValues(spec, this.seed);
    this.values.set(name, created);
    return created;
  }

  /** Replaces a parameter's values (same length). The array is kept, not copied. */
  set(name: string, values: Float32Array): void {
    const spec = this.spec(name);
    const count = spec.dims.reduce((a, b) => a * b, 1);
    if (values.length !== count) {
      throw new HarkError(
        'INVALID_ARGUMENT',
        `parameter ${name} needs ${count} values, got ${values.length}`,
      );
    }
    this.values.set(name, values);
  }

  /** Parameters that have values (set or initialised). */
  entries(): [string, Float32Array][] {
    return this.names.map((name) => [name, this.get(name)]);
  }

  /** Every parameter as an initializer: for inference graphs and exported models. */
  bindInference(g: GraphBuilder): ParameterBinder {
    return {
      param: (name, dims, options) => {
        const spec = this.declare(name, dims, options);
        return existingHandle(g, name) ?? g.initializer(name, this.get(name), spec.dims);
      },
    };
  }

  /**
   * Trainable parameters as float32 graph inputs named like the parameters (listed in
   * `binder.trainable` in declaration order); frozen ones as initializers.
   */
  bindTraining(
    g: GraphBuilder,
    options: { trainable?: (name: string) => boolean } = {},
  ): ParameterBinder & { trainable: TensorHandle[]; frozen: TensorHandle[] } {
    const trainable: TensorHandle[] = [];
    const frozen: TensorHandle[] = [];
    const isTrainable = options.trainable ?? (() => true);
    return {
      trainable,
      frozen,
      param: (name, dims, paramOptions) => {
        const spec = this.declare(name, dims, paramOptions);
        const existing = existingHandle(g, name);
        if (existing !== undefined) return existing;
        if (isTrainable(name)) {
          const handle = g.input(name, 'float32', spec.dims);
          trainable.push(handle);
          return handle;
        }
        const handle = g.initializer(name, this.get(name), spec.dims);
        frozen.push(handle);
        return handle;
      },
    };
  }
}

/** A parameter already bound in this graph (a definition asking twice for shared weights). */
function existingHandle(g: GraphBuilder, name: string): TensorHandle | undefined {
  return (
    g.inputs.find((h) => h.name === name) ??
    g.initializers.find((i) => i.handle.name === name)?.handle
  );
}

/** Deterministic values for a spec: a seeded generator per parameter name. */
export function initialValues(spec: ParameterSpec, seed: number): Float32Array {
  const count = spec.dims.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count);
  const init = spec.init;
  if (init === 'zeros') return out;
  if (init === 'ones') return out.fill(1);
  const random = seededRandom(hashString(spec.name) ^ Math.imul(seed, 0x9e3779b1));
  if ('uniform' in init) {
    for (let i = 0; i < count; i++) out[i] = (random() * 2 - 1) * init.uniform;
  } else {
    for (let i = 0; i < count; i += 2) {
      // Box–Muller: two normals per two uniforms.
      const radius = Math.sqrt(-2 * Math.log(1 - random())) * init.normal;
      const angle = 2 * Math.PI * random();
      out[i] = radius * Math.cos(angle);
      if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
    }
  }
  return out;
}

function hashString(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}
