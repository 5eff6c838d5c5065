/**
 * One corpus run: select sentences, plan, skip what is already on disk, render the rest on the
 * worker pool with a progress line, then rebuild and verify the manifests and write corpus.json.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeBatches } from './batches';
import { checkIdentity, corpusIdentity, type CorpusIdentity } from './identity';
import { buildPlan, DEFAULT_PLAN_SETTINGS, type CorpusPlan, type PlanSettings } from './plan';
import { runBatches } from './pool';
import type { UtteranceResult } from './render';
import { loadSentences, type Sentence, type SentenceReport } from './sentences';
import {
  acquireLock,
  manifestEntries,
  removeLeftovers,
  scanFinished,
  verifyManifest,
  workRoot,
  writeFileAtomic,
  writeManifest,
  writeUtteranceDetails,
  type ManifestEntry,
} from './store';
import { buildSummary, type CorpusSummary } from './summary';
import { formatDuration, RunTally } from './tally';
import {
  buildVoiceCatalogue,
  detectInstalledVoices,
  SPLITS,
  type InstalledVoices,
  type Split,
  type VoiceCatalogue,
} from './voices';

export type { CorpusSummary } from './summary';

export interface CorpusOptions {
  outDir: string;
  /** Folder of the text sources (ignored when `sentences` is given). */
  textDir: string;
  seed: number;
  /** Hours of audio to plan per split. */
  hours: Record<Split, number>;
  jobs: number;
  /** Render only the test split (the plan is the same). */
  testOnly: boolean;
  sampleRate?: number;
  minWords?: number;
  maxWords?: number;
  /** Utterances per batch handed to a worker. */
  batchSize?: number;
  settings?: PlanSettings;
  /** Use these sentences instead of reading `textDir` (tests). */
  sentences?: { sentences: Sentence[]; report: SentenceReport };
  /** Use these voices instead of detecting what is installed (tests). */
  installedVoices?: InstalledVoices;
  /** Where progress lines go (default: stderr). */
  log?: (line: string) => void;
  progressIntervalMs?: number;
}

interface PreparedRun {
  plan: CorpusPlan;
  identity: CorpusIdentity;
  catalogue: VoiceCatalogue;
  report: SentenceReport;
  sampleRate: number;
  log: (line: string) => void;
}

const MANIFEST_REWRITE_MS = 60_000;

/**
 * Makes (or continues) a corpus and returns its summary, also written to `<outDir>/corpus.json`.
 *
 * @example
 * const summary = await runCorpus({ outDir: 'work-data/corpus', textDir: '../shared/data/text',
 *   seed: 1, hours: { train: 40, dev: 0.5, test: 0.5 }, jobs: 2, testOnly: false });
 */
export async function runCorpus(options: CorpusOptions): Promise<CorpusSummary> {
  const sampleRate = options.sampleRate ?? 16000;
  const settings = options.settings ?? DEFAULT_PLAN_SETTINGS;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { sentences, report } =
    options.sentences ??
    loadSentences(options.textDir, {
      minWords: options.minWords ?? 3,
      maxWords: options.maxWords ?? 30,
    });
  log(
    `[corpus] sentences: ${report.kept} kept of ${report.read}; ARCTIC prompts dropped: ` +
      `${report.arcticExact} exact + ${report.arcticNear} near; ${report.tooShort} too short, ` +
      `${report.tooLong} too long, ${report.unspeakable} unspeakable, ${report.duplicates} duplicates`,
  );
  const catalogue = buildVoiceCatalogue(options.installedVoices ?? detectInstalledVoices());
  if (catalogue.missing.length > 0) {
    log(`[corpus] voices not installed, left out: ${catalogue.missing.join(', ')}`);
  }
  const { seed, hours } = options;
  const plan = buildPlan({ seed, hours, sentences, catalogue, settings });
  const identity = corpusIdentity({ seed, sampleRate, hours, sentences, catalogue, settings });
  mkdirSync(options.outDir, { recursive: true });
  const releaseLock = acquireLock(options.outDir);
  try {
    return await makeCorpus(options, { plan, identity, catalogue, report, sampleRate, log });
  } finally {
    releaseLock();
  }
}

