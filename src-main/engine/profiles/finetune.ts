/**
 * Fine-tuning a profile's model on its recordings.
 *
 * Recipe: the subsampling and the lower Conformer blocks stay frozen and run once per recording
 * (their output is cached); only the top `trainableBlocks` blocks and the output layer train (and
 * the subsampling, with `trainSubsampling` under every block),
 * with AdamW at a small learning rate (warm-up, then linear decay), no weight decay towards zero
 * but an L2 pull towards the base weights (L2-SP, stronger the less audio there is: a few dozen
 * digits must not retune the model as a half-hour would), and early stopping on the validation WER of
 * 10–20 % of the recordings held back. Against forgetting, every batch also carries utterances
 * of the base model's rehearsal set (other voices, rehearsal-set.ts), and the loss pulls the
 * profile's posteriors on them towards the base model's (distillation). The base model's folder
 * is only read.
 *
 * Crash safety: the run lives in training/ (run.json, checkpoint.bin every few seconds and at
 * every validation, holding the best weights so far too). A killed or cancelled run resumes from
 * its checkpoint on the next call; the kept model in model/ is not touched until the user keeps
 * the new result (profile-store.ts).
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import type { AcousticModelConfig } from '../acoustic/config';
import { loadAcousticModel, writeAcousticModelFolder } from '../acoustic/model-export';
import { planBatches } from '../dataset/batching';
import type { ManifestEntry } from '../dataset/manifest';
import { characterTokens } from '../dataset/character-tokens';
import { HarkError, isHarkError } from '../errors';
import { MODEL_FILE } from '../model/model-folder';
import { openSession, type DeviceChoice } from '../runtime/onnx-runtime';
import { loadCheckpoint, saveCheckpoint, type Checkpoint } from '../train/checkpoint';
import type { ParameterSet } from '../train/parameters';
import { Trainer } from '../train/trainer';
import { describeBaseModel, type BaseModelRef } from './base-model';
import { profileModelName } from './profile-model-name';
import {
  buildPrefixModel,
  buildSuffixTrainStep,
  DROPOUT_BRANCHES,
  DROPOUT_INPUT,
  isTrainable,
  type SplitOptions,
} from './finetune-graphs';
import {
  checkDropoutRate,
  computeHiddenStates,
  distillationFeeds,
  dropoutMasks,
  suffixFeeds,
  type HiddenUtterance,
} from './hidden-states';
import {
  readForgettingCheck,
  readRehearsalSet,
  readShortRehearsalSet,
  rehearsalIndices,
} from './rehearsal-set';
import { fileError, pathExists, readJson, removeTree, writeJsonAtomic } from './profile-files';
import { readProfileManifest, toManifestEntries, type ProfileRecording } from './profile-manifest';
import { profilePaths, type ProfilePaths } from './profile-paths';
import { checkEnoughData, DEFAULT_MINIMUM_DATA, type MinimumData } from './minimum-data';
import { acquireRunLock } from './run-lock';
import { cachedWidth, SUFFIX_INPUTS, subsampledFrames } from './split-model';
import { blankOffsetFor, totalEmissions, withBlankOffset } from './blank-calibration';
import { SuffixScorer } from './suffix-scorer';
import { better } from './validation-choice';
import { budgetFraction, epochFitsBudget, RunClock } from './time-budget';
import {
  checkStepLimit,
  DEFAULT_RECIPE,
  anchorWeightFor,
  LEGACY_RECIPE_FIELDS,
  NO_REHEARSAL_RECIPE,
  type FineTuneRecipe,
} from './finetune-recipe';
import { seededRandom, shuffleInPlace } from '../dataset/batching';
import { DEFAULT_SPEC_AUGMENT } from '../dataset/spec-augment';
import { mostlySingleWords, pairSingleWords } from './word-pairs';

export { DEFAULT_RECIPE, type FineTuneRecipe } from './finetune-recipe';

export type FineTuneEvent =
  | { type: 'preparing'; fraction: number }
  | {
      type: 'resumed';
      step: number;
      elapsedSec: number;
      /** Of the run's planned length, as the step events count it. */
      fraction: number;
      /** The run so far, for its charts: the last steps' losses and every validation. */
      losses: { step: number; loss: number }[];
      validations: { step: number; wer: number; cer: number }[];
    }
  | {
      type: 'step';
      step: number;
      epoch: number;
      loss: number;
      learningRate: number;
      elapsedSec: number;
      /** Of the run's planned length (epochs, steps or time, whichever ends first). */
      fraction: number;
    }
  | {
      type: 'validation';
      step: number;
      epoch: number;
      wer: number;
      cer: number;
      /** The best so far (these weights are the ones the result will hold). */
      best: boolean;
      /**
       * WER on the base model's forgetting check (other voices), measured when the user's score
       * improved (and at step 0); absent otherwise, or without a forgetting check.
       */
      otherVoicesWer?: number;
      /** The user's score improved, but the weights lost too much on other voices. */
      forgot?: boolean;
      elapsedSec: number;
    };

