import type { ParameterOptions } from '../train/parameters';

/**
 * The shape of Hark's acoustic model: 1-D convolutional subsampling (4×) followed by Conformer
 * blocks without absolute positions (the convolution module carries relative position), a linear
 * layer to the vocabulary and a log-softmax — a CTC model in the NeMo layout sherpa-onnx reads.
 */
export interface AcousticModelConfig {
  numMelBins: number;
  /** Width of every block. */
  modelDim: number;
  attentionHeads: number;
  /** Feed-forward hidden width = modelDim × feedForwardMultiple. */
  feedForwardMultiple: number;
  blocks: number;
  /** Depthwise convolution kernel of each block's convolution module (odd). */
  convKernel: number;
  /** Kernel of the two strided subsampling convolutions (odd). */
  subsamplingKernel: number;
  /** Output frames are this many input frames (two stride-2 convolutions). */
  subsamplingFactor: 4;
  vocabSize: number;
}

export const BASE_MODEL_CONFIG: Readonly<AcousticModelConfig> = Object.freeze({
  numMelBins: 80,
  modelDim: 144,
  attentionHeads: 4,
  feedForwardMultiple: 4,
  blocks: 8,
  convKernel: 15,
  subsamplingKernel: 5,
  subsamplingFactor: 4,
  vocabSize: 29,
});

/** Name → dims of every parameter, in a stable order. */
export function parameterShapes(config: AcousticModelConfig): Map<string, number[]> {
  const d = config.modelDim;
  const ff = d * config.feedForwardMultiple;
  const shapes = new Map<string, number[]>();
  const k = config.subsamplingKernel;
  shapes.set('subsampling.conv1.weight', [d, config.numMelBins, k]);
  shapes.set('subsampling.conv1.bias', [d]);
  shapes.set('subsampling.conv2.weight', [d, d, k]);
  shapes.set('subsampling.conv2.bias', [d]);
  for (let b = 0; b < config.blocks; b++) {
    const p = `blocks.${b}`;
    for (const ffName of ['ff1', 'ff2']) {
      shapes.set(`${p}.${ffName}.norm.weight`, [d]);
      shapes.set(`${p}.${ffName}.norm.bias`, [d]);
      shapes.set(`${p}.${ffName}.w1`, [d, ff]);
      shapes.set(`${p}.${ffName}.b1`, [ff]);
      shapes.set(`${p}.${ffName}.w2`, [ff, d]);
      shapes.set(`${p}.${ffName}.b2`, [d]);
    }
    shapes.set(`${p}.attn.norm.weight`, [d]);
    shapes.set(`${p}.attn.norm.bias`, [d]);
    for (const name of ['query', 'key', 'value', 'output']) {
      shapes.set(`${p}.attn.${name}.weight`, [d, d]);
      shapes.set(`${p}.attn.${name}.bias`, [d]);
    }
    shapes.set(`${p}.conv.norm.weight`, [d]);
    shapes.set(`${p}.conv.norm.bias`, [d]);
    shapes.set(`${p}.conv.pointwise1.weight`, [d, 2 * d]);
    shapes.set(`${p}.conv.pointwise1.bias`, [2 * d]);
    shapes.set(`${p}.conv.depthwise.weight`, [d, 1, config.convKernel]);
    shapes.set(`${p}.conv.depthwise.bias`, [d]);
    shapes.set(`${p}.conv.depthnorm.weight`, [d]);
    shapes.set(`${p}.conv.depthnorm.bias`, [d]);
    shapes.set(`${p}.conv.pointwise2.weight`, [d, d]);
    shapes.set(`${p}.conv.pointwise2.bias`, [d]);
    shapes.set(`${p}.final_norm.weight`, [d]);
    shapes.set(`${p}.final_norm.bias`, [d]);
  }
  shapes.set('output.weight', [d, config.vocabSize]);
  shapes.set('output.bias', [config.vocabSize]);
  return shapes;
}

export function parameterCount(config: AcousticModelConfig): number {
  let total = 0;
  for (const dims of parameterShapes(config).values()) total += dims.reduce((a, b) => a * b, 1);
  return total;
}

/**
 * How each parameter starts and whether AdamW decays it: norm gains start at 1, biases at 0 (both
 * undecayed); matrices (in, out) and kernels (out, in/group, k) start uniform in ±√(3 / fan-in),
 * which keeps activations' variance through the residual stream.
 */
export function parameterOptions(name: string, dims: readonly number[]): ParameterOptions {
  if (name.endsWith('norm.weight')) return { init: 'ones', decay: false };
  if (dims.length === 1) return { init: 'zeros', decay: false };
  const fanIn = dims.length === 3 ? dims[1]! * dims[2]! : dims[0]!;
  return { init: { uniform: Math.sqrt(3 / fanIn) }, decay: true };
}
