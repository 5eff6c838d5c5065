/**
 * The fine-tuning recipe and its defaults, apart from the training code so the CLI's help can
 * quote them without loading the runtime. Measured with `npm run bench:finetune` (see README.md).
 */

import { HarkError } from '../errors';

/** How a run trains; every field has a default tuned on the benchmark (scripts/bench-finetune.ts). */
export interface FineTuneRecipe {
  /** Conformer blocks that train, counted from the top (the output layer always trains). */
  trainableBlocks: number;
  /**
   * With every block trainable, the convolutional subsampling under them trains too: the lowest
   * layer, where a voice's spectrum is read first. The cache then holds the features.
   */
  trainSubsampling: boolean;
  peakLearningRate: number;
  warmupSteps: number;
  /**
   * Weight of ½·Σ(w − w_base)² (L2-SP) at `anchorReferenceMin` minutes of training audio; 0 for
   * none. See `anchorWeightFor`.
   */
  anchorWeight: number;
  /**
   * Training audio (minutes) at which `anchorWeight` holds as given. With less audio the pull
   * grows, with more it shrinks, in inverse proportion (within ×10 either way): the loss is a mean
   * over the data, so a prior of fixed strength weighs more against a smaller data set. 0 keeps
   * `anchorWeight` whatever the amount.
   */
  anchorReferenceMin: number;
  /** Audio seconds per batch. */
  batchSec: number;
  maxEpochs: number;
  /**
   * Train steps at most; null for no limit but the epochs and the time budget. The learning rate
   * decays over them as over the epochs. Where a machine fits more steps in its time budget than
   * the benchmark's 2-core CPU (a quicker CPU, a GPU), a run stops here instead of moving the
   * profile further from the base model, which forgets more on other voices; where it fits
   * fewer, the budget ends the run first.
   */
  maxSteps: number | null;
  /**
   * When the time budget will end the run before `maxEpochs` or `maxSteps`, the learning rate
   * decays over the time the budget leaves for training instead (`budgetFraction`, by whichever
   * is further along): a run on a slower machine anneals in fewer steps rather than stopping at a
   * high rate. false: the schedule follows the epochs and steps alone and the budget only cuts it
   * short.
   */
  decayWithinBudget: boolean;
  /**
   * Dropout rate on the residual branches of the trainable blocks (the feed-forward halves,
   * self-attention and the convolution module), on the user's rows only (the rehearsal rows run
   * as inference will, so distillation holds what the profile computes). It lets a run on a few
   * minutes of one voice go on improving on the held-back recordings for longer. 0 for none.
   */
  dropout: number;
  /** Validations without a better held-back score (mean of WER and CER) before stopping early. */
  patience: number;
  /** Share of the recordings held back for validation (at least one). */
  validationFraction: number;
  /**
   * SpecAugmented copies of the training recordings run through the frozen layers besides the
   * clean one; epochs cycle through them. 0 trains on clean audio only.
   */
  augmentedCopies: number;
  /**
   * Speeds of further SpecAugmented copies of the training recordings, each played that many
   * times faster by resampling (speed perturbation: 0.9 is slower and lower); [] for none.
   */
  speedFactors: number[];
  /**
   * Weight of the pull towards the base model's posteriors on its rehearsal set (cross-entropy
   * per frame); 0, or a base model without a rehearsal set, trains on the user's audio alone.
   */
  distillWeight: number;
  /** Rehearsal audio seconds added to every batch (when distilling; 0 turns distillation off). */
  rehearsalSecPerBatch: number;
  /**
   * Points of WER (greedy) the profile may lose against the base model on the base model's
   * forgetting check (held-out synthetic voices): weights of a validation that lose more never
   * become the result, however well they do on the user's voice. null (the default) only
   * measures and reports: adapting to a real voice moves a profile away from synthetic ones (a
   * reader's profile lost 4–10 points there while it did better on other real speakers), so a
   * bound refused good profiles. Ignored for a base model without a forgetting check.
   */
  maxForgettingPoints: number | null;
  /**
   * Share of the single-word training recordings joined in pairs ("five" + "three"), in every
   * copy, so a profile of spoken digits or commands keeps writing spaces between words
   * (word-pairs.ts); 0 trains on them as recorded.
   */
  pairSingleWords: number;
  /**
   * At most this many blocks train when most training recordings are single words (digits,
   * commands; `mostlySingleWords`); null: `trainableBlocks` whatever the recordings. A profile of
   * ten words learned its user's voice in the lowest block in a way that hurt other people's
   * sentences (README.md, "Single-word profiles").
   */
  singleWordTrainableBlocks: number | null;
  /**
   * When most training recordings are single words, the run also distils on the base model's
   * short utterances of other voices (`rehearsal-short`: lone words, two or three words), so the
   * profile does not learn that every short utterance is one of its user's few words.
   */
  rehearseShortUtterances: boolean;
  /**
   * After training, lower the blank's output bias by the offset at which the profile's greedy
   * transcripts of the base model's short utterances of other voices (`rehearsal-short`) hold as
   * many characters as the base model's (blank-calibration.ts): a reader's profile otherwise
   * wrote fewer words than the base model on other people's short utterances. Ignored for a base
   * model without that set.
   */
  calibrateBlank: boolean;
  seed: number;
}

