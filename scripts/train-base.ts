/**
 * Trains Hark's base English acoustic model on the synthetic corpus (`npm run corpus`).
 *
 *   npm run train:base -- [--corpus work-data/corpus] [--run work-data/train] [--out models/base-en]
 *                         [--minutes N] [--threads 2] [--peak-lr 0.0015] [--warmup 300] [--batch-sec 100]
 *                         [--background-pad 0.5] [--frequency-warp 0.1] [--cooldown-steps N]
 *
 * Runs for hours in the background and survives being stopped: the whole state (parameters, AdamW
 * moments, step, position in the epoch) is checkpointed atomically to RUN/checkpoint.bin every few
 * minutes and on SIGINT/SIGTERM, and the next run resumes from it. On a fresh machine without that
 * checkpoint it continues from the shipped model in OUT (fresh moments), else starts from scratch.
 * Every `--eval-every-min` minutes the model is exported and scored on the dev set (greedy WER and
 * CER); the one with the lowest CER is written to OUT with its card. Logs go to RUN/train.log and RUN/metrics.jsonl.
 *
 * `--cooldown-steps N` ends the run with the learning rate falling linearly to zero over the next N
 * steps (a resumed run carries on with the cool-down it started); a later run without it warms the
 * rate up again and carries on with the usual schedule.
 */
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BASE_MODEL_CONFIG,
  parameterCount,
  parameterOptions,
  parameterShapes,
  type AcousticModelConfig,
} from '../src-main/engine/acoustic/config';
import { ctcTrainingLoss } from '../src-main/engine/acoustic/ctc-training';
import {
  loadAcousticModel,
  writeAcousticModelFolder,
} from '../src-main/engine/acoustic/model-export';
import { loadTrainingBatch } from '../src-main/engine/acoustic/training-data';
import { readAudioWhole } from '../src-main/engine/audio';
import { planBatches, seededRandom } from '../src-main/engine/dataset/batching';
import { readManifest, type ManifestEntry } from '../src-main/engine/dataset/manifest';
import {
  DEFAULT_BACKGROUND_PADDING,
  type BackgroundPadding,
} from '../src-main/engine/dataset/background-padding';
import {
  DEFAULT_FREQUENCY_WARP,
  type FrequencyWarpOptions,
} from '../src-main/engine/dataset/frequency-warp';
import { DEFAULT_SPEC_AUGMENT } from '../src-main/engine/dataset/spec-augment';
import { Engine } from '../src-main/engine/engine';
import { wordErrorRate, charErrorRate } from '../src-main/engine/text/error-rate';
import { loadCheckpoint, type Checkpoint } from '../src-main/engine/train/checkpoint';
import {
  cooldownFinished,
  learningRate as scheduledLearningRate,
  planCooldown,
  type Cooldown,
} from '../src-main/engine/train/lr-schedule';
import { ParameterSet } from '../src-main/engine/train/parameters';
import { buildTrainStep } from '../src-main/engine/train/train-step';
import { Trainer } from '../src-main/engine/train/trainer';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', default: 'work-data/corpus' },
    run: { type: 'string', default: 'work-data/train' },
    out: { type: 'string', default: 'models/base-en' },
    minutes: { type: 'string', default: 'Infinity' },
    threads: { type: 'string', default: '2' },
    'peak-lr': { type: 'string', default: '0.0005' },
    warmup: { type: 'string', default: '300' },
    'batch-sec': { type: 'string', default: '100' },
    'max-utterance-sec': { type: 'string', default: '16' },
    'eval-every-min': { type: 'string', default: '20' },
    'checkpoint-every-min': { type: 'string', default: '5' },
    'dev-utterances': { type: 'string', default: '150' },
    seed: { type: 'string', default: '1' },
    /** Chance per side of an utterance of a pad of background noise (0 for none). */
    'background-pad': { type: 'string', default: String(DEFAULT_BACKGROUND_PADDING.probability) },
    /** Largest vocal tract length perturbation, as a fraction of the frequency (0 for none). */
    'frequency-warp': { type: 'string', default: String(DEFAULT_FREQUENCY_WARP.maxWarp) },
    /** End the run with a linear decay of the learning rate to zero over this many steps. */
    'cooldown-steps': { type: 'string' },
  },
});

