/**
 * `npm run bench:finetune -- [--base DIR] [--threads 2] [--max-sec 120] [--only cathy|fsdd]
 * [--cathy-test 200] [--forget 200] [--recipe JSON]`: fine-tunes a voice profile per real speaker of
 * ../shared/data/speech and prints a table:
 * - cathy: 100 utterances (about 5 minutes) to train, 200 others to test;
 * - each fsdd speaker: 100 clips to train, the rest to test;
 * - WER of the base model and of the profile on the speaker's test part, the relative reduction,
 *   the training wall time (caching included) and the held-back WER the run itself saw;
 * - forgetting: WER of the base model and of each profile on the other sets (speech-commands,
 *   the other users), evenly spaced subsets of `--forget` utterances each.
 * Greedy decoding through the engine, as `npm run transcribe` does. Results also go to
 * work-data/bench-finetune/results.json. The data is read from ../shared and never copied here
 * except as the profiles' 16 kHz WAVs under work-data/ (git-ignored).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatManifest, type ManifestEntry } from '../src-main/engine/dataset/manifest';
import { Engine } from '../src-main/engine/engine';
import {
  ProfileStore,
  type FineTuneRecipe,
  type FineTuneResult,
} from '../src-main/engine/profiles';
import { wordErrorRate } from '../src-main/engine/text/error-rate';
import {
  bySpeaker,
  evenSubset,
  readSet,
  speechRoot,
  splitUser,
  type UserSplit,
} from './finetune/bench-sets';

const REPO = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    base: { type: 'string', default: join(REPO, 'models', 'base-en') },
    threads: { type: 'string', default: '2' },
    'max-sec': { type: 'string', default: '120' },
    only: { type: 'string' },
    'cathy-test': { type: 'string', default: '200' },
    forget: { type: 'string', default: '200' },
    out: { type: 'string', default: join(REPO, 'work-data', 'bench-finetune') },
    /** JSON overrides of the fine-tuning recipe, to compare recipes. */
    recipe: { type: 'string', default: '{}' },
  },
});
const threads = Number(args.threads);
const workDir = resolve(args.out!);

interface Row {
  user: string;
  trainUtterances: number;
  trainAudioSec: number;
  testUtterances: number;
  werBase: number;
  werProfile: number;
  relativeReduction: number;
  trainingWallSec: number;
  heldBack: { before: number; after: number; utterances: number };
  steps: number;
  stoppedBecause: FineTuneResult['stoppedBecause'];
  /** Set name → { base, profile } WER. */
  forgetting: Record<string, { base: number; profile: number }>;
}

async function errorRate(engine: Engine, entries: readonly ManifestEntry[]): Promise<number> {
  const hypotheses: string[] = [];
  for (const entry of entries) hypotheses.push((await engine.transcribeFile(entry.audioPath)).text);
  return wordErrorRate(
    entries.map((e) => e.text),
    hypotheses,
  ).rate;
}

