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

/** The handle of a parameter of this architecture, declared with its dims and initialisation. */
function parameterGetter(binder: ParameterBinder, config: AcousticModelConfig) {
  const shapes = parameterShapes(config);
  return (name: string): TensorHandle => {
    const dims = shapes.get(name);
    if (!dims) throw new Error(`acoustic model: no parameter ${name}`);
    return binder.param(name, dims, parameterOptions(name, dims));
  };
}

/**
 * Emits the acoustic model into `g`. The same function builds the inference graph (parameters as
 * initializers) and the train step (parameters as inputs), so their names and layouts agree and
 * exporting a trained model is a copy of its tensors.
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
  const p = parameterGetter(binder, config);
  const d = config.modelDim;
  const halo = (config.subsamplingKernel - 1) / 2;
  const strided = { strides: [2], pads: [halo, halo] };

  // Subsampling: (N, 80, T) → (N, D, ⌈T/4⌉) → (N, T', D). Padded positions are zeroed after the
  // first convolution, so the second one's halo sees what it sees at the end of a lone utterance:
  // every frame of a padded batch matches a lone run.
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
  x = transpose(g, x, [0, 2, 1]);

  // Frames the model computes for each utterance alone: ⌈⌈T/2⌉/2⌉. sherpa-onnx reads ⌊T/4⌋ of them.
  const frameMask = validityMask(g, x, 1, halveRoundingUp(g, halfLengths));
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
    [inputs.lengths, g.constant(BigInt(config.subsamplingFactor), { type: 'int64' })],
    {},
    { outputShapes: [inputs.lengths.shape] },
  );

  for (let b = 0; b < config.blocks; b++) {
    const name = (suffix: string) => `blocks.${b}.${suffix}`;
    const half = g.constant(0.5, { type: 'float32' });
    const ffn = (which: string, input: TensorHandle) =>
      mul(
        g,
        feedForward(
          g,
          layerNorm(g, input, p(name(`${which}.norm.weight`)), p(name(`${which}.norm.bias`))),
          {
            w1: p(name(`${which}.w1`)),
            b1: p(name(`${which}.b1`)),
            w2: p(name(`${which}.w2`)),
            b2: p(name(`${which}.b2`)),
          },
        ),
        half,
      );
    x = add(g, x, ffn('ff1', x));

    const attnIn = layerNorm(g, x, p(name('attn.norm.weight')), p(name('attn.norm.bias')));
    const attention = selfAttention(
      g,
      attnIn,
      {
        query: p(name('attn.query.weight')),
        queryBias: p(name('attn.query.bias')),
        key: p(name('attn.key.weight')),
        keyBias: p(name('attn.key.bias')),
        value: p(name('attn.value.weight')),
        valueBias: p(name('attn.value.bias')),
        output: p(name('attn.output.weight')),
        outputBias: p(name('attn.output.bias')),
      },
      { heads: config.attentionHeads, maskBias: attentionBias },
    );
    x = add(g, x, attention);

    // Convolution module; padded frames are zeroed so a batch computes what one utterance would.
    let c = layerNorm(g, x, p(name('conv.norm.weight')), p(name('conv.norm.bias')));
    c = glu(g, linear(g, c, p(name('conv.pointwise1.weight')), p(name('conv.pointwise1.bias'))));
    c = transpose(g, mul(g, c, timeMask), [0, 2, 1]);
    const pad = (config.convKernel - 1) / 2;
    c = conv(g, c, p(name('conv.depthwise.weight')), p(name('conv.depthwise.bias')), {
      group: d,
      pads: [pad, pad],
    });
    c = transpose(g, c, [0, 2, 1]);
    c = silu(g, layerNorm(g, c, p(name('conv.depthnorm.weight')), p(name('conv.depthnorm.bias'))));
    c = linear(g, c, p(name('conv.pointwise2.weight')), p(name('conv.pointwise2.bias')));
    x = add(g, x, c);

    x = add(g, x, ffn('ff2', x));
    x = layerNorm(g, x, p(name('final_norm.weight')), p(name('final_norm.bias')));
  }

  const logits = linear(g, x, p('output.weight'), p('output.bias'));
  return { logits, logProbs: logSoftmax(g, logits, -1), outputLengths };
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