const corpusDir = resolve(args.corpus!);
const runDir = resolve(args.run!);
const outDir = resolve(args.out!);
const checkpointFile = join(runDir, 'checkpoint.bin');
const budgetMs = Number(args.minutes) * 60_000;
const threads = Number(args.threads);
const peakLr = Number(args['peak-lr']);
const warmupSteps = Number(args.warmup);
const batchSec = Number(args['batch-sec']);
const maxUtteranceSec = Number(args['max-utterance-sec']);
const evalEveryMs = Number(args['eval-every-min']) * 60_000;
const checkpointEveryMs = Number(args['checkpoint-every-min']) * 60_000;
const devUtterances = Number(args['dev-utterances']);
const seed = Number(args.seed);
const cooldownSteps =
  args['cooldown-steps'] === undefined ? undefined : Number(args['cooldown-steps']);
if (cooldownSteps !== undefined && !(Number.isInteger(cooldownSteps) && cooldownSteps > 0)) {
  console.error(
    `--cooldown-steps must be a positive whole number, not "${args['cooldown-steps']}"`,
  );
  process.exit(2);
}
const backgroundPadding: BackgroundPadding = {
  ...DEFAULT_BACKGROUND_PADDING,
  probability: Number(args['background-pad']),
};

const frequencyWarp: FrequencyWarpOptions = {
  ...DEFAULT_FREQUENCY_WARP,
  maxWarp: Number(args['frequency-warp']),
};
if (!(frequencyWarp.maxWarp >= 0 && frequencyWarp.maxWarp < 0.5)) {
  console.error(
    `--frequency-warp must be at least 0 and under 0.5, not "${args['frequency-warp']}"`,
  );
  process.exit(2);
}

/** Position and history that a checkpoint carries besides the tensors. */
interface RunState {
  config: AcousticModelConfig;
  /** Optimizer steps over the model's whole life (the learning-rate schedule follows it). */
  globalStep: number;
  epoch: number;
  batchInEpoch: number;
  trainedAudioSec: number;
  trainingWallSec: number;
  bestDevWer: number | null;
  /**
   * The export criterion: character error rate, which keeps falling while word error rate is still
   * pinned near or above 100 % early in training.
   */
  bestDevCer?: number | null;
  history: { globalStep: number; devWer: number; devCer: number; trainedAudioHours: number }[];
  /**
   * The step at which AdamW's moments last started from zero (continuing from the shipped model):
   * the learning rate warms up again from there, as the first updates of fresh moments are as
   * large as the learning rate in every weight.
   */
  freshMomentsAtStep?: number;
  /** The step from which utterances got background padding (models before it never had any). */
  backgroundPaddingFromStep?: number;
  /** The padding settings of the run that started it (the card records those). */
  backgroundPadding?: BackgroundPadding;
  /** The step from which utterances got the frequency warp (models before it never had it). */
  frequencyWarpFromStep?: number;
  /** The warp settings of the run that started it (the card records those). */
  frequencyWarp?: FrequencyWarpOptions;
  /** The cool-down under way, or the one that ended the last run. */
  cooldown?: Cooldown;
  /** Cool-downs that ended earlier runs (training carried on after them). */
  pastCooldowns?: Cooldown[];
  /** The step from which the rate last ramped up again after a cool-down. */
  rewarmedAfterCooldownAtStep?: number;
}

/** Steps over which the learning rate ramps up again after the moments were reset. */
const REWARM_STEPS = 100;

/** The learning rate of optimizer step `step` under this run's schedule. */
function learningRate(step: number, state: RunState): number {
  const rewarmFrom = Math.max(
    state.freshMomentsAtStep ?? -Infinity,
    state.rewarmedAfterCooldownAtStep ?? -Infinity,
  );
  return scheduledLearningRate(step, {
    peakLr,
    warmupSteps,
    rewarmSteps: REWARM_STEPS,
    rewarmFromStep: Number.isFinite(rewarmFrom) ? rewarmFrom : undefined,
    cooldown: state.cooldown,
  });
}

