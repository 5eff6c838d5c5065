/**
 * corpus.json: what a corpus folder holds (per split, per synthesizer, per augmentation), which
 * voices and rates were held out for the test, and how fast this run went.
 */
import type { CorpusIdentity } from './identity';
import { augmentationLabels, isShortUtterance, type CorpusPlan, type PlanSettings } from './plan';
import type { SentenceReport } from './sentences';
import type { ManifestEntry } from './store';
import { SYNTHESIZERS, type RunTally, type Throughput } from './tally';
import {
  SPLITS,
  type Split,
  type SynthesizerName,
  type VoiceCatalogue,
  type VoicePool,
} from './voices';

export interface SplitSummary {
  planned: number;
  written: number;
  /** Planned but not written (a later run retries them). */
  missing: number;
  hours: number;
  estimatedHours: number;
  bySynthesizer: Record<SynthesizerName, { utterances: number; hours: number }>;
  /** Written utterances per augmentation label (one utterance can carry several). */
  augmentation: Record<string, number>;
  /** Written short utterances (`train-short-*`: lone words, runs of two or three words, digits). */
  shortUtterances: { utterances: number; hours: number };
}

export interface CorpusSummary {
  status: 'complete' | 'incomplete';
  seed: number;
  identity: CorpusIdentity;
  options: { hours: Record<Split, number>; jobs: number; testOnly: boolean; textDir: string };
  sentences: SentenceReport;
  sentencePools: Record<Split, number>;
  voices: {
    train: Record<SynthesizerName, string[]>;
    test: Record<SynthesizerName, string[]>;
    heldOut: VoiceCatalogue['heldOut'];
    heldOutTempo: [number, number];
    trainTempoBands: [number, number][];
    missing: string[];
  };
  settings: PlanSettings;
  splits: Record<Split, SplitSummary>;
  /** Measured in this run only. */
  throughput: ReturnType<RunTally['throughput']>;
  thisRun: {
    rendered: number;
    skippedExisting: number;
    partialRemoved: number;
    invalidRemoved: number;
  };
  failures: { count: number; first: { id: string; error: string }[] };
}

export type { Throughput };

function splitSummary(
  plan: CorpusPlan,
  split: Split,
  entries: readonly ManifestEntry[],
): SplitSummary {
  const durationOf = new Map(entries.map((entry) => [entry.audio_filepath, entry.duration]));
  const summary: SplitSummary = {
    planned: plan.utterances[split].length,
    written: entries.length,
    missing: plan.utterances[split].length - entries.length,
    hours: entries.reduce((sum, entry) => sum + entry.duration, 0) / 3600,
    estimatedHours: plan.utterances[split].reduce((sum, u) => sum + u.estimatedSec, 0) / 3600,
    bySynthesizer: Object.fromEntries(
      SYNTHESIZERS.map((name) => [name, { utterances: 0, hours: 0 }]),
    ) as SplitSummary['bySynthesizer'],
    augmentation: {},
    shortUtterances: { utterances: 0, hours: 0 },
  };
  for (const utterance of plan.utterances[split]) {
    const duration = durationOf.get(`wav/${utterance.id}.wav`);
    if (duration === undefined) continue;
    const bySynthesizer = summary.bySynthesizer[utterance.voice.synthesizer];
    bySynthesizer.utterances += 1;
    bySynthesizer.hours += duration / 3600;
    if (isShortUtterance(utterance)) {
      summary.shortUtterances.utterances += 1;
      summary.shortUtterances.hours += duration / 3600;
    }
    for (const label of augmentationLabels(utterance.augmentation)) {
      summary.augmentation[label] = (summary.augmentation[label] ?? 0) + 1;
    }
  }
  return summary;
}

function voiceIds(pool: VoicePool): Record<SynthesizerName, string[]> {
  return Object.fromEntries(
    SYNTHESIZERS.map((name) => [name, pool[name].map((voice) => voice.id)]),
  ) as Record<SynthesizerName, string[]>;
}

/** Builds the summary from the plan, the verified manifests of the active splits and the tally. */
export function buildSummary(input: {
  plan: CorpusPlan;
  identity: CorpusIdentity;
  catalogue: VoiceCatalogue;
  report: SentenceReport;
  options: CorpusSummary['options'];
  activeSplits: readonly Split[];
  manifests: Partial<Record<Split, ManifestEntry[]>>;
  tally: RunTally;
  thisRun: Omit<CorpusSummary['thisRun'], 'rendered'>;
}): CorpusSummary {
  const { plan, catalogue, tally } = input;
  const splits = Object.fromEntries(
    SPLITS.map((split) => [split, splitSummary(plan, split, input.manifests[split] ?? [])]),
  ) as Record<Split, SplitSummary>;
  const complete = input.activeSplits.every((split) => splits[split].missing === 0);
  return {
    status: complete ? 'complete' : 'incomplete',
    seed: plan.seed,
    identity: input.identity,
    options: input.options,
    sentences: input.report,
    sentencePools: plan.sentencePools,
    voices: {
      train: voiceIds(catalogue.train),
      test: voiceIds(catalogue.test),
      heldOut: catalogue.heldOut,
      heldOutTempo: plan.settings.testTempo,
      trainTempoBands: plan.settings.trainTempoBands,
      missing: catalogue.missing,
    },
    settings: plan.settings,
    splits,
    throughput: tally.throughput(),
    thisRun: { rendered: tally.rendered, ...input.thisRun },
    failures: { count: tally.failureCount, first: tally.failures },
  };
}
