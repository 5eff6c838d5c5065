/**
 * `npm run bench:finetune -- [--base DIR] [--threads 2] [--max-sec 120] [--only cathy|fsdd|fsdd/NAME]
 * [--cathy-test all] [--forget all] [--lm DIR] [--recipe JSON]`: fine-tunes a voice profile per real speaker of
 * ../shared/data/speech and prints a table:
 * - cathy: 100 utterances (about 5 minutes) to train, all her others (493) to test;
 * - each fsdd speaker: 100 clips to train, the rest to test;
 * - WER of the base model and of the profile on the speaker's test part, the relative reduction,
 *   the training wall time (caching included) and the held-back WER the run itself saw;
 * - forgetting: WER of the base model and of each profile on the other sets (speech-commands,
 *   the other users): all of each (770 speech-commands clips, cathy's 493 test utterances, the
 *   other fsdd speakers' test clips), or evenly spaced subsets of `--forget N`, with the 95 %
 *   paired-bootstrap interval of each change and a summary against the issue's 1-point bound.
 * Every set is decoded twice from one run of the model: greedy, and beam search with the shipped
 * LM (`--lm`, default models/lm-en) as `npm run transcribe` does by default. Results also go to
 * work-data/bench-finetune/results.json. The data is read from ../shared and never copied here
 * except as the profiles' 16 kHz WAVs under work-data/ (git-ignored).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatManifest, type ManifestEntry } from '../src-main/engine/dataset/manifest';
import { Engine } from '../src-main/engine/engine';
import type { DecodingReport } from '../src-main/engine/types';
import {
  ProfileStore,
  type FineTuneRecipe,
  type FineTuneResult,
} from '../src-main/engine/profiles';
import { DEFAULT_DECODING } from '../src-main/engine/transcribe/decoding-defaults';
import { charErrorRate, wordErrorRate } from '../src-main/engine/text/error-rate';
import {
  bySpeaker,
  evenSubset,
  readSet,
  speechRoot,
  splitUser,
  type UserSplit,
} from './finetune/bench-sets';
import { pairedChangeInterval, type ChangeInterval } from './finetune/paired-bootstrap';

const REPO = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    base: { type: 'string', default: join(REPO, 'models', 'base-en') },
    threads: { type: 'string', default: '2' },
    'max-sec': { type: 'string', default: '120' },
    only: { type: 'string' },
    'cathy-test': { type: 'string', default: 'all' },
    forget: { type: 'string', default: 'all' },
    out: { type: 'string', default: join(REPO, 'work-data', 'bench-finetune') },
    lm: { type: 'string', default: join(REPO, 'models', 'lm-en') },
    /** JSON overrides of the fine-tuning recipe, to compare recipes. */
    recipe: { type: 'string', default: '{}' },
  },
});
const threads = Number(args.threads);

/** A count option: a positive whole number, or `all`. */
function countOption(name: 'cathy-test' | 'forget'): number {
  const text = args[name]!;
  if (text === 'all') return Infinity;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1) {
    process.stderr.write(`--${name} must be a positive whole number or "all", got "${text}"\n`);
    process.exit(2);
  }
  return count;
}

/** `--recipe`: a JSON object of recipe fields. */
function recipeOption(): Partial<FineTuneRecipe> {
  try {
    const recipe = JSON.parse(args.recipe!) as unknown;
    if (typeof recipe === 'object' && recipe !== null && !Array.isArray(recipe)) {
      return recipe as Partial<FineTuneRecipe>;
    }
  } catch {
    // reported below
  }
  process.stderr.write(`--recipe must be a JSON object of recipe fields, got "${args.recipe}"\n`);
  process.exit(2);
}

// Checked before anything runs: a bad option must not cost the previous run's results.
const cathyTestCount = countOption('cathy-test');
const forgetCount = countOption('forget');
const recipeOverrides = recipeOption();
const workDir = resolve(args.out!);

/** WER and CER of one set under one decoding. */
interface Rates {
  wer: number;
  cer: number;
  /** Word edits, and the words the hypotheses hold: a profile that forgets may write fewer. */
  deletions: number;
  insertions: number;
  hypothesisWords: number;
  /** Per utterance, in the set's order: word errors and reference words (for the intervals). */
  wordErrors: number[];
  referenceWords: number[];
}

/** A set's rates under greedy decoding and under the app's default (beam search + the LM). */
interface SetRates {
  greedy: Rates;
  beam: Rates;
}

