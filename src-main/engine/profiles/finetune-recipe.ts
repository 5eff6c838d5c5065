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
  seed: number;
}

export const DEFAULT_RECIPE: Readonly<FineTuneRecipe> = Object.freeze({
  trainableBlocks: 4,
  peakLearningRate: 3e-4,
  warmupSteps: 10,
  anchorWeight: 0.1,
  batchSec: 40,
  maxEpochs: 40,
  patience: 8,
  validationFraction: 0.15,
  augmentedCopies: 2,
  seed: 1,
});