async function log(line: string): Promise<void> {
  const stamped = `${new Date().toISOString()} ${line}`;
  console.log(stamped);
  await appendFile(join(runDir, 'train.log'), stamped + '\n');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function declareParameters(parameters: ParameterSet, config: AcousticModelConfig): void {
  for (const [name, dims] of parameterShapes(config)) {
    parameters.declare(name, dims, parameterOptions(name, dims));
  }
}

async function startingPoint(): Promise<{
  parameters: ParameterSet;
  checkpoint: Checkpoint | undefined;
  state: RunState;
}> {
  const fresh = (config: AcousticModelConfig): RunState => ({
    config,
    globalStep: 0,
    epoch: 0,
    batchInEpoch: 0,
    trainedAudioSec: 0,
    trainingWallSec: 0,
    bestDevWer: null,
    history: [],
  });
  if (await exists(checkpointFile)) {
    const checkpoint = await loadCheckpoint(checkpointFile);
    const state = checkpoint.meta as unknown as RunState;
    const parameters = new ParameterSet({ seed });
    declareParameters(parameters, state.config);
    await Trainer.restoreParameters(checkpointFile, parameters);
    await log(`resuming from ${checkpointFile} at step ${state.globalStep}`);
    return { parameters, checkpoint, state };
  }
  const shipped = join(outDir, 'model.onnx');
  if (await exists(shipped)) {
    const { config, parameters } = await loadAcousticModel(shipped);
    const card = JSON.parse(await readFile(join(outDir, 'model.json'), 'utf8')) as {
      training?: Partial<RunState>;
    };
    const state: RunState = {
      ...fresh(config),
      ...card.training,
      config,
      epoch: 0,
      batchInEpoch: 0,
    };
    state.freshMomentsAtStep = state.globalStep;
    // A cool-down the export was made in (finished or not) belongs to that run, not to this one.
    if (state.cooldown !== undefined) {
      state.pastCooldowns = [...(state.pastCooldowns ?? []), state.cooldown];
      delete state.cooldown;
    }
    await log(
      `continuing from the shipped model ${shipped} (step ${state.globalStep}, fresh moments)`,
    );
    return { parameters, checkpoint: undefined, state };
  }
  const parameters = new ParameterSet({ seed });
  declareParameters(parameters, BASE_MODEL_CONFIG);
  await log(`starting from scratch: ${parameterCount(BASE_MODEL_CONFIG)} parameters`);
  return { parameters, checkpoint: undefined, state: fresh({ ...BASE_MODEL_CONFIG }) };
}

/**
 * The dev CER a new export has to beat, for states written before `bestDevCer` was kept (a
 * checkpoint or card of an older version): the exported model's own, from its card in OUT, else
 * the lowest in the history. Without either the first evaluation exports.
 */
async function backfillBestDevCer(state: RunState): Promise<void> {
  if (state.bestDevCer !== undefined && state.bestDevCer !== null) return;
  const card =
    (await readFile(join(outDir, 'model.json'), 'utf8').then(
      (text) => JSON.parse(text) as { metrics?: { syntheticDev?: { cer?: number } } },
      () => undefined,
    )) ?? {};
  const exported = card.metrics?.syntheticDev?.cer;
  const cers = state.history.map((h) => h.devCer).filter((c) => Number.isFinite(c));
  state.bestDevCer =
    typeof exported === 'number' && Number.isFinite(exported)
      ? exported
      : cers.length > 0
        ? Math.min(...cers)
        : null;
}

async function trainingEntries(): Promise<ManifestEntry[]> {
  const entries = await readManifest(join(corpusDir, 'train', 'manifest.jsonl'));
  return entries.filter((e) => e.durationSec <= maxUtteranceSec && e.text.length > 0);
}

async function evaluateDev(
  modelDir: string,
  dev: readonly ManifestEntry[],
): Promise<{ wer: number; cer: number; rtf: number }> {
  const engine = await Engine.create({ modelDir, device: 'cpu', threads });
  const references: string[] = [];
  const hypotheses: string[] = [];
  let audioSec = 0;
  const started = performance.now();
  try {
    for (const entry of dev) {
      const { samples } = await readAudioWhole(entry.audioPath);
      const result = await engine.transcribeSamples(samples);
      references.push(entry.text);
      hypotheses.push(result.text);
      audioSec += samples.length / 16000;
    }
  } finally {
    await engine.dispose();
  }
  const rtf = (performance.now() - started) / 1000 / audioSec;
  return {
    wer: wordErrorRate(references, hypotheses).rate,
    cer: charErrorRate(references, hypotheses).rate,
    rtf,
  };
}

function modelCard(state: RunState, corpusSummary: unknown, devWer: number, devCer: number) {
  return {
    name: 'base-en',
    description:
      "Hark's embedded English acoustic model: character CTC, 1-D convolutional 4x subsampling + Conformer blocks, trained by this repository's scripts on synthetic speech only.",
    architecture: state.config,
    parameters: parameterCount(state.config),
    tokens: 'characters: ▁ a-z apostrophe, blank last',
    frontEnd:
      '16 kHz, 80 log-mel bins (25 ms Hann, 10 ms hop, 512-point FFT, Slaney mel), per-feature normalisation',
    data: {
      corpus: corpusSummary,
      note: 'Synthetic speech (espeak-ng, flite, festival) over Common Voice and LJSpeech sentences, CMU ARCTIC prompts excluded, with short utterances beside them (lone words, runs of two or three words, digits: corpus.settings.shortUtterances, corpus.splits.train.shortUtterances) when the corpus has them; no speaker of the evaluation sets.',
    },
    recipe: {
      objective: 'CTC (nats per character)',
      optimizer: 'AdamW (beta 0.9/0.98, weight decay 0.01 on matrices), global-norm clipping at 1',
      learningRate: `linear warm-up to ${peakLr} over ${warmupSteps} steps, then inverse square root (re-warmed over ${REWARM_STEPS} steps when continuing with fresh moments or after a cool-down)`,
      ...(state.cooldown === undefined && state.pastCooldowns === undefined
        ? {}
        : {
            cooldown:
              'with --cooldown-steps N the rate falls linearly to zero over the run’s next N steps, then the run stops (training.cooldown, training.pastCooldowns)',
          }),
      batchAudioSec: batchSec,
      specAugment: DEFAULT_SPEC_AUGMENT,
      ...(state.backgroundPaddingFromStep === undefined
        ? {}
        : {
            backgroundPadding: {
              ...(state.backgroundPadding ?? backgroundPadding),
              fromStep: state.backgroundPaddingFromStep,
            },
          }),
      ...(state.frequencyWarpFromStep === undefined
        ? {}
        : {
            frequencyWarp: {
              ...(state.frequencyWarp ?? frequencyWarp),
              fromStep: state.frequencyWarpFromStep,
            },
          }),
      command: 'npm run corpus && npm run train:base',
    },
    training: {
      globalStep: state.globalStep,
      trainedAudioSec: Math.round(state.trainedAudioSec),
      trainingWallSec: Math.round(state.trainingWallSec),
      bestDevWer: state.bestDevWer,
      bestDevCer: state.bestDevCer ?? null,
      ...(state.backgroundPaddingFromStep === undefined
        ? {}
        : { backgroundPaddingFromStep: state.backgroundPaddingFromStep }),
      ...(state.frequencyWarpFromStep === undefined
        ? {}
        : { frequencyWarpFromStep: state.frequencyWarpFromStep }),
      ...(state.cooldown === undefined ? {} : { cooldown: state.cooldown }),
      ...(state.pastCooldowns === undefined ? {} : { pastCooldowns: state.pastCooldowns }),
      history: state.history,
    },
    metrics: { syntheticDev: { wer: devWer, cer: devCer } },
    createdAt: new Date().toISOString(),
  };
}

async function main(): Promise<void> {
  await mkdir(runDir, { recursive: true });
  const { parameters, checkpoint, state } = await startingPoint();
  await backfillBestDevCer(state);
  // A cool-down under way carries on; a finished one is filed and the rate warms up again; then
  // --cooldown-steps starts a new one.
  const cooldownPlan = planCooldown(state, cooldownSteps);
  delete state.cooldown;
  Object.assign(state, cooldownPlan.state);
  for (const message of cooldownPlan.messages) await log(message);
  const endsWithCooldown = cooldownPlan.endsWithCooldown;
  const config = state.config;
  const step = buildTrainStep(ctcTrainingLoss(config), parameters, {
    trainable: () => true,
    name: 'base_en_train_step',
  });
  const trainer = await Trainer.create(step, parameters, {
    threads,
    ...(checkpoint ? { checkpoint } : {}),
  });
  const corpusSummary = JSON.parse(
    await readFile(join(corpusDir, 'corpus.json'), 'utf8'),
  ) as unknown;
  const devAll = await readManifest(join(corpusDir, 'dev', 'manifest.jsonl'));
  const dev = devAll
    .filter((_, i) => i % Math.max(1, Math.floor(devAll.length / devUtterances)) === 0)
    .slice(0, devUtterances);

  let stopping = false;
  const stop = (signal: string) => {
    if (!stopping) void log(`${signal}: finishing the current step, then saving`);
    stopping = true;
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const started = Date.now();
  let lastCheckpoint = Date.now();
  let lastEval = Date.now();
  const save = async () => {
    await trainer.save(checkpointFile, state as unknown as Record<string, unknown>);
    lastCheckpoint = Date.now();
  };
  const evaluate = async () => {
    trainer.syncParameters();
    const candidate = join(runDir, 'candidate');
    const card = modelCard(state, corpusSummary, NaN, NaN);
    await writeAcousticModelFolder(candidate, parameters, config, card);
    const { wer, cer, rtf } = await evaluateDev(candidate, dev);
    state.history.push({
      globalStep: state.globalStep,
      devWer: wer,
      devCer: cer,
      trainedAudioHours: state.trainedAudioSec / 3600,
    });
    const best =
      state.bestDevCer === undefined || state.bestDevCer === null || cer < state.bestDevCer;
    await log(
      `eval step ${state.globalStep}: dev WER ${(wer * 100).toFixed(2)}% CER ${(cer * 100).toFixed(2)}% (rtf ${rtf.toFixed(4)})${best ? ' - best, exported to ' + outDir : ''}`,
    );
    if (best) {
      state.bestDevWer = wer;
      state.bestDevCer = cer;
      await writeAcousticModelFolder(
        outDir,
        parameters,
        config,
        modelCard(state, corpusSummary, wer, cer),
      );
    }
    lastEval = Date.now();
  };

  const cooledDown = () => endsWithCooldown && cooldownFinished(state.globalStep, state.cooldown);
  while (!stopping && !cooledDown() && Date.now() - started < budgetMs) {
    const entries = await trainingEntries();
    const batches = planBatches(
      entries.map((e) => e.durationSec),
      { maxBatchSec: batchSec, maxUtterances: 48, seed: seed * 1000 + state.epoch },
    );
    await log(
      `epoch ${state.epoch}: ${entries.length} utterances, ${batches.length} batches, from batch ${state.batchInEpoch}`,
    );
    const random = seededRandom(seed * 7919 + state.epoch * 31 + state.batchInEpoch);
    for (; state.batchInEpoch < batches.length; state.batchInEpoch++) {
      if (stopping || cooledDown() || Date.now() - started >= budgetMs) break;
      const members = batches[state.batchInEpoch]!.map((i) => entries[i]!);
      const t0 = performance.now();
      if (backgroundPadding.probability > 0 && state.backgroundPaddingFromStep === undefined) {
        state.backgroundPaddingFromStep = state.globalStep;
        state.backgroundPadding = backgroundPadding;
      }
      if (frequencyWarp.maxWarp > 0 && state.frequencyWarpFromStep === undefined) {
        state.frequencyWarpFromStep = state.globalStep;
        state.frequencyWarp = frequencyWarp;
      }
      const { feeds } = await loadTrainingBatch(members, {
        specAugment: DEFAULT_SPEC_AUGMENT,
        ...(backgroundPadding.probability > 0 ? { backgroundPadding } : {}),
        ...(frequencyWarp.maxWarp > 0 ? { frequencyWarp } : {}),
        random,
      });
      const t1 = performance.now();
      const lr = learningRate(state.globalStep + 1, state);
      const report = await trainer.step(feeds, { learningRate: lr });
      const t2 = performance.now();
      const audioSec = members.reduce((sum, e) => sum + e.durationSec, 0);
      if (!report.skipped) state.globalStep += 1;
      state.trainedAudioSec += audioSec;
      state.trainingWallSec += (t2 - t0) / 1000;
      const line = {
        step: state.globalStep,
        epoch: state.epoch,
        loss: report.loss,
        gradNorm: report.gradNorm,
        lr,
        utterances: members.length,
        audioSec,
        skippedUtterances: report.metrics.skipped,
        dataSec: (t1 - t0) / 1000,
        stepSec: (t2 - t1) / 1000,
      };
      await appendFile(join(runDir, 'metrics.jsonl'), JSON.stringify(line) + '\n');
      if (state.globalStep % 10 === 0) {
        await log(
          `step ${state.globalStep} loss ${report.loss.toFixed(3)} |g| ${report.gradNorm.toFixed(2)} lr ${lr.toExponential(2)} ` +
            `${(audioSec / ((t2 - t0) / 1000)).toFixed(1)}x real time, ${(state.trainedAudioSec / 3600).toFixed(2)} h seen`,
        );
      }
      if (Date.now() - lastCheckpoint >= checkpointEveryMs) await save();
      if (Date.now() - lastEval >= evalEveryMs) {
        state.batchInEpoch++;
        await save();
        await evaluate();
        state.batchInEpoch--;
      }
    }
    if (state.batchInEpoch >= batches.length) {
      state.epoch += 1;
      state.batchInEpoch = 0;
    }
  }
  await save();
  await evaluate();
  await log(`stopped at step ${state.globalStep}; checkpoint ${checkpointFile}`);
  await trainer.dispose();
}

main().catch(async (error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
