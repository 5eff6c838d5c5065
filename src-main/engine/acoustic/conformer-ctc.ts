import type { GraphBuilder, TensorHandle } from '../onnx';
import type { ParameterBinder } from '../train/parameters';
import { dimTensor } from '../train/autodiff/shapes';
import {
  add,
  conv,
  feedForward,
  glu,
  layerNorm,
  linear,
  logSoftmax,
  mul,
  relu,
  selfAttention,
  silu,
  sub,
  transpose,
  unsqueeze,
} from '../train/ops';
import { parameterOptions, parameterShapes, type AcousticModelConfig } from './config';

export interface AcousticModelInputs {
  /** (N, numMelBins, T) normalised log-mel features. */
  features: TensorHandle;
  /** (N) int64: valid feature frames per utterance. */
  lengths: TensorHandle;
}

export interface AcousticModelOutputs {
  /** (N, T', V) before the log-softmax: what the CTC loss takes. */
  logits: TensorHandle;
  /** (N, T', V) log-probabilities: the inference model's output. */
  logProbs: TensorHandle;
  /** (N) int64: valid output frames, floor(length / subsamplingFactor) as sherpa-onnx counts them. */
  outputLengths: TensorHandle;
}

/** The masks every block needs, derived from the feature lengths. */
export interface FrameMasks {
  /** (N, T', 1): 1 on frames an utterance computes alone, 0 on padding. */
  timeMask: TensorHandle;
  /** (N, 1, 1, T'): 0 where a key may be attended, −10⁴ on padding. */
  attentionBias: TensorHandle;
  /** (N) int64: ⌊T / 4⌋, the output frames sherpa-onnx reads. */
  outputLengths: TensorHandle;
}

/**
 * Dropout on a block's residual branches, in a train step only: called with each branch's output
 * (`branch` 0: the first feed-forward half, 1: self-attention, 2: the convolution module, 3: the
 * second feed-forward half) before it is added back; returns the masked output.
 */
export type BranchDropout = (x: TensorHandle, branch: number) => TensorHandle;

/** Looks parameters up by name; `acousticParameters(binder, config)` makes one. */
export type ParameterGetter = (name: string) => TensorHandle;

/**
 * Emits the acoustic model into `g`. The same function builds the inference graph (parameters as
 * initializers) and the train step (parameters as inputs), so their names and layouts agree and
 * exporting a trained model is a copy of its tensors. It is the composition of the stages below,
 * which fine-tuning also uses to split the model into a frozen, cached prefix and a trained suffix.
 *
 * @example
 * const parameters = new ParameterSet({ seed: 1 });
 * const { logProbs } = emitAcousticModel(g, parameters.bindInference(g), { features, lengths }, config);
 */
export function emitAcousticModel(
  g: GraphBuilder,
  binder: ParameterBinder,
  inputs: AcousticModelInputs,
  config: AcousticModelConfig,
): AcousticModelOutputs {
  const p = acousticParameters(binder, config);
  let x = emitSubsampling(g, p, inputs, config);
  const masks = emitFrameMasks(g, x, inputs.lengths, config);
  for (let b = 0; b < config.blocks; b++) x = emitConformerBlock(g, p, x, b, masks, config);
  return emitOutputLayer(g, p, x, masks);
}

/** The handle of a parameter of this architecture, declared with its dims and initialisation. */
export function acousticParameters(
  binder: ParameterBinder,
  config: AcousticModelConfig,
): ParameterGetter {
  const shapes = parameterShapes(config);
  return (name: string): TensorHandle => {
    const dims = shapes.get(name);
    if (!dims) throw new Error(`acoustic model: no parameter ${name}`);
    return binder.param(name, dims, parameterOptions(name, dims));
  };
}

/**
 * (N, 80, T) → (N, T', D): two stride-2 convolutions. Padded positions are zeroed after the first
 * one, so the second one's halo sees what it sees at the end of a lone utterance: every frame of a
 * padded batch matches a lone run.
 */
export function emitSubsampling(
  g: GraphBuilder,
  p: ParameterGetter,
  inputs: AcousticModelInputs,
  config: AcousticModelConfig,
): TensorHandle {
  const halo = (config.subsamplingKernel - 1) / 2;
  const strided = { strides: [2], pads: [halo, halo] };
  const conv1 = conv(
    g,
    inputs.features,
    p('subsampling.conv1.weight'),
    p('subsampling.conv1.bias'),
    strided,
  );
  const halfLengths = halveRoundingUp(g, inputs.lengths);
  let x = mul(g, relu(g, conv1), unsqueeze(g, validityMask(g, conv1, 2, halfLengths), [1]));
  x = relu(g, conv(g, x, p('subsampling.conv2.weight'), p('subsampling.conv2.bias'), strided));
  return transpose(g, x, [0, 2, 1]);
}

/**
 * Masks over the subsampled frames `x` (N, T', D) from the feature lengths: the frames each
 * utterance computes alone are ⌈⌈T/2⌉/2⌉; sherpa-onnx reads ⌊T/4⌋ of them.
 */
