/**
 * The fine-tuning recipe and its defaults, apart from the training code so the CLI's help can
 * quote them without loading the runtime. Measured with `npm run bench:finetune` (see README.md).
 */

/** How a run trains; every field has a default tuned on the benchmark (scripts/bench-finetune.ts). */
export interface FineTuneRecipe {
  /** Conformer blocks that train, counted from the top (the output layer always trains). */
  trainableBlocks: number;
  peakLearningRate: number;
  warmupSteps: number;
  /** Weight of ½·Σ(w − w_base)² (L2-SP); 0 for none. */
  anchorWeight: number;
  /** Audio seconds per batch. */
  batchSec: number;
  maxEpochs: number;
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
   * Weight of the pull towards the base model's posteriors on its rehearsal set (cross-entropy
   * per frame); 0, or a base model without a rehearsal set, trains on the user's audio alone.
   */
  distillWeight: number;
  /** Rehearsal audio seconds added to every batch (when distilling; 0 turns distillation off). */
  rehearsalSecPerBatch: number;
  seed: number;
}

export const DEFAULT_RECIPE: Readonly<FineTuneRecipe> = Object.freeze({
  trainableBlocks: 8,
  peakLearningRate: 1e-3,
  warmupSteps: 10,
  anchorWeight: 0.1,
  batchSec: 40,
  maxEpochs: 40,
  patience: 8,
  validationFraction: 0.15,
  augmentedCopies: 2,
  distillWeight: 30,
  rehearsalSecPerBatch: 40,
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
 * Fields a run started by an older version lacks, as that version trained: without distillation.
 */
export const LEGACY_RECIPE_FIELDS: Readonly<Partial<FineTuneRecipe>> = Object.freeze({
  distillWeight: 0,
  rehearsalSecPerBatch: 0,
});
