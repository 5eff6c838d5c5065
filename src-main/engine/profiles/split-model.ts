/**
 * Hark's acoustic model cut in two at a block boundary, for fine-tuning: the frozen prefix
 * (subsampling + the lower blocks) runs once per recording and its output is cached; the train
 * step holds only the upper blocks and the output layer, fed with the cached hidden states. With
 * `trainSubsampling` the prefix only turns the features time first, and the suffix starts with
 * the subsampling.
 *
 * Both halves compose the stages `emitAcousticModel` is made of (acoustic/conformer-ctc.ts), with
 * the same parameter names, so prefix → suffix computes what the whole model computes (checked by
 * test/engine/profiles/split-model.test.ts) and fine-tuned weights export unchanged.
 */
import type { AcousticModelConfig } from '../acoustic/config';
import {
  acousticParameters,
  emitConformerBlock,
  emitFrameMasks,
  emitOutputLayer,
  emitSubsampling,
  type AcousticModelInputs,
  type AcousticModelOutputs,
  type BranchDropout,
} from '../acoustic/conformer-ctc';
import { HarkError } from '../errors';
import type { GraphBuilder, TensorHandle } from '../onnx';
import { transpose } from '../train/ops';
import type { ParameterBinder } from '../train/parameters';

/** Graph input names of the suffix (the train step's batch inputs besides the CTC targets). */
export const SUFFIX_INPUTS = { hidden: 'hidden', featureLengths: 'length' } as const;
/** Graph output name of the prefix model. */
export const PREFIX_OUTPUT = 'hidden';

/** Where the model is cut. */
export interface ModelSplit {
  /** Blocks 0 … frozenBlocks−1 stay as they are and run once per recording. */
  frozenBlocks: number;
  /**
   * The subsampling trains too (only with no frozen block): the prefix then passes the features
   * through, time first, and the suffix starts at the subsampling.
   */
  trainSubsampling?: boolean;
}

/** Width of a cached frame: the features' mel bins when the subsampling trains, else the model's. */
export function cachedWidth(config: AcousticModelConfig, split: ModelSplit): number {
  return split.trainSubsampling ? config.numMelBins : config.modelDim;
}

/** The subsampling's output frames for `featureFrames` feature frames: ⌈⌈T/2⌉/2⌉. */
export function subsampledFrames(featureFrames: number): number {
  return Math.ceil(Math.ceil(featureFrames / 2) / 2);
}

/** Frames the prefix outputs for `featureFrames` feature frames. */
export function cachedFrames(featureFrames: number, split: ModelSplit): number {
  return split.trainSubsampling ? featureFrames : subsampledFrames(featureFrames);
}

function checkSplit(config: AcousticModelConfig, split: ModelSplit): void {
  const { frozenBlocks } = split;
  if (split.trainSubsampling && frozenBlocks !== 0) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `the subsampling can train only with every block, not with ${frozenBlocks} frozen`,
    );
  }
  if (!Number.isInteger(frozenBlocks) || frozenBlocks < 0 || frozenBlocks > config.blocks) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `frozenBlocks must be an integer from 0 to ${config.blocks}, got ${frozenBlocks}`,
    );
  }
}

/**
 * The frozen part: subsampling and blocks 0 … frozenBlocks−1. Returns the hidden states
 * (N, T', D) where T' = ⌈⌈T/2⌉/2⌉; frames past an utterance's own length are padding.
 *
 * @example
 * const { hidden } = emitFrozenPrefix(g, parameters.bindInference(g), { features, lengths }, config, { frozenBlocks: 6 });
 * g.output(hidden, PREFIX_OUTPUT);
 */
export function emitFrozenPrefix(
  g: GraphBuilder,
  binder: ParameterBinder,
  inputs: AcousticModelInputs,
  config: AcousticModelConfig,
  split: ModelSplit,
): { hidden: TensorHandle } {
  checkSplit(config, split);
  // The features (N, bins, T) pass through time first, as (N, T, bins).
  if (split.trainSubsampling) return { hidden: transpose(g, inputs.features, [0, 2, 1]) };
  const p = acousticParameters(binder, config);
  let x = emitSubsampling(g, p, inputs, config);
  const masks = emitFrameMasks(g, x, inputs.lengths, config);
  for (let b = 0; b < split.frozenBlocks; b++) x = emitConformerBlock(g, p, x, b, masks, config);
  return { hidden: x };
}

/**
 * The trainable part: blocks frozenBlocks … blocks−1 and the output layer (under them the
 * subsampling, with `trainSubsampling`), from the prefix's output and the utterances' feature
 * lengths (T, before subsampling).
 *
 * @example
 * const hidden = g.input(SUFFIX_INPUTS.hidden, 'float32', ['N', 'T', config.modelDim]);
 * const lengths = g.input(SUFFIX_INPUTS.featureLengths, 'int64', ['N']);
 * const { logits, outputLengths } = emitTrainableSuffix(g, binder, { hidden, lengths }, config, { frozenBlocks: 6 });
 */
export function emitTrainableSuffix(
  g: GraphBuilder,
  binder: ParameterBinder,
  inputs: { hidden: TensorHandle; lengths: TensorHandle },
  config: AcousticModelConfig,
  split: ModelSplit,
  /** Dropout on the residual branches of each trainable block (a train step's user rows). */
  dropout?: (block: number) => BranchDropout,
): AcousticModelOutputs {
  checkSplit(config, split);
  const p = acousticParameters(binder, config);
  let x = split.trainSubsampling
    ? emitSubsampling(
        g,
        p,
        { features: transpose(g, inputs.hidden, [0, 2, 1]), lengths: inputs.lengths },
        config,
      )
    : inputs.hidden;
  const masks = emitFrameMasks(g, x, inputs.lengths, config);
  for (let b = split.frozenBlocks; b < config.blocks; b++) {
    x = emitConformerBlock(g, p, x, b, masks, config, dropout?.(b));
  }
  return emitOutputLayer(g, p, x, masks);
}

/** Whether a parameter belongs to the frozen prefix of this split. */
export function isPrefixParameter(name: string, split: ModelSplit): boolean {
  if (name.startsWith('subsampling.')) return !split.trainSubsampling;
  const match = /^blocks\.(\d+)\./.exec(name);
  return match !== null && Number(match[1]) < split.frozenBlocks;
}