async function makeCorpus(options: CorpusOptions, prepared: PreparedRun): Promise<CorpusSummary> {
  const { plan, identity, sampleRate, log } = prepared;
  const { outDir } = options;
  checkIdentity(outDir, identity);
  // Written first, so that a run killed before its summary still marks what the folder holds.
  const summaryFile = join(outDir, 'corpus.json');
  writeFileAtomic(summaryFile, `${JSON.stringify({ status: 'running', identity }, null, 2)}\n`);

  const activeSplits: Split[] = options.testOnly ? ['test'] : ['test', 'dev', 'train'];
  const partialRemoved = removeLeftovers(outDir, SPLITS);
  const durations = new Map<string, number>();
  let invalidRemoved = 0;
  for (const split of SPLITS) {
    const scan = scanFinished(outDir, plan.utterances[split], sampleRate);
    invalidRemoved += scan.invalidRemoved;
    for (const [id, duration] of scan.durations) durations.set(id, duration);
  }
  const writeManifests = () => {
    for (const split of activeSplits) {
      writeManifest(outDir, split, manifestEntries(plan.utterances[split], durations));
      writeUtteranceDetails(outDir, split, plan.utterances[split], durations);
    }
  };
  writeManifests();

  const pending = activeSplits.flatMap((split) =>
    plan.utterances[split].filter((utterance) => !durations.has(utterance.id)),
  );
  const planned = activeSplits.reduce((sum, split) => sum + plan.utterances[split].length, 0);
  const estimatedSecOf = new Map(pending.map((u) => [u.id, u.estimatedSec]));
  const totalEstimatedSec = pending.reduce((sum, u) => sum + u.estimatedSec, 0);
  log(
    `[corpus] plan: ${activeSplits.map((s) => `${s} ${plan.utterances[s].length}`).join(', ')} ` +
      `utterances; ${planned - pending.length} already done, ${pending.length} to make ` +
      `(≈${(totalEstimatedSec / 3600).toFixed(2)} h), ${options.jobs} job(s)` +
      (partialRemoved + invalidRemoved > 0
        ? `; removed ${partialRemoved} partial + ${invalidRemoved} invalid files`
        : ''),
  );

  const tally = new RunTally(pending.length, totalEstimatedSec);
  const interactive = process.stderr.isTTY && !options.log;
  const progressIntervalMs = options.progressIntervalMs ?? (interactive ? 1000 : 30_000);
  let lastProgress = 0;
  let lastManifest = Date.now();
  const showProgress = (force: boolean) => {
    if (!force && Date.now() - lastProgress < progressIntervalMs) return;
    lastProgress = Date.now();
    if (interactive) process.stderr.write(`\r${tally.progressLine()}\x1b[K`);
    else log(tally.progressLine());
  };
  const onResult = (result: UtteranceResult) => {
    tally.add(result, estimatedSecOf.get(result.id) ?? 0);
    if (result.durationSec !== undefined) durations.set(result.id, result.durationSec);
    showProgress(false);
    if (Date.now() - lastManifest > MANIFEST_REWRITE_MS) {
      lastManifest = Date.now();
      writeManifests();
    }
  };

  const stopSignals = ['SIGINT', 'SIGTERM'] as const;
  const onStop = (signal: string) => {
    writeManifests();
    rmSync(join(outDir, '.lock'), { force: true });
    log(`\n[corpus] stopped by ${signal}; run the same command again to continue`);
    process.exit(130);
  };
  for (const signal of stopSignals) process.on(signal, onStop);
  try {
    const batches = makeBatches(pending, options.batchSize ?? 24);
    const pool = { jobs: options.jobs, outDir, workRoot: workRoot(outDir), sampleRate };
    await runBatches(batches, pool, onResult);
  } finally {
    for (const signal of stopSignals) process.off(signal, onStop);
    writeManifests();
  }
  showProgress(true);
  if (interactive) process.stderr.write('\n');
  removeLeftovers(outDir, []);

  const manifests: Partial<Record<Split, ManifestEntry[]>> = {};
  for (const split of activeSplits) manifests[split] = verifyManifest(outDir, split, sampleRate);
  const summary = buildSummary({
    ...prepared,
    options: {
      hours: options.hours,
      jobs: options.jobs,
      testOnly: options.testOnly,
      textDir: options.textDir,
    },
    activeSplits,
    manifests,
    tally,
    thisRun: { skippedExisting: planned - pending.length, partialRemoved, invalidRemoved },
  });
  writeFileAtomic(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  const { splits } = summary;
  log(
    `[corpus] ${summary.status}: ` +
      activeSplits
        .map(
          (s) => `${s} ${splits[s].written}/${splits[s].planned} (${splits[s].hours.toFixed(2)} h)`,
        )
        .join(', ') +
      ` · this run ${tally.rendered} made in ${formatDuration(tally.elapsedSec())}, ` +
      `${summary.throughput.overall.ratio}× real time` +
      (tally.failureCount ? ` · ${tally.failureCount} failed (see corpus.json)` : ''),
  );
  return summary;
}