export interface FineTuneOptions {
  /** The model to start from; default the profile's base model. */
  baseModelDir?: string;
  recipe?: Partial<FineTuneRecipe>;
  /**
   * Wall-clock budget of the training itself (all resumed parts together, preparing included).
   * Default 120 s. A run stops at the first step past it, but not before its first epoch ends.
   * A resumed run keeps the recipe and split it started with, but takes a new budget.
   */
  maxTrainingSec?: number;
  minimumData?: Partial<MinimumData>;
  device?: DeviceChoice;
  /** Intra-op threads; default all cores. */
  threads?: number;
  /** Seconds between checkpoints (also taken at every validation). Default 15. */
  checkpointEverySec?: number;
  /** Aborting stops after the current step, saves a checkpoint and rejects with CANCELLED. */
  signal?: AbortSignal;
  onProgress?: (event: FineTuneEvent) => void;
}

export interface ValidationExample {
  reference: string;
  before: string;
  after: string;
}

/** What a finished run achieved (training/result.json); kept or discarded by the user. */
export interface FineTuneResult {
  /** On the held-back recordings. */
  werBefore: number;
  werAfter: number;
  cerBefore: number;
  cerAfter: number;
  validationUtterances: number;
  trainingUtterances: number;
  trainingAudioSec: number;
  /** Wall-clock seconds of training (all resumed parts together, caching included). */
  trainingSec: number;
  steps: number;
  bestStep: number;
  epochs: number;
  /** `steps`: the recipe's `maxSteps`. */
  stoppedBecause: 'converged' | 'time' | 'epochs' | 'steps';
  recipe: FineTuneRecipe;
  /**
   * The L2-SP weight the run used: the recipe's, scaled by the amount of training audio (absent
   * from results of older versions).
   */
  anchorWeight?: number;
  /**
   * How much the blank's output bias was lowered after training (`calibrateBlank`,
   * blank-calibration.ts); the held-back and forgetting-check figures after are the calibrated
   * model's. Absent when the run did not calibrate.
   */
  blankOffset?: number;
  baseModel: BaseModelRef;
  /**
   * WER and CER (greedy) on the base model's forgetting check, other voices the run never
   * trained on: the base model's and the result's. Absent without a forgetting check.
   */
  otherVoices?: {
    utterances: number;
    werBefore: number;
    werAfter: number;
    cerBefore: number;
    cerAfter: number;
    /** The recipe's bound: weights that lost more points of WER here were refused; null: none. */
    maxRisePoints: number | null;
  };
  /** The new model folder (training/candidate until it is kept). */
  candidateDir: string;
  history: {
    step: number;
    epoch: number;
    wer: number;
    cer: number;
    otherVoicesWer?: number;
    forgot?: boolean;
  }[];
  examples: ValidationExample[];
  finishedAt: string;
}

/** run.json: fixed at the start of a run so a resumed run trains on the same split. */
interface RunPlan {
  startedAt: string;
  baseModel: BaseModelRef;
  recipe: FineTuneRecipe;
  maxTrainingSec: number;
  trainingIds: string[];
  validationIds: string[];
  /**
   * The L2-SP weight, fixed when the run starts: recordings removed before a resume do not
   * change what the run trains towards. Absent in runs of older versions (their recipe's).
   */
  anchorWeight?: number;
  /**
   * Whether most training recordings are single words (`mostlySingleWords`), fixed when the run
   * starts; the recipe's `trainableBlocks` already holds the blocks that train. Absent in runs of
   * older versions (false).
   */
  singleWords?: boolean;
}

/** Checkpoint meta: where the run stands. */
interface RunProgress {
  epoch: number;
  batchInEpoch: number;
  elapsedSec: number;
  werBefore: number;
  cerBefore: number;
  bestWer: number;
  bestCer: number;
  bestStep: number;
  validationsSinceBest: number;
  history: FineTuneResult['history'];
  beforeHypotheses: string[];
  /**
   * The base model's and the best weights' rates on the forgetting check; absent without one
   * (or in runs of older versions, which then do not check).
   */
  otherVoicesBefore?: { wer: number; cer: number };
  bestOtherVoices?: { wer: number; cer: number };
  /** Which forgetting check those figures are on (`forgettingCheckId`). */
  otherVoicesCheck?: string;
  /**
   * Seconds the base model's scoring took before training, on the held-back recordings and on
   * the forgetting check: what a resumed run expects its validations and its ending to take.
   */
  validationSec?: number;
  otherVoicesSec?: number;
  /**
   * Elapsed seconds at the run's first train step (after caching and scoring the base model):
   * where the time `budgetFraction` measures starts.
   */
  trainingStartSec?: number;
  /** The last LOSS_HISTORY steps' losses, so a resumed run's chart goes on from them. */
  losses?: { step: number; loss: number }[];
}

/** Steps whose loss a run keeps for its chart (the app plots at most 200). */
const LOSS_HISTORY = 200;
const RUN_FILE = 'run.json';
const CHECKPOINT_FILE = 'checkpoint.bin';
/** Checkpoint tensors holding the best weights so far. */
const BEST_PREFIX = 'best/';
const RESULT_FILE = 'result.json';
const CANDIDATE_DIR = 'candidate';
/** The output layer's bias: its last entry is the blank's (blank-calibration.ts). */
const OUTPUT_BIAS = 'output.bias';

/** training/ paths of a profile. */
export function runFiles(paths: ProfilePaths) {
  return {
    run: join(paths.trainingDir, RUN_FILE),
    checkpoint: join(paths.trainingDir, CHECKPOINT_FILE),
    result: join(paths.trainingDir, RESULT_FILE),
    candidate: join(paths.trainingDir, CANDIDATE_DIR),
  };
}

/**
 * The result waiting to be kept or discarded, or null.
 *
 * @example
 * const pending = await readPendingResult(profilePaths('profiles/Ada'));
 */