async function errorRates(
  modelDir: string,
  sets: Record<string, readonly ManifestEntry[]>,
): Promise<Record<string, number>> {
  const engine = await Engine.create({ modelDir, device: 'cpu', threads });
  try {
    const out: Record<string, number> = {};
    for (const [name, entries] of Object.entries(sets))
      out[name] = await errorRate(engine, entries);
    return out;
  } finally {
    await engine.dispose();
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}`;
const log = (line: string) => process.stderr.write(`${line}\n`);

async function fineTuneUser(
  store: ProfileStore,
  split: UserSplit,
  baseRates: Record<string, number>,
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
  const result = await store.fineTune(name, {
    threads,
    recipe: JSON.parse(args.recipe!) as Partial<FineTuneRecipe>,
    maxTrainingSec: Number(args['max-sec']),
    onProgress: (e) => {
      if (e.type === 'validation') {
        log(
          `  epoch ${e.epoch} step ${e.step}: held-back WER ${pct(e.wer)}${e.best ? ' *' : ''} (${e.elapsedSec.toFixed(0)} s)`,
        );
      } else if (e.type === 'step' && e.elapsedSec - lastLine > 30) {
        lastLine = e.elapsedSec;
        log(`  step ${e.step} loss ${e.loss.toFixed(3)}`);
      }
    },
  });
  const profile = await store.keepResult(name);
  const rates = await errorRates(profile.modelDir!, {
    own: split.test,
    ...forgetSets,
  });
  const werBase = baseRates[`${split.user}:test`]!;
  const forgetting: Row['forgetting'] = {};
  for (const set of Object.keys(forgetSets)) {
    forgetting[set] = { base: baseRates[set]!, profile: rates[set]! };
  }
  return {
    user: split.user,
    trainUtterances: result.trainingUtterances + result.validationUtterances,
    trainAudioSec: split.train.reduce((s, e) => s + e.durationSec, 0),
    testUtterances: split.test.length,
    werBase,
    werProfile: rates.own!,
    relativeReduction: werBase > 0 ? (werBase - rates.own!) / werBase : 0,
    trainingWallSec: result.trainingSec,
    heldBack: {
      before: result.werBefore,
      after: result.werAfter,
      utterances: result.validationUtterances,
    },
    steps: result.steps,
    stoppedBecause: result.stoppedBecause,
    forgetting,
  };
}

function printTable(rows: readonly Row[]): void {
  const header = [
    'user',
    'train',
    'test',
    'WER base',
    'WER profile',
    'rel. red.',
    'train s',
    'held-back',
    'forgetting (base -> profile)',
  ];
  const lines = rows.map((r) => [
    r.user,
    `${r.trainUtterances} (${(r.trainAudioSec / 60).toFixed(1)} min)`,
    String(r.testUtterances),
    pct(r.werBase),
    pct(r.werProfile),
    `${(r.relativeReduction * 100).toFixed(1)}%`,
    r.trainingWallSec.toFixed(0),
    `${pct(r.heldBack.before)} -> ${pct(r.heldBack.after)}`,
    Object.entries(r.forgetting)
      .map(
        ([set, w]) =>
          `${set} ${pct(w.base)}->${pct(w.profile)} (${w.profile >= w.base ? '+' : ''}${((w.profile - w.base) * 100).toFixed(1)})`,
      )
      .join('; '),
  ]);
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
    testCount: Number(args['cathy-test']),
    seed: 1,
  });
  const fsddSpeakers = bySpeaker(await readSet(root, 'fsdd'));
  const fsdd = [...fsddSpeakers].map(([speaker, entries]) =>
    splitUser(`fsdd/${speaker}`, entries, { trainCount: 100, testCount: Infinity, seed: 1 }),
  );
  const forget = Number(args.forget);
  const commands = evenSubset(await readSet(root, 'speech-commands'), forget);
  const users = args.only === 'cathy' ? [cathy] : args.only === 'fsdd' ? fsdd : [cathy, ...fsdd];

  // Every profile is also measured on the sets that are not its user's (keys name the sets).
  const forgetSetsOf = (user: UserSplit): Record<string, readonly ManifestEntry[]> => {
    const sets: Record<string, readonly ManifestEntry[]> = { 'speech-commands': commands };
    if (user.user !== 'cathy') sets.cathy = evenSubset(cathy.test, forget);
    const others = fsdd.filter((f) => f.user !== user.user);
    const key = user.user === 'cathy' ? 'fsdd' : `fsdd w/o ${user.user.split('/')[1]}`;
    sets[key] = evenSubset(
      others.flatMap((f) => f.test),
      forget,
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
    printTable(rows);
  }
  console.log(
    `\nbase model: ${resolve(args.base!)} (training.globalStep ${card.default.training?.globalStep ?? '?'}); ${threads} threads; greedy decoding`,
  );
  await writeFile(
    join(workDir, 'results.json'),
    JSON.stringify({ base: card.default.training?.globalStep, rows }, null, 2),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
