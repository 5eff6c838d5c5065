/**
 * What makes a corpus folder's WAVs valid for a plan: seed, sample rate, dev/test hours, plan
 * settings, the selected sentences (with their spoken form) and the voice catalogue. Only the
 * train hours may change between runs on one folder (a smaller plan's sentence utterances and
 * short utterances are prefixes of a larger's).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarkError } from '../../src-main/engine/errors';
import type { PlanSettings } from './plan';
import { hashSeed } from './random';
import type { Sentence } from './sentences';
import type { Split, VoiceCatalogue } from './voices';

export type CorpusIdentity = Record<string, string | number>;

export function corpusIdentity(options: {
  seed: number;
  sampleRate: number;
  hours: Record<Split, number>;
  sentences: readonly Sentence[];
  catalogue: VoiceCatalogue;
  settings: PlanSettings;
}): CorpusIdentity {
  return {
    seed: options.seed,
    sampleRate: options.sampleRate,
    devHours: options.hours.dev,
    testHours: options.hours.test,
    settings: hashSeed(JSON.stringify(options.settings)),
    sentences: hashSeed(
      options.sentences.map((sentence) => `${sentence.id}\t${sentence.spoken}`).join('\n'),
    ),
    voices: hashSeed(JSON.stringify([options.catalogue.train, options.catalogue.test])),
  };
}

/** Throws a HarkError when `<outDir>/corpus.json` records a different identity. */
export function checkIdentity(outDir: string, identity: CorpusIdentity): void {
  const file = join(outDir, 'corpus.json');
  if (!existsSync(file)) return;
  let previous: { identity?: Record<string, string | number> };
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as typeof previous;
  } catch {
    return; // an unreadable summary is rewritten; the WAVs are checked one by one
  }
  for (const [key, value] of Object.entries(identity)) {
    if (previous.identity && previous.identity[key] !== value) {
      throw new HarkError(
        'INVALID_ARGUMENT',
        `this folder holds a corpus made with another ${key} (${previous.identity[key]} there, ${value} now): ` +
          'use another --out, or delete the folder; only --hours may change between runs',
        { file },
      );
    }
  }
}