export async function readPendingResult(paths: ProfilePaths): Promise<FineTuneResult | null> {
  const file = runFiles(paths).result;
  if (!(await pathExists(file))) return null;
  return (await readJson(file)) as FineTuneResult;
}

/** Whether training/ holds an unfinished run that the next call resumes. */
export async function hasInterruptedRun(paths: ProfilePaths): Promise<boolean> {
  const files = runFiles(paths);
  return (await pathExists(files.run)) && !(await pathExists(files.result));
}

function splitRecordings(
  recordings: readonly ProfileRecording[],
  recipe: FineTuneRecipe,
): { trainingIds: string[]; validationIds: string[] } {
  // Ordered by where each recording came from (a stable sort: recordings of no file, such as
  // takes, keep the order they were added in). Ids are random, so they never decide: importing
  // the same files again (a new profile, the benchmark) holds back the same ones.
  const ids = [...recordings]
    .sort((a, b) =>
      (a.origin ?? '') < (b.origin ?? '') ? -1 : (a.origin ?? '') > (b.origin ?? '') ? 1 : 0,
    )
    .map((r) => r.id);
  shuffleInPlace(ids, seededRandom(recipe.seed * 7727 + 17));
  const held = Math.min(
    ids.length - 1,
    Math.max(1, Math.round(ids.length * recipe.validationFraction)),
  );
  return { validationIds: ids.slice(0, held), trainingIds: ids.slice(held) };
}

/**
 * Linear warm-up, then linear decay to a tenth of the peak as `runFraction` (the planned epochs
 * or steps, or the budget's training time) goes from 0 to 1.
 */
function learningRate(step: number, runFraction: number, recipe: FineTuneRecipe): number {
  const warm = Math.min(1, step / Math.max(1, recipe.warmupSteps));
  return recipe.peakLearningRate * warm * Math.max(0.1, 1 - runFraction);
}

/** What identifies a forgetting check: its utterances' texts and lengths, in order. */
function forgettingCheckId(entries: readonly ManifestEntry[]): string {
  const hash = createHash('sha256');
  for (const e of entries) hash.update(`${e.text}\t${e.durationSec}\n`);
  return `${entries.length}:${hash.digest('hex').slice(0, 16)}`;
}

/**
 * Whether weights with WER `wer` on the forgetting check lost more than `maxPoints` points of
 * WER against the base model's `baseWer` (rates are fractions, the bound is in points).
 */
function forgotTooMuch(wer: number, baseWer: number, maxPoints: number): boolean {
  return wer > baseWer + maxPoints / 100 + 1e-9;
}

/**
 * Other voices (the rehearsal set, the forgetting check) whose audio cannot be used: the base
 * model's folder is at fault.
 */
function otherVoicesError(error: unknown, baseDir: string, what: string): unknown {
  if (!isHarkError(error) || error.code === 'CANCELLED') return error;
  return new HarkError(
    'MODEL_INVALID',
    `the base model's ${what} cannot be used (reinstall Hark or its model): ${error.message}`,
    { file: error.file ?? baseDir, cause: error },
  );
}

function cancelled(): HarkError {
  return new HarkError('CANCELLED', 'fine-tuning was cancelled; it resumes from its checkpoint');
}

/**
 * Fine-tunes the model of the profile in `folder` on its recordings (or resumes the interrupted
 * run, or returns the finished result still waiting to be kept). Errors: NOT_ENOUGH_DATA (with
 * how much more is needed), PROFILE_BUSY (another process trains it), MODEL_INVALID (a base model
 * that is not a Hark character model), CANCELLED.
 *
 * @example
 * const result = await fineTuneProfileFolder('profiles/Ada', {
 *   onProgress: (e) => e.type === 'validation' && console.log(e.step, e.wer),
 *   signal: controller.signal,
 * });
 * console.log(result.werBefore, '→', result.werAfter);
 */
export async function fineTuneProfileFolder(
  folder: string,
  baseModelDir: string,
  options: FineTuneOptions = {},
): Promise<FineTuneResult> {
  const paths = profilePaths(folder);
  const lock = await acquireRunLock(paths.root);
  try {
    return await fineTuneLockedProfile(paths, baseModelDir, options);
  } finally {
    await lock.release();
  }
}

/**
 * `fineTuneProfileFolder` for a caller that already holds the profile's run lock
 * (`acquireRunLock`), so that it can change the profile's record under the same lock.
 */
export async function fineTuneLockedProfile(
  paths: ProfilePaths,
  baseModelDir: string,
  options: FineTuneOptions = {},
): Promise<FineTuneResult> {
  const pending = await readPendingResult(paths);
  if (pending) return pending;
  return runFineTune(paths, baseModelDir, options);
}