interface Row {
  user: string;
  trainUtterances: number;
  trainAudioSec: number;
  testUtterances: number;
  base: SetRates;
  profile: SetRates;
  trainingWallSec: number;
  /** 1-minute load average of the machine before and after the training (uptime). */
  load: { before: number; after: number };
  heldBack: { before: number; after: number; utterances: number };
  /** Greedy WER on the base model's forgetting check; refused: validations that forgot too much. */
  otherVoices?: { before: number; after: number; refused: number };
  steps: number;
  bestStep: number;
  epochs: number;
  stoppedBecause: FineTuneResult['stoppedBecause'];
  /** How much the run lowered the blank's output bias (absent: it did not calibrate). */
  blankOffset?: number;
  /** Set name → rates of the base model and of the profile. */
  forgetting: Record<
    string,
    { base: SetRates; profile: SetRates; interval: Record<Decoding, ChangeInterval> }
  >;
}

const DECODINGS = ['greedy', 'beam'] as const;
type Decoding = (typeof DECODINGS)[number];
const DECODING_NAMES: Record<Decoding, string> = {
  greedy: 'greedy',
  beam: `beam ${DEFAULT_DECODING.beamWidth} + LM (the default)`,
};

/** The beam search's settings as the engine reports them (LM, α, β), for the record. */
let beamDecoding: DecodingReport | undefined;

