/**
 * The three ONNX models a fine-tuning run uses, all cut at the same block:
 * - the prefix (frozen layers, run once per recording: features → hidden states),
 * - the suffix train step (CTC loss + a pull towards the base weights, AdamW inside),
 * - the suffix scorer (hidden states + the current trainable weights → log-probabilities), to
 *   measure validation WER between steps without rebuilding a model.
 */
import type { AcousticModelConfig } from '../acoustic/config';
import { TRAIN_BATCH_INPUTS } from '../acoustic/ctc-training';
import { castTo, GraphBuilder, type TensorHandle } from '../onnx';
import { ctcLoss } from '../train/ctc';
import { add, div, mul, neg, reduceSum, sub } from '../train/ops';
import type { ParameterSet } from '../train/parameters';
import { buildTrainStep, type TrainStepModel } from '../train/train-step';
import type { AdamWOptions } from '../train/adamw';
import {
  cachedWidth,
  emitFrozenPrefix,
  emitTrainableSuffix,
  isPrefixParameter,
  PREFIX_OUTPUT,
  SUFFIX_INPUTS,
  type ModelSplit,
} from './split-model';

/** The output of the scorer model. */
export const SCORER_OUTPUT = 'logprobs';

/**
 * Batch inputs of a train step built with `distill`: the base model's rehearsal utterances, run
 * through the same trainable layers as the user's (padded on their own, so short user clips are
 * not padded to a long rehearsal sentence).
 */
export const DISTILL_INPUTS = {
  /**
   * (R, T2, D) float: the frozen prefix's output for the rehearsal utterances; with
   * `trainSubsampling`, their features time first, (R, T2f, 80), T2 = ⌈⌈T2f/2⌉/2⌉.
   */
  hidden: 'rehearsal_hidden',
  /** (R) int64: their feature frames (before subsampling). */
  featureLengths: 'rehearsal_length',
  /** (R, T2, V) float: the base model's posteriors on them, 0 on padding frames. */
  teacherProbs: 'teacher_probs',
  /** () float: the distillation weight over the batch's teacher frames. */
  distillScale: 'distill_scale',
} as const;

/**
 * The train step's dropout masks (with `dropout`): (S, N, T', D) float, 0 or 1 / (1 − p), one
 * (N, T', D) mask per residual branch of each trainable block (S = 4 × trainable blocks, in
 * block order, `DROPOUT_BRANCHES` per block), over the subsampled frames. Made in JS from a
 * seeded generator, so a step is reproducible.
 */
export const DROPOUT_INPUT = 'dropout_mask';
/** Residual branches per Conformer block that dropout masks. */
export const DROPOUT_BRANCHES = 4;

/** Where a run cuts the model (split-model.ts). */
export type SplitOptions = ModelSplit;

/**
 * The frozen prefix as an inference model: `audio_signal` (N, 80, T) and `length` (N) in,
 * `hidden` (N, ⌈⌈T/2⌉/2⌉, D) out; with `trainSubsampling`, the features time first (N, T, 80).
 *
 * @example
 * const session = await openSession(buildPrefixModel(parameters, config, { frozenBlocks: 6 }));
 */
export function buildPrefixModel(
  parameters: ParameterSet,
  config: AcousticModelConfig,
  split: SplitOptions,
): Uint8Array {
  const g = new GraphBuilder({ name: 'hark_finetune_prefix' });
  const features = g.input(TRAIN_BATCH_INPUTS.features, 'float32', ['N', config.numMelBins, 'T']);
  const lengths = g.input(TRAIN_BATCH_INPUTS.featureLengths, 'int64', ['N']);
  const { hidden } = emitFrozenPrefix(
    g,
    parameters.bindInference(g),
    { features, lengths },
    config,
    split,
  );
  g.output(hidden, PREFIX_OUTPUT);
  return g.toModelBytes({ producerName: 'hark' });
}