async function loadPlan(
  paths: ProfilePaths,
  base: BaseModelRef,
  recordings: readonly ProfileRecording[],
  options: FineTuneOptions,
  hasRehearsalSet: boolean,
): Promise<{ plan: RunPlan; checkpoint: Checkpoint | undefined }> {
  const files = runFiles(paths);
  if (await pathExists(files.run)) {
    const plan = (await readJson(files.run)) as RunPlan;
    if (plan.baseModel?.sha256 === base.sha256 && (await pathExists(files.checkpoint))) {
      const checkpoint = await loadCheckpoint(files.checkpoint).catch(() => undefined);
      // Fields a newer version added take the values that version trained with.
      if (checkpoint) {
        const recipe = { ...DEFAULT_RECIPE, ...LEGACY_RECIPE_FIELDS, ...plan.recipe };
        return { plan: { ...plan, recipe }, checkpoint };
      }
    }
  }
  // Without a rehearsal set nothing holds a profile to the base model but the anchor: train less.
  const recipe = {
    ...DEFAULT_RECIPE,
    ...(hasRehearsalSet ? {} : NO_REHEARSAL_RECIPE),
    ...options.recipe,
  };
  // Refused before anything is written, so the profile stays as it was.
  checkDropoutRate(recipe.dropout);
  checkStepLimit(recipe.maxSteps);
  // A fresh run: whatever an older, unusable run left goes.
  await removeTree(paths.trainingDir);
  await mkdir(paths.trainingDir, { recursive: true });
  checkEnoughData(recordings, { ...DEFAULT_MINIMUM_DATA, ...options.minimumData }, paths.root);
  const split = splitRecordings(recordings, recipe);
  const texts = new Map(recordings.map((r) => [r.id, r.text]));
  const singleWords = mostlySingleWords(split.trainingIds.map((id) => texts.get(id) ?? ''));
  // A profile of a few words adapts less: its lowest blocks stay as the base model's.
  if (singleWords && recipe.singleWordTrainableBlocks !== null) {
    recipe.trainableBlocks = Math.min(recipe.trainableBlocks, recipe.singleWordTrainableBlocks);
  }
  const plan: RunPlan = {
    startedAt: new Date().toISOString(),
    baseModel: base,
    recipe,
    maxTrainingSec: options.maxTrainingSec ?? 120,
    ...split,
    singleWords,
  };
  return { plan, checkpoint: undefined };
}