/** Rates of each set, greedy and beam + LM from one run of the model per utterance. */
async function errorRates(
  modelDir: string,
  sets: Record<string, readonly ManifestEntry[]>,
): Promise<Record<string, SetRates>> {
  const engine = await Engine.create({
    modelDir,
    device: 'cpu',
    threads,
    decoding: { method: 'beam', lmDir: resolve(args.lm!) },
  });
  beamDecoding = engine.decodingInfo;
  try {
    const out: Record<string, SetRates> = {};
    for (const [name, entries] of Object.entries(sets)) {
      const beam: string[] = [];
      const greedy: string[] = [];
      for (const entry of entries) {
        const transcript = await engine.transcribeFile(entry.audioPath, {
          compareWith: ['greedy'],
        });
        beam.push(transcript.text);
        greedy.push(transcript.alternatives?.[0]?.text ?? '');
      }
      const references = entries.map((e) => e.text);
      const rates = (hypotheses: string[]): Rates => {
        // One alignment per utterance; the set's counts are their sums.
        const each = references.map((r, i) => wordErrorRate([r], [hypotheses[i]!]));
        const sum = (
          field: 'errors' | 'referenceLength' | 'deletions' | 'insertions' | 'hypothesisLength',
        ) => each.reduce((total, e) => total + e[field], 0);
        const referenceWords = sum('referenceLength');
        return {
          wer: referenceWords > 0 ? sum('errors') / referenceWords : 0,
          cer: charErrorRate(references, hypotheses).rate,
          deletions: sum('deletions'),
          insertions: sum('insertions'),
          hypothesisWords: sum('hypothesisLength'),
          wordErrors: each.map((e) => e.errors),
          referenceWords: each.map((e) => e.referenceLength),
        };
      };
      out[name] = { greedy: rates(greedy), beam: rates(beam) };
    }
    return out;
  } finally {
    await engine.dispose();
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}`;
const signed = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
const log = (line: string) => process.stderr.write(`${line}\n`);
const load1 = () => loadavg()[0]!;

async function fineTuneUser(
  store: ProfileStore,
  split: UserSplit,
  baseRates: Record<string, SetRates>,
  forgetSets: Record<string, readonly ManifestEntry[]>,
): Promise<Row> {
  const name = split.user.replace(/[^A-Za-z0-9]+/g, '-');
  const manifest = join(workDir, `${name}-train.jsonl`);
  await writeFile(manifest, formatManifest(split.train, workDir));
  await store.create(name, { baseModelDir: resolve(args.base!) });
  const imported = await store.importManifest(name, manifest);
  for (const skipped of imported.skipped) log(`  skipped ${skipped.source}: ${skipped.reason}`);
  log(`${split.user}: training on ${imported.added.length} utterances`);
  let lastLine = 0;
  const loadBefore = load1();
  const result = await store.fineTune(name, {
    threads,
    recipe: recipeOverrides,
    maxTrainingSec: Number(args['max-sec']),
    onProgress: (e) => {
      if (e.type === 'validation') {
        log(
          `  epoch ${e.epoch} step ${e.step}: held-back WER ${pct(e.wer)} CER ${pct(e.cer)}${e.best ? ' *' : ''}${e.otherVoicesWer === undefined ? '' : ` other voices ${pct(e.otherVoicesWer)}${e.forgot ? ' (forgot: refused)' : ''}`} (${e.elapsedSec.toFixed(0)} s)`,
        );
      } else if (e.type === 'step' && e.elapsedSec - lastLine > 10) {
        lastLine = e.elapsedSec;
        log(`  step ${e.step} loss ${e.loss.toFixed(3)} lr ${e.learningRate.toExponential(1)}`);
      }
    },
  });
  const loadAfter = load1();
  const profile = await store.keepResult(name);
  const rates = await errorRates(profile.modelDir!, { own: split.test, ...forgetSets });
  const forgetting: Row['forgetting'] = {};
  for (const set of Object.keys(forgetSets)) {
    const [base, profile] = [baseRates[set]!, rates[set]!];
    // The 95 % paired-bootstrap interval of each change.
    const interval = (decoding: Decoding) =>
      pairedChangeInterval({
        referenceWords: base[decoding].referenceWords,
        errorsBefore: base[decoding].wordErrors,
        errorsAfter: profile[decoding].wordErrors,
      });
    forgetting[set] = {
      base,
      profile,
      interval: { greedy: interval('greedy'), beam: interval('beam') },
    };
  }
  return {
    user: split.user,
    trainUtterances: result.trainingUtterances + result.validationUtterances,
    trainAudioSec: split.train.reduce((s, e) => s + e.durationSec, 0),
    testUtterances: split.test.length,
    base: baseRates[`${split.user}:test`]!,
    profile: rates.own!,
    trainingWallSec: result.trainingSec,
    load: { before: loadBefore, after: loadAfter },
    heldBack: {
      before: result.werBefore,
      after: result.werAfter,
      utterances: result.validationUtterances,
    },
    ...(result.otherVoices
      ? {
          otherVoices: {
            before: result.otherVoices.werBefore,
            after: result.otherVoices.werAfter,
            refused: result.history.filter((h) => h.forgot).length,
          },
        }
      : {}),
    steps: result.steps,
    bestStep: result.bestStep,
    epochs: result.epochs,
    stoppedBecause: result.stoppedBecause,
    ...(result.blankOffset !== undefined ? { blankOffset: result.blankOffset } : {}),
    forgetting,
  };
}

function relativeReduction(before: number, after: number): number {
  return before > 0 ? (before - after) / before : 0;
}

/** Each profile's forgetting figures against the bound, and how many of them noise could explain. */
function printForgettingSummary(rows: readonly Row[], decoding: Decoding): void {
  // Each interval's `change` is the figure itself: the profile's WER minus the base model's.
  const figures = rows.flatMap((r) => Object.values(r.forgetting).map((w) => w.interval[decoding]));
  if (figures.length === 0) return;
  const bound = 0.01;
  const mean = figures.reduce((s, f) => s + f.change, 0) / figures.length;
  const worst = Math.max(...figures.map((f) => f.change));
  const over = figures.filter((f) => f.change > bound).length;
  const surelyOver = figures.filter((f) => f.low > bound).length;
  console.log(
    `forgetting (${DECODING_NAMES[decoding]}): ${figures.length} figures, mean ${signed(mean)}, worst ${signed(worst)}; over the 1-point bound: ${over}, of which ${surelyOver} with the whole 95 % interval above it`,
  );
}

function printTable(rows: readonly Row[], decoding: Decoding): void {
  console.log(`\n${DECODING_NAMES[decoding]}:`);
  const header = [
    'user',
    'train',
    'test',
    'WER base -> profile',
    'rel. red.',
    'CER base -> profile',
    'train s (load)',
    'steps (best, epochs, stop)',
    'blank offset',
    'held-back WER (greedy)',
    'check WER (refused)',
    'forgetting: WER base -> profile (change)',
  ];
  const lines = rows.map((r) => {
    const own = { base: r.base[decoding], profile: r.profile[decoding] };
    return [
      r.user,
      `${r.trainUtterances} (${(r.trainAudioSec / 60).toFixed(1)} min)`,
      String(r.testUtterances),
      `${pct(own.base.wer)} -> ${pct(own.profile.wer)}`,
      `${(relativeReduction(own.base.wer, own.profile.wer) * 100).toFixed(1)}%`,
      `${pct(own.base.cer)} -> ${pct(own.profile.cer)}`,
      `${r.trainingWallSec.toFixed(0)} (${r.load.before.toFixed(1)}/${r.load.after.toFixed(1)})`,
      `${r.steps} (${r.bestStep}, ${r.epochs}, ${r.stoppedBecause})`,
      r.blankOffset === undefined ? '-' : r.blankOffset.toFixed(2),
      `${pct(r.heldBack.before)} -> ${pct(r.heldBack.after)}`,
      r.otherVoices
        ? `${pct(r.otherVoices.before)} -> ${pct(r.otherVoices.after)} (${r.otherVoices.refused})`
        : '-',
      Object.entries(r.forgetting)
        .map(([set, w]) => {
          const [b, p] = [w.base[decoding], w.profile[decoding]];
          const { low, high } = w.interval[decoding];
          return `${set} ${pct(b.wer)}->${pct(p.wer)} (${signed(p.wer - b.wer)} [${signed(low)}, ${signed(high)}]; words ${b.hypothesisWords}->${p.hypothesisWords}, D ${b.deletions}->${p.deletions}, I ${b.insertions}->${p.insertions})`;
        })
        .join('; '),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(row(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(row(line));
}

async function main(): Promise<void> {
  const root = speechRoot(REPO);
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  const card = {
    default: JSON.parse(await readFile(join(resolve(args.base!), 'model.json'), 'utf8')) as {
      training?: { globalStep?: number };
    },
  };
  log(
    `base model ${resolve(args.base!)}: training.globalStep ${card.default.training?.globalStep ?? '?'}`,
  );

  const cathy = splitUser('cathy', await readSet(root, 'cathy'), {
    trainCount: 100,
    testCount: cathyTestCount,
    seed: 1,
  });
  const fsddSpeakers = bySpeaker(await readSet(root, 'fsdd'));
  const fsdd = [...fsddSpeakers].map(([speaker, entries]) =>
    splitUser(`fsdd/${speaker}`, entries, { trainCount: 100, testCount: Infinity, seed: 1 }),
  );
  const commands = evenSubset(await readSet(root, 'speech-commands'), forgetCount);
  const everyone = [cathy, ...fsdd];
  const only = args.only;
  const users =
    only === undefined
      ? everyone
      : everyone.filter((u) => u.user === only || u.user.startsWith(`${only}/`));

  // Every profile is also measured on the sets that are not its user's (keys name the sets).
  const forgetSetsOf = (user: UserSplit): Record<string, readonly ManifestEntry[]> => {
    const sets: Record<string, readonly ManifestEntry[]> = { 'speech-commands': commands };
    if (user.user !== 'cathy') sets.cathy = evenSubset(cathy.test, forgetCount);
    const others = fsdd.filter((f) => f.user !== user.user);
    const key = user.user === 'cathy' ? 'fsdd' : `fsdd w/o ${user.user.split('/')[1]}`;
    sets[key] = evenSubset(
      others.flatMap((f) => f.test),
      forgetCount,
    );
    return sets;
  };

  log('measuring the base model');
  const baseSets: Record<string, readonly ManifestEntry[]> = {};
  for (const user of users) {
    baseSets[`${user.user}:test`] = user.test;
    Object.assign(baseSets, forgetSetsOf(user));
  }
  const baseRates = await errorRates(resolve(args.base!), baseSets);
  const store = await ProfileStore.open({ root: join(workDir, 'profiles') });
  const rows: Row[] = [];
  for (const user of users) {
    rows.push(await fineTuneUser(store, user, baseRates, forgetSetsOf(user)));
    for (const decoding of DECODINGS) printTable(rows, decoding);
    for (const decoding of DECODINGS) printForgettingSummary(rows, decoding);
  }
  console.log(
    `\nbase model: ${resolve(args.base!)} (training.globalStep ${card.default.training?.globalStep ?? '?'}); ${threads} threads; LM ${resolve(args.lm!)}; train s = wall seconds of the run (caching included), load = 1-min load average before/after`,
  );
  console.log(`beam decoding: ${JSON.stringify(beamDecoding)}`);
  await writeFile(
    join(workDir, 'results.json'),
    JSON.stringify(
      {
        base: card.default.training?.globalStep,
        beamDecoding,
        options: {
          cathyTest: cathy.test.length,
          forget: args.forget,
          maxSec: Number(args['max-sec']),
          recipe: recipeOverrides,
        },
        rows,
      },
      null,
      2,
    ),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