export interface SuffixStepOptions extends SplitOptions {
  /**
   * Weight of ½·Σ(w − w_base)² over the trainable weights (L2-SP): keeps the profile close to
   * the base model so it does not forget other voices. 0 turns it off.
   */
  anchorWeight: number;
  /**
   * Adds the rehearsal inputs (DISTILL_INPUTS) and the term −scale·Σ p_base·log p over them:
   * cross-entropy to the base model's posteriors on speech that is not the user's, so the
   * profile keeps behaving like the base model on other voices (learning without forgetting).
   */
  distill?: boolean;
  /**
   * Adds the DROPOUT_INPUT masks, applied to the user's rows only (the rehearsal rows run as the
   * profile will run, so distillation holds what inference computes).
   */
  dropout?: boolean;
  optimizer?: AdamWOptions;
}

/** Whether a parameter trains in a run split this way. */
export function isTrainable(name: string, split: SplitOptions): boolean {
  return !isPrefixParameter(name, split);
}

/**
 * The suffix train step. Batch inputs: `hidden` (N, T', D) as the prefix gives it (split-model.ts
 * cachedWidth, cachedFrames), `length` (N, feature frames),
 * `targets` (N, L), `target_lengths` (N). Loss: CTC in nats per character (as the base model's
 * training counts it) plus the anchor term; metrics `ctc`, `skipped`, `characters`.
 *
 * @example
 * const step = buildSuffixTrainStep(parameters, config, { frozenBlocks: 6, anchorWeight: 1e-3 });
 * const trainer = await Trainer.create(step, parameters, { threads: 2 });
 */
