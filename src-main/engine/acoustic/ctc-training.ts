import { castTo, type GraphBuilder } from '../onnx';
import { ctcLoss } from '../train/ctc';
import { div, reduceSum } from '../train/ops';
import type { LossDefinition } from '../train/train-step';
import type { AcousticModelConfig } from './config';
import { emitAcousticModel } from './conformer-ctc';

/** The batch inputs of the CTC train step, as `packBatch` fills them. */
export const TRAIN_BATCH_INPUTS = {
  features: 'audio_signal',
  featureLengths: 'length',
  labels: 'targets',
  labelLengths: 'target_lengths',
} as const;

/**
 * The CTC objective of the acoustic model: the summed negative log-likelihood of the feasible
 * utterances divided by their number of target characters, so the loss (nats per character) and
 * the gradient's scale do not depend on how many utterances a batch holds. Metrics: `skipped`
 * (utterances whose text cannot fit their frames) and `characters`.
 *
 * @example
 * const step = buildTrainStep(ctcTrainingLoss(BASE_MODEL_CONFIG), parameters);
 */
export function ctcTrainingLoss(config: AcousticModelConfig): LossDefinition {
  return (g: GraphBuilder, binder) => {
    const features = g.input(TRAIN_BATCH_INPUTS.features, 'float32', ['N', config.numMelBins, 'T']);
    const lengths = g.input(TRAIN_BATCH_INPUTS.featureLengths, 'int64', ['N']);
    const targets = g.input(TRAIN_BATCH_INPUTS.labels, 'int64', ['N', 'L']);
    const targetLengths = g.input(TRAIN_BATCH_INPUTS.labelLengths, 'int64', ['N']);
    const { logits, outputLengths } = emitAcousticModel(g, binder, { features, lengths }, config);
    const { loss, feasible, infeasibleCount } = ctcLoss(
      g,
      { scores: logits, targets, inputLengths: outputLengths, targetLengths },
      { blankId: config.vocabSize - 1 },
    );
    const asFloat = (x: Parameters<typeof g.op>[1][number]) =>
      g.op('Cast', [x], { to: castTo('float32') }, { outputTypes: ['float32'] });
    const characters = g.op(
      'ReduceSum',
      [
        g.op('Mul', [asFloat(targetLengths), asFloat(feasible)], {}, { outputShapes: [['N']] }),
        g.int64s([0]),
      ],
      { keepdims: 0 },
      { outputShapes: [[]] },
    );
    const denominator = g.op(
      'Max',
      [characters, g.constant(1, { type: 'float32' })],
      {},
      {
        outputShapes: [[]],
      },
    );
    const total = reduceSum(g, loss, [0], { keepdims: false });
    return {
      loss: div(g, total, denominator),
      metrics: {
        skipped: g.op(
          'Cast',
          [infeasibleCount],
          { to: castTo('float32') },
          { outputTypes: ['float32'], outputShapes: [[]] },
        ),
        characters,
      },
    };
  };
}