async function runFineTune(
  paths: ProfilePaths,
  baseModelDir: string,
  options: FineTuneOptions,
): Promise<FineTuneResult> {
  const files = runFiles(paths);
  const started = performance.now();
  const base = await describeBaseModel(baseModelDir);
  const recordings = await readProfileManifest(paths.manifestFile);
  const rehearsalSet = await readRehearsalSet(base.dir);
  const forgettingCheck = await readForgettingCheck(base.dir);
  const { plan, checkpoint } = await loadPlan(
    paths,
    base,
    recordings,
    options,
    rehearsalSet.length > 0,
  );
  // A resumed run keeps its recipe and split; a new time budget applies to it.
  if (options.maxTrainingSec !== undefined) plan.maxTrainingSec = options.maxTrainingSec;
  const recipe = plan.recipe;
  // Other voices' short utterances join the rehearsal set of a single-word profile, after it.
  const distilling = recipe.distillWeight > 0 && recipe.rehearsalSecPerBatch > 0;
  const shortRehearsal =
    recipe.calibrateBlank || (distilling && plan.singleWords === true)
      ? await readShortRehearsalSet(base.dir)
      : [];
  if (distilling && plan.singleWords === true && recipe.rehearseShortUtterances) {
    rehearsalSet.push(...shortRehearsal);
  }
  // The same short utterances set the result's blank rate to the base model's on other voices.
  const calibrationSet = recipe.calibrateBlank ? shortRehearsal : [];
  const byId = new Map(recordings.map((r) => [r.id, r]));
  const pick = (ids: string[]) => ids.map((id) => byId.get(id)).filter((r) => r !== undefined);
  const trainingRecordings = pick(plan.trainingIds);
  const validationRecordings = pick(plan.validationIds);
  if (validationRecordings.length === 0 || trainingRecordings.length === 0) {
    throw new HarkError('NOT_ENOUGH_DATA', 'the recordings of this run were removed', {
      file: paths.manifestFile,
    });
  }

  const { config, parameters } = await loadAcousticModel(join(base.dir, MODEL_FILE));
  if (config.vocabSize !== characterTokens().length) {
    throw new HarkError(
      'MODEL_INVALID',
      `fine-tuning needs a Hark character model (${characterTokens().length} tokens), this one has ${config.vocabSize}`,
      { file: base.dir },
    );
  }
  const frozenBlocks = Math.max(0, config.blocks - Math.min(recipe.trainableBlocks, config.blocks));
  // The subsampling trains only under every block: the run, its plan and its card say what it did.
  recipe.trainSubsampling &&= frozenBlocks === 0;
  const split: SplitOptions = { frozenBlocks, trainSubsampling: recipe.trainSubsampling };
  const width = cachedWidth(config, split);
  const device = options.device ?? 'cpu';
  const threads = options.threads ?? availableParallelism();
  const emit = options.onProgress ?? (() => undefined);
  const signal = options.signal;

  // 1. The frozen prefix, once per recording (and once per SpecAugmented copy of the training
  // recordings: the masks then pass through the frozen layers as they would in full training).
  const prefix = await openSession(buildPrefixModel(parameters, config, split), {
    device,
    threads,
    warmUpFeeds: 'skip',
    label: 'fine-tuning prefix',
  });
  const trainingEntries = toManifestEntries(trainingRecordings);
  // Speech that is not the user's, to keep the profile close to the base model on other voices.
  const rehearsalEntries = distilling ? rehearsalSet : [];
  // A resumed run goes on checking only against the check it started with: a run of an older
  // version (which did not check), or one whose base model's check changed or went, goes on
  // without it.
  const checkId = forgettingCheckId(forgettingCheck);
  const checking =
    forgettingCheck.length > 0 &&
    (!checkpoint || (checkpoint.meta as Partial<RunProgress>).otherVoicesCheck === checkId);
  // Each SpecAugmented copy draws its masks from its own seed (1 + copy), whatever else runs.
  const passes: {
    entries: ManifestEntry[];
    seed: number;
    augment: boolean;
    /** Which of the base model's sets of other voices this is (its errors name it). */
    baseModelSet?: string;
    speed?: number;
  }[] = [
    { entries: toManifestEntries(validationRecordings), seed: 0, augment: false },
    { entries: rehearsalEntries, seed: -1, augment: false, baseModelSet: 'rehearsal set' },
    {
      entries: checking ? forgettingCheck : [],
      seed: -2,
      augment: false,
      baseModelSet: 'forgetting check',
    },
    { entries: calibrationSet, seed: -3, augment: false, baseModelSet: 'short rehearsal set' },
    ...Array.from({ length: recipe.augmentedCopies + 1 }, (_, copy) => ({
      entries: trainingEntries,
      seed: 1 + copy,
      augment: copy > 0,
    })),
    ...recipe.speedFactors.map((speed, index) => ({
      entries: trainingEntries,
      seed: 101 + index,
      augment: true,
      speed,
    })),
  ];
  const totalSec = passes.reduce((s, p) => s + p.entries.reduce((t, e) => t + e.durationSec, 0), 0);
  const cached: HiddenUtterance[][] = [];
  let doneSec = 0;
  try {
    for (const pass of passes) {
      const passSec = pass.entries.reduce((t, e) => t + e.durationSec, 0);
      const what = pass.baseModelSet;
      const states = computeHiddenStates(prefix, pass.entries, config, {
        split,
        ...(pass.speed !== undefined ? { speed: pass.speed } : {}),
        ...(signal ? { signal } : {}),
        ...(pass.augment
          ? {
              specAugment: DEFAULT_SPEC_AUGMENT,
              random: seededRandom(recipe.seed * 131 + pass.seed),
            }
          : {}),
        onProgress: (fraction) =>
          emit({ type: 'preparing', fraction: (doneSec + fraction * passSec) / totalSec }),
      });
      cached.push(
        what !== undefined
          ? await states.catch((error: unknown) => {
              throw otherVoicesError(error, base.dir, what);
            })
          : await states,
      );
      doneSec += passSec;
    }
  } finally {
    await prefix.dispose();
  }
  const [validation, rehearsal, otherVoices, calibration, ...cachedCopies] = cached as [
    HiddenUtterance[],
    HiddenUtterance[],
    HiddenUtterance[],
    HiddenUtterance[],
    ...HiddenUtterance[][],
  ];
  const training = cachedCopies[0]!;
  // Single words (digits, commands) partly joined in pairs, so the profile keeps word boundaries.
  const trainingCopies = cachedCopies.map((copy, index) =>
    pairSingleWords(copy, seededRandom(recipe.seed * 977 + index), recipe.pairSingleWords, split),
  );

  // 2. The train step and the scorer.
  const baseWeights = new Map(
    parameters.names
      .filter((n) => isTrainable(n, split))
      .map((n) => [n, parameters.get(n).slice()]),
  );
  const bestWeights = new Map(
    [...baseWeights].map(([name, values]) => [
      name,
      checkpoint?.tensors.get(`${BEST_PREFIX}${name}`)?.data ?? values,
    ]),
  );
  const distill = distilling && rehearsal.length > 0;
  const trainingAudioSec = training.reduce((sum, u) => sum + u.durationSec, 0);
  const anchorWeight = plan.anchorWeight ?? anchorWeightFor(recipe, trainingAudioSec);
  plan.anchorWeight = anchorWeight;
  const step = buildSuffixTrainStep(parameters, config, {
    ...split,
    anchorWeight,
    distill,
    dropout: recipe.dropout > 0,
  });
  const trainer = await Trainer.create(step, parameters, {
    device,
    threads,
    // Fully optimising the train step's graph took ONNX Runtime 11 s of cathy's 120 s on 2 cores,
    // basic optimisation 5 s, and the steps ran no faster for it (0.90 s median either way).
    cpuGraphOptimization: 'basic',
    ...(checkpoint ? { checkpoint } : {}),
  });
  const scorer = await SuffixScorer.open(parameters, config, split, { device, threads });
  try {
    // The base model's posteriors on the rehearsal set: what distillation holds the run to.
    const teacher = distill
      ? await scorer.posteriors(rehearsal, (n) => baseWeights.get(n)!, parameters)
      : [];
    const meanRehearsalSec =
      rehearsal.reduce((sum, u) => sum + u.durationSec, 0) / Math.max(1, rehearsal.length);
    const rehearsalPerBatch = distill
      ? Math.max(1, Math.round(recipe.rehearsalSecPerBatch / meanRehearsalSec))
      : 0;
    // The characters the base model writes on the calibration set, and how long scoring it takes
    // (the ending scores the result there once more).
    const calibrationStarted = performance.now();
    const blankTarget =
      calibration.length > 0
        ? totalEmissions(
            await scorer.logProbabilities(calibration, (n) => baseWeights.get(n)!, parameters),
            config.vocabSize,
          )
        : 0;
    const calibrationSec = (performance.now() - calibrationStarted) / 1000;
    if (signal?.aborted) throw cancelled();
    // The user's rows and, when distilling, the rehearsal rows with the base model's posteriors.
    const rowFeeds = (stepNumber: number, members: HiddenUtterance[]) => {
      if (!distill) return suffixFeeds(members, width, { withTargets: true });
      const extra = rehearsalIndices(stepNumber, rehearsalPerBatch, rehearsal.length);
      return distillationFeeds(
        members,
        extra.map((i) => ({ utterance: rehearsal[i]!, posteriors: teacher[i]! })),
        {
          width,
          vocabSize: config.vocabSize,
          trainSubsampling: recipe.trainSubsampling,
        },
        recipe.distillWeight,
      );
    };
    // Dropout masks are drawn from the step's number, so a resumed run draws what an
    // uninterrupted one would.
    const batchFeeds = (stepNumber: number, members: HiddenUtterance[]) => {
      const feeds = rowFeeds(stepNumber, members);
      if (recipe.dropout > 0) {
        const paddedFrames = feeds[SUFFIX_INPUTS.hidden]!.dims[1]!;
        feeds[DROPOUT_INPUT] = dropoutMasks(
          {
            sites: (config.blocks - split.frozenBlocks) * DROPOUT_BRANCHES,
            rows: members.length,
            frames: recipe.trainSubsampling ? subsampledFrames(paddedFrames) : paddedFrames,
            width: config.modelDim,
          },
          recipe.dropout,
          recipe.seed * 7919 + stepNumber,
        );
      }
      return feeds;
    };
    let progress: RunProgress;
    if (checkpoint) {
      progress = checkpoint.meta as unknown as RunProgress;
      if (!checking) {
        delete progress.otherVoicesBefore;
        delete progress.bestOtherVoices;
        delete progress.otherVoicesCheck;
      }
    } else {
      const scoringStarted = performance.now();
      const before = await scorer.errorRates(validation, (n) => baseWeights.get(n)!, parameters);
      const validationSec = (performance.now() - scoringStarted) / 1000;
      const othersBefore =
        otherVoices.length > 0
          ? await scorer.errorRates(otherVoices, (n) => baseWeights.get(n)!, parameters)
          : undefined;
      const otherVoicesSec = (performance.now() - scoringStarted) / 1000 - validationSec;
      progress = {
        epoch: 0,
        batchInEpoch: 0,
        elapsedSec: 0,
        werBefore: before.wer,
        cerBefore: before.cer,
        bestWer: before.wer,
        bestCer: before.cer,
        bestStep: 0,
        validationsSinceBest: 0,
        history: [
          {
            step: 0,
            epoch: 0,
            wer: before.wer,
            cer: before.cer,
            ...(othersBefore ? { otherVoicesWer: othersBefore.wer } : {}),
          },
        ],
        beforeHypotheses: before.hypotheses,
        validationSec,
        otherVoicesSec,
        ...(othersBefore
          ? {
              otherVoicesBefore: { wer: othersBefore.wer, cer: othersBefore.cer },
              bestOtherVoices: { wer: othersBefore.wer, cer: othersBefore.cer },
              otherVoicesCheck: checkId,
            }
          : {}),
      };
      await writeJsonAtomic(files.run, plan);
      await trainer
        .save(files.checkpoint, progress as unknown as Record<string, unknown>)
        .catch((error: unknown) => {
          throw fileError(error, files.checkpoint, 'saving the training checkpoint');
        });
      emit({
        type: 'validation',
        step: 0,
        epoch: 0,
        wer: before.wer,
        cer: before.cer,
        best: true,
        ...(othersBefore ? { otherVoicesWer: othersBefore.wer } : {}),
        elapsedSec: 0,
      });
    }
    // The result is scored on the forgetting check at the end, unless a bound scored it already.
    const scoresOthersAtEnd =
      checking && progress.otherVoicesBefore !== undefined && recipe.maxForgettingPoints === null;
    const clock = new RunClock(
      progress.validationSec ?? 0,
      (scoresOthersAtEnd ? (progress.otherVoicesSec ?? 0) : 0) + calibrationSec,
    );
    const resumedElapsed = progress.elapsedSec;
    const elapsed = () => resumedElapsed + (performance.now() - started) / 1000;

    const copyOf = (epoch: number) => trainingCopies[epoch % trainingCopies.length]!;
    const batchPlan = (epoch: number) =>
      planBatches(
        copyOf(epoch).map((u) => u.durationSec),
        {
          maxBatchSec: recipe.batchSec,
          maxUtterances: 64,
          seed: recipe.seed * 1000 + epoch,
        },
      );
    // The current epoch's batches (each epoch trains on its own copy, in its own order).
    let batches = batchPlan(progress.epoch);
    const epochFraction = () =>
      Math.min(
        1,
        (progress.epoch + progress.batchInEpoch / Math.max(1, batches.length)) / recipe.maxEpochs,
      );
    // The planned length: the epochs, or the step limit where that ends the run first.
    const maxSteps = recipe.maxSteps ?? Infinity;
    const stepsLeft = () => Math.max(0, maxSteps - trainer.stepCount);
    const plannedFraction = () =>
      Math.max(epochFraction(), Math.min(1, trainer.stepCount / maxSteps));
    progress.trainingStartSec ??= elapsed();
    const trainingStartSec = progress.trainingStartSec;
    // The learning rate decays over the planned epochs or steps, or over the time the budget
    // leaves for training where that is further along (`decayWithinBudget`): while the epochs or
    // steps keep ahead of the budget, the schedule does not depend on the machine's speed. The
    // budget's share can shrink when a validation goes quicker than the one before; the rate
    // never rises for it.
    let scheduleReached = 0;
    const scheduleFraction = () => {
      if (!recipe.decayWithinBudget) return plannedFraction();
      const byBudget = budgetFraction(
        { elapsedSec: elapsed(), budgetSec: plan.maxTrainingSec, trainingStartSec },
        clock.timings(),
      );
      scheduleReached = Math.max(scheduleReached, plannedFraction(), byBudget);
      return scheduleReached;
    };
    // Progress shows whichever ends first, the epochs, the steps or the budget; the budget never
    // ends the first epoch, so it shows at most 99 % until that epoch is done.
    const fraction = () => {
      const byTime = elapsed() / plan.maxTrainingSec;
      return Math.min(
        1,
        Math.max(plannedFraction(), progress.epoch === 0 ? Math.min(0.99, byTime) : byTime),
      );
    };
    if (checkpoint) {
      emit({
        type: 'resumed',
        step: trainer.stepCount,
        elapsedSec: progress.elapsedSec,
        fraction: fraction(),
        losses: (progress.losses ?? []).map(({ step, loss }) => ({ step, loss })),
        validations: progress.history.map(({ step, wer, cer }) => ({ step, wer, cer })),
      });
    }
    // One file holds the live state and the best weights, so the two always agree.
    const save = async () => {
      progress.elapsedSec = elapsed();
      const state = trainer.checkpoint(progress as unknown as Record<string, unknown>);
      for (const [name, data] of bestWeights) {
        state.tensors.set(`${BEST_PREFIX}${name}`, { dims: parameters.spec(name).dims, data });
      }
      // A failed save (a full disk) leaves the previous checkpoint whole: the write is atomic.
      await saveCheckpoint(files.checkpoint, state).catch((error: unknown) => {
        throw fileError(error, files.checkpoint, 'saving the training checkpoint');
      });
      lastSave = performance.now();
    };
    let lastSave = performance.now();
    const checkpointEveryMs = (options.checkpointEverySec ?? 15) * 1000;
    let stoppedBecause: FineTuneResult['stoppedBecause'] = 'epochs';

    training: while (progress.epoch < recipe.maxEpochs) {
      if (progress.validationsSinceBest >= recipe.patience) {
        stoppedBecause = 'converged';
        break;
      }
      // At an epoch's end only: a run resumed within the epoch where it reached the limit
      // validates those steps first (below).
      if (stepsLeft() === 0 && progress.batchInEpoch === 0) {
        stoppedBecause = 'steps';
        break;
      }
      batches = batchPlan(progress.epoch);
      // The first epoch always runs (below); a later one only if it and the ending fit.
      const startingEpoch = progress.epoch > 0 && progress.batchInEpoch === 0;
      const stepsInEpoch = Math.min(batches.length, stepsLeft());
      if (
        startingEpoch &&
        !epochFitsBudget(
          { elapsedSec: elapsed(), budgetSec: plan.maxTrainingSec, stepsInEpoch },
          clock.timings(),
        )
      ) {
        stoppedBecause = 'time';
        break;
      }
      for (; progress.batchInEpoch < batches.length; progress.batchInEpoch++) {
        if (signal?.aborted) {
          await save();
          throw cancelled();
        }
        // The first epoch always runs: on a slow or busy machine, preparing (caching the frozen
        // layers' output, scoring the base model) can take the whole budget, and a run with no
        // step gives the user nothing.
        if (elapsed() >= plan.maxTrainingSec && progress.epoch > 0) {
          stoppedBecause = 'time';
          break training;
        }
        // The step limit may fall within an epoch: its steps so far are validated as an epoch's.
        if (stepsLeft() === 0) break;
        const copy = copyOf(progress.epoch);
        const members = batches[progress.batchInEpoch]!.map((i) => copy[i]!);
        const lr = learningRate(trainer.stepCount + 1, scheduleFraction(), recipe);
        const report = await clock.step(() =>
          trainer.step(batchFeeds(trainer.stepCount + 1, members), { learningRate: lr }),
        );
        const loss = report.metrics.ctc ?? report.loss;
        progress.losses ??= [];
        progress.losses.push({ step: report.step, loss });
        if (progress.losses.length > LOSS_HISTORY) progress.losses.shift();
        emit({
          type: 'step',
          step: report.step,
          epoch: progress.epoch,
          loss,
          learningRate: lr,
          elapsedSec: elapsed(),
          fraction: fraction(),
        });
        if (performance.now() - lastSave >= checkpointEveryMs) {
          progress.batchInEpoch++;
          await clock.overhead(save);
          progress.batchInEpoch--;
        }
      }
      progress.epoch++;
      progress.batchInEpoch = 0;

      const bound = recipe.maxForgettingPoints;
      const { wer, cer, improved, others } = await clock.validation(async () => {
        const rates = await scorer.errorRates(validation, (n) => trainer.parameter(n), parameters);
        const improved = better(rates.wer, rates.cer, progress.bestWer, progress.bestCer);
        // Under a bound, weights that would become the result are checked on other voices first;
        // without one, only the result is measured there, once, at the end.
        const others =
          improved && bound !== null && otherVoices.length > 0 && progress.otherVoicesBefore
            ? await scorer.errorRates(otherVoices, (n) => trainer.parameter(n), parameters)
            : undefined;
        return { ...rates, improved, others };
      });
      const forgot =
        others !== undefined &&
        bound !== null &&
        forgotTooMuch(others.wer, progress.otherVoicesBefore!.wer, bound);
      const isBest = improved && !forgot;
      progress.history.push({
        step: trainer.stepCount,
        epoch: progress.epoch,
        wer,
        cer,
        ...(others ? { otherVoicesWer: others.wer } : {}),
        ...(forgot ? { forgot } : {}),
      });
      if (isBest) {
        progress.bestWer = wer;
        progress.bestCer = cer;
        progress.bestStep = trainer.stepCount;
        if (others) progress.bestOtherVoices = { wer: others.wer, cer: others.cer };
        progress.validationsSinceBest = 0;
        for (const name of bestWeights.keys())
          bestWeights.set(name, trainer.parameter(name).slice());
      } else {
        progress.validationsSinceBest++;
      }
      // Saved before it is reported: what a user saw survives a kill.
      await clock.overhead(save);
      emit({
        type: 'validation',
        step: trainer.stepCount,
        epoch: progress.epoch,
        wer,
        cer,
        best: isBest,
        ...(others ? { otherVoicesWer: others.wer } : {}),
        ...(forgot ? { forgot } : {}),
        elapsedSec: elapsed(),
      });
    }

    // 3. The best weights become the candidate model.
    for (const [name, values] of bestWeights) parameters.set(name, values);
    // The blank's bias moves so the result writes as much as the base model on other voices.
    let blankOffset: number | undefined;
    if (calibration.length > 0 && isTrainable(OUTPUT_BIAS, split)) {
      const rows = await scorer.logProbabilities(calibration, (n) => parameters.get(n), parameters);
      blankOffset = blankOffsetFor(rows, blankTarget, config.vocabSize);
      parameters.set(OUTPUT_BIAS, withBlankOffset(parameters.get(OUTPUT_BIAS), blankOffset));
    }
    const calibrated = blankOffset !== undefined && blankOffset !== 0;
    // What the user sees is what the exported model does: scored again when calibration moved it.
    const after = calibrated
      ? await scorer.errorRates(validation, (n) => parameters.get(n), parameters)
      : {
          wer: progress.bestWer,
          cer: progress.bestCer,
          hypotheses: await scorer.transcribe(validation, (n) => parameters.get(n), parameters),
        };
    const othersAfter =
      checking && progress.otherVoicesBefore
        ? recipe.maxForgettingPoints === null || calibrated
          ? await scorer.errorRates(otherVoices, (n) => parameters.get(n), parameters)
          : progress.bestOtherVoices
        : undefined;
    const result: FineTuneResult = {
      werBefore: progress.werBefore,
      werAfter: after.wer,
      cerBefore: progress.cerBefore,
      cerAfter: after.cer,
      validationUtterances: validation.length,
      trainingUtterances: training.length,
      trainingAudioSec,
      trainingSec: elapsed(),
      steps: trainer.stepCount,
      bestStep: progress.bestStep,
      epochs: progress.epoch,
      stoppedBecause,
      recipe,
      anchorWeight,
      ...(blankOffset !== undefined ? { blankOffset } : {}),
      baseModel: base,
      ...(progress.otherVoicesBefore && othersAfter
        ? {
            otherVoices: {
              utterances: otherVoices.length,
              werBefore: progress.otherVoicesBefore.wer,
              werAfter: othersAfter.wer,
              cerBefore: progress.otherVoicesBefore.cer,
              cerAfter: othersAfter.cer,
              maxRisePoints: recipe.maxForgettingPoints,
            },
          }
        : {}),
      candidateDir: files.candidate,
      history: progress.history,
      examples: validation.slice(0, 5).map((u, i) => ({
        reference: u.text,
        before: progress.beforeHypotheses[i] ?? '',
        after: after.hypotheses[i] ?? '',
      })),
      finishedAt: new Date().toISOString(),
    };
    // Until result.json exists the run counts as interrupted: a failure here (a full disk)
    // leaves the checkpoint, and the next call writes the candidate again.
    await writeCandidate(files.candidate, parameters, config, result, basename(paths.root)).catch(
      (error: unknown) => {
        throw fileError(error, files.candidate, 'writing the fine-tuned model');
      },
    );
    await writeJsonAtomic(files.result, result);
    return result;
  } finally {
    await scorer.dispose();
    await trainer.dispose();
  }
}

async function writeCandidate(
  dir: string,
  parameters: ParameterSet,
  config: AcousticModelConfig,
  result: FineTuneResult,
  profileName: string,
): Promise<void> {
  await removeTree(dir);
  await writeAcousticModelFolder(dir, parameters, config, {
    name: profileModelName(profileName),
    description: `A voice profile's fine-tune of ${result.baseModel.id}`,
    baseModel: result.baseModel,
    recipe: { ...result.recipe, anchorWeightUsed: result.anchorWeight },
    metrics: {
      heldBack: {
        utterances: result.validationUtterances,
        werBefore: result.werBefore,
        werAfter: result.werAfter,
        cerBefore: result.cerBefore,
        cerAfter: result.cerAfter,
      },
      ...(result.otherVoices ? { otherVoices: result.otherVoices } : {}),
    },
    training: {
      utterances: result.trainingUtterances,
      audioSec: result.trainingAudioSec,
      wallSec: result.trainingSec,
      steps: result.steps,
      bestStep: result.bestStep,
      ...(result.blankOffset !== undefined ? { blankOffset: result.blankOffset } : {}),
    },
    createdAt: result.finishedAt,
  });
}