export function buildSuffixTrainStep(
  parameters: ParameterSet,
  config: AcousticModelConfig,
  options: SuffixStepOptions,
): TrainStepModel {
  // The anchor values are copies: the Trainer writes trained values back into `parameters`.
  const anchors = new Map<string, Float32Array>();
  for (const name of parameters.names) {
    if (isTrainable(name, options)) anchors.set(name, parameters.get(name).slice());
  }
  return buildTrainStep(
    (g, binder) => {
      const width = cachedWidth(config, options);
      const hidden = g.input(SUFFIX_INPUTS.hidden, 'float32', ['N', 'T', width]);
      const lengths = g.input(SUFFIX_INPUTS.featureLengths, 'int64', ['N']);
      const targets = g.input(TRAIN_BATCH_INPUTS.labels, 'int64', ['N', 'L']);
      const targetLengths = g.input(TRAIN_BATCH_INPUTS.labelLengths, 'int64', ['N']);
      const trainable: TensorHandle[] = [];
      const recordingBinder = {
        param: (...args: Parameters<typeof binder.param>) => {
          const handle = binder.param(...args);
          if (isTrainable(args[0], options) && !trainable.includes(handle)) trainable.push(handle);
          return handle;
        },
      };
      const dropoutMask = options.dropout
        ? g.input(DROPOUT_INPUT, 'float32', ['S', 'N', 'T2', config.modelDim])
        : undefined;
      const branchDropout = dropoutMask
        ? (block: number) => (x: TensorHandle, branch: number) => {
            const site = (block - options.frozenBlocks) * DROPOUT_BRANCHES + branch;
            const mask = g.op(
              'Gather',
              [dropoutMask, g.constant(BigInt(site), { type: 'int64' })],
              { axis: 0 },
              { outputShapes: [['N', 'T2', config.modelDim]] },
            );
            return mul(g, x, mask);
          }
        : undefined;
      const { logits, outputLengths } = emitTrainableSuffix(
        g,
        recordingBinder,
        { hidden, lengths },
        config,
        options,
        branchDropout,
      );
      const ctc = ctcLoss(
        g,
        { scores: logits, targets, inputLengths: outputLengths, targetLengths },
        { blankId: config.vocabSize - 1 },
      );
      const asFloat = (x: TensorHandle, shape: (string | number)[]) =>
        g.op(
          'Cast',
          [x],
          { to: castTo('float32') },
          { outputTypes: ['float32'], outputShapes: [shape] },
        );
      const characters = g.op(
        'ReduceSum',
        [
          g.op(
            'Mul',
            [asFloat(targetLengths, ['N']), asFloat(ctc.feasible, ['N'])],
            {},
            { outputShapes: [['N']] },
          ),
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
      const perCharacter = div(g, reduceSum(g, ctc.loss, [0], { keepdims: false }), denominator);
      const metrics: Record<string, TensorHandle> = {
        ctc: perCharacter,
        skipped: asFloat(ctc.infeasibleCount, []),
        characters,
      };

      let loss = perCharacter;
      if (options.distill) {
        // The same trainable layers (the same parameter handles) on the rehearsal utterances.
        const rehearsal = emitTrainableSuffix(
          g,
          recordingBinder,
          {
            // Features when the subsampling trains: more frames than the posteriors.
            hidden: g.input(DISTILL_INPUTS.hidden, 'float32', [
              'R',
              options.trainSubsampling ? 'T2f' : 'T2',
              width,
            ]),
            lengths: g.input(DISTILL_INPUTS.featureLengths, 'int64', ['R']),
          },
          config,
          options,
        );
        const teacher = g.input(DISTILL_INPUTS.teacherProbs, 'float32', [
          'R',
          'T2',
          config.vocabSize,
        ]);
        const scale = g.input(DISTILL_INPUTS.distillScale, 'float32', []);
        const crossEntropy = neg(
          g,
          reduceSum(g, mul(g, teacher, rehearsal.logProbs), undefined, { keepdims: false }),
        );
        const distillation = mul(g, crossEntropy, scale);
        metrics.distill = distillation;
        loss = add(g, loss, distillation);
      }
      if (options.anchorWeight > 0) {
        let penalty: TensorHandle | undefined;
        for (const handle of trainable) {
          const anchor = anchors.get(handle.name);
          if (anchor === undefined) continue;
          const base = g.initializer(`anchor/${handle.name}`, anchor, handle.shape as number[]);
          const difference = sub(g, handle, base);
          const squares = reduceSum(g, mul(g, difference, difference), undefined, {
            keepdims: false,
          });
          penalty = penalty === undefined ? squares : add(g, penalty, squares);
        }
        if (penalty !== undefined) {
          const weight = g.constant(options.anchorWeight / 2, { type: 'float32' });
          loss = add(g, loss, mul(g, penalty, weight));
        }
      }
      return { loss, metrics };
    },
    parameters,
    {
      trainable: (name) => isTrainable(name, options),
      optimizer: { weightDecay: 0, maxGradNorm: 1, ...options.optimizer },
      name: 'hark_finetune_step',
    },
  );
}

/**
 * The suffix as a scorer: `hidden`, `length` and every trainable weight (under its own name) in,
 * `logprobs` (N, T', V) out. One session scores any weights a run produces.
 *
 * @example
 * const out = await scorer.run({ hidden, length, ...currentWeights });
 */
export function buildSuffixScorer(
  parameters: ParameterSet,
  config: AcousticModelConfig,
  split: SplitOptions,
): Uint8Array {
  const g = new GraphBuilder({ name: 'hark_finetune_scorer' });
  const hidden = g.input(SUFFIX_INPUTS.hidden, 'float32', ['N', 'T', cachedWidth(config, split)]);
  const lengths = g.input(SUFFIX_INPUTS.featureLengths, 'int64', ['N']);
  const binder = parameters.bindTraining(g, { trainable: (name) => isTrainable(name, split) });
  const { logProbs } = emitTrainableSuffix(g, binder, { hidden, lengths }, config, split);
  g.output(logProbs, SCORER_OUTPUT);
  return g.toModelBytes({ producerName: 'hark' });
}