export const DEFAULT_RECIPE: Readonly<FineTuneRecipe> = Object.freeze({
  trainableBlocks: 8,
  trainSubsampling: false,
  peakLearningRate: 4e-4,
  warmupSteps: 10,
  anchorWeight: 0.1,
  anchorReferenceMin: 4.5,
  batchSec: 40,
  maxEpochs: 80,
  maxSteps: 160,
  decayWithinBudget: true,
  dropout: 0.1,
  patience: 32,
  validationFraction: 0.15,
  augmentedCopies: 2,
  speedFactors: [0.9, 1.1],
  distillWeight: 30,
  rehearsalSecPerBatch: 40,
  maxForgettingPoints: null,
  pairSingleWords: 1,
  singleWordTrainableBlocks: 5,
  rehearseShortUtterances: true,
  calibrateBlank: true,
  seed: 1,
});

/**
 * What a run without distillation changes in the defaults (a base model without a rehearsal set):
 * fewer trainable blocks at a lower rate, which forget less (measured before distillation came).
 */
export const NO_REHEARSAL_RECIPE: Readonly<Partial<FineTuneRecipe>> = Object.freeze({
  trainableBlocks: 4,
  peakLearningRate: 3e-4,
  distillWeight: 0,
});

/**
 * Fields a run started by an older version lacks, as that version trained: without distillation,
 * and with the anchor weight as given whatever the amount of audio.
 */
export const LEGACY_RECIPE_FIELDS: Readonly<Partial<FineTuneRecipe>> = Object.freeze({
  distillWeight: 0,
  rehearsalSecPerBatch: 0,
  anchorReferenceMin: 0,
  pairSingleWords: 0,
  trainSubsampling: false,
  singleWordTrainableBlocks: null,
  rehearseShortUtterances: false,
  speedFactors: [],
  decayWithinBudget: false,
  dropout: 0,
  calibrateBlank: false,
  maxSteps: null,
});

/**
 * Refuses a step limit that is neither null nor a whole number of steps above zero
 * (INVALID_ARGUMENT), before a run starts.
 */
export function checkStepLimit(maxSteps: number | null): void {
  if (maxSteps !== null && !(Number.isInteger(maxSteps) && maxSteps > 0)) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `the step limit must be a whole number of steps above 0 (or null for none), not ${maxSteps}`,
    );
  }
}

/** How far the data's amount may scale the anchor's weight, either way. */
const ANCHOR_SCALE_LIMIT = 10;

/**
 * The L2-SP weight a run trains with, given its training audio in seconds.
 *
 * @example
 * anchorWeightFor(DEFAULT_RECIPE, 45); // 0.6: six times 0.1, for 0.75 min against 4.5
 */
export function anchorWeightFor(
  recipe: Pick<FineTuneRecipe, 'anchorWeight' | 'anchorReferenceMin'>,
  trainingAudioSec: number,
): number {
  if (recipe.anchorReferenceMin <= 0 || trainingAudioSec <= 0) return recipe.anchorWeight;
  const scale = (recipe.anchorReferenceMin * 60) / trainingAudioSec;
  return (
    recipe.anchorWeight * Math.min(ANCHOR_SCALE_LIMIT, Math.max(1 / ANCHOR_SCALE_LIMIT, scale))
  );
}