export function emitFrameMasks(
  g: GraphBuilder,
  x: TensorHandle,
  featureLengths: TensorHandle,
  config: AcousticModelConfig,
): FrameMasks {
  const frameMask = validityMask(g, x, 1, halveRoundingUp(g, halveRoundingUp(g, featureLengths)));
  const timeMask = unsqueeze(g, frameMask, [2]);
  const attentionBias = unsqueeze(
    g,
    mul(
      g,
      sub(g, frameMask, g.constant(1, { type: 'float32' })),
      g.constant(1e4, { type: 'float32' }),
    ),
    [1, 2],
  );
  const outputLengths = g.op(
    'Div',
    [featureLengths, g.constant(BigInt(config.subsamplingFactor), { type: 'int64' })],
    {},
    { outputShapes: [featureLengths.shape] },
  );
  return { timeMask, attentionBias, outputLengths };
}

/**
 * Conformer block `b` (Macaron feed-forward halves around self-attention and a convolution module,
 * pre-norm residuals, a final LayerNorm; LayerNorm stands in for BatchNorm in the convolution
 * module, so a batch and a lone utterance compute the same).
 */
export function emitConformerBlock(
  g: GraphBuilder,
  p: ParameterGetter,
  input: TensorHandle,
  b: number,
  masks: FrameMasks,
  config: AcousticModelConfig,
  dropout?: BranchDropout,
): TensorHandle {
  const name = (suffix: string) => p(`blocks.${b}.${suffix}`);
  const drop = (x: TensorHandle, branch: number) => (dropout ? dropout(x, branch) : x);
  const half = g.constant(0.5, { type: 'float32' });
  const ffn = (which: string, x: TensorHandle) =>
    mul(
      g,
      feedForward(g, layerNorm(g, x, name(`${which}.norm.weight`), name(`${which}.norm.bias`)), {
        w1: name(`${which}.w1`),
        b1: name(`${which}.b1`),
        w2: name(`${which}.w2`),
        b2: name(`${which}.b2`),
      }),
      half,
    );
  let x = add(g, input, drop(ffn('ff1', input), 0));

  const attention = selfAttention(
    g,
    layerNorm(g, x, name('attn.norm.weight'), name('attn.norm.bias')),
    {
      query: name('attn.query.weight'),
      queryBias: name('attn.query.bias'),
      key: name('attn.key.weight'),
      keyBias: name('attn.key.bias'),
      value: name('attn.value.weight'),
      valueBias: name('attn.value.bias'),
      output: name('attn.output.weight'),
      outputBias: name('attn.output.bias'),
    },
    { heads: config.attentionHeads, maskBias: masks.attentionBias },
  );
  x = add(g, x, drop(attention, 1));

  // Convolution module; padded frames are zeroed so a batch computes what one utterance would.
  let c = layerNorm(g, x, name('conv.norm.weight'), name('conv.norm.bias'));
  c = glu(g, linear(g, c, name('conv.pointwise1.weight'), name('conv.pointwise1.bias')));
  c = transpose(g, mul(g, c, masks.timeMask), [0, 2, 1]);
  const pad = (config.convKernel - 1) / 2;
  c = conv(g, c, name('conv.depthwise.weight'), name('conv.depthwise.bias'), {
    group: config.modelDim,
    pads: [pad, pad],
  });
  c = transpose(g, c, [0, 2, 1]);
  c = silu(g, layerNorm(g, c, name('conv.depthnorm.weight'), name('conv.depthnorm.bias')));
  c = linear(g, c, name('conv.pointwise2.weight'), name('conv.pointwise2.bias'));
  x = add(g, x, drop(c, 2));

  x = add(g, x, drop(ffn('ff2', x), 3));
  return layerNorm(g, x, name('final_norm.weight'), name('final_norm.bias'));
}

/** (N, T', D) → logits and log-probabilities over the vocabulary. */
export function emitOutputLayer(
  g: GraphBuilder,
  p: ParameterGetter,
  x: TensorHandle,
  masks: FrameMasks,
): AcousticModelOutputs {
  const logits = linear(g, x, p('output.weight'), p('output.bias'));
  return { logits, logProbs: logSoftmax(g, logits, -1), outputLengths: masks.outputLengths };
}

/** (len + 1) / 2 in int64: the frames a stride-2 convolution with "same" padding leaves. */
function halveRoundingUp(g: GraphBuilder, lengths: TensorHandle): TensorHandle {
  const one = g.constant(1n, { type: 'int64' });
  const two = g.constant(2n, { type: 'int64' });
  return g.op('Div', [g.op('Add', [lengths, one]), two], {}, { outputShapes: [lengths.shape] });
}

/**
 * (N, T) float32 along `axis` of `x`: 1 where the position is below the utterance's valid length,
 * 0 on padding.
 */
function validityMask(
  g: GraphBuilder,
  x: TensorHandle,
  axis: number,
  validLengths: TensorHandle,
): TensorHandle {
  const batch = x.shape?.[0] ?? null;
  const size = x.shape?.[axis] ?? null;
  const count = g.op('Squeeze', [dimTensor(g, x, axis), g.int64s([0])], {}, { outputShapes: [[]] });
  const positions = g.op(
    'Range',
    [g.constant(0n, { type: 'int64' }), count, g.constant(1n, { type: 'int64' })],
    {},
    { outputShapes: [[size]] },
  );
  const valid = g.op(
    'Less',
    [
      g.op('Unsqueeze', [positions, g.int64s([0])]),
      g.op('Unsqueeze', [validLengths, g.int64s([1])]),
    ],
    {},
    { outputTypes: ['bool'], outputShapes: [[batch, size]] },
  );
  return g.op(
    'Cast',
    [valid],
    { to: 1 },
    { outputTypes: ['float32'], outputShapes: [[batch, size]] },
  );
}
