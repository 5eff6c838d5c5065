/**
 * The text the shipped language model learns from: the public-domain sentences in
 * `../shared/data/text` (Common Voice and LJSpeech), normalised the one way Hark normalises text,
 * de-duplicated, without any sentence equal or close to a CMU ARCTIC prompt (the `cathy` test set
 * reads those) and without the sentences of the synthetic corpus's dev and test sets (α/β are tuned
 * on dev and WER is reported on test), and split into training and held-out sentences by a hash of the text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarkError } from '../../src-main/engine/errors';
import { normalizeText } from '../../src-main/engine/text/normalize';
import { createArcticMatcher } from '../corpus/arctic-filter';
import { corpusHeldOutTexts } from '../corpus/held-out-text';
import { readArcticPrompts, TEXT_SOURCES } from '../corpus/sentences';

export interface LmCorpus {
  training: string[][];
  heldOut: string[][];
  report: {
    linesRead: Record<string, number>;
    empty: number;
    duplicates: number;
    arcticExact: number;
    arcticNear: number;
    /** Sentences of the synthetic dev and test sets (tuning and reporting must not see them). */
    syntheticHeldOut: number;
    trainingSentences: number;
    trainingWords: number;
    heldOutSentences: number;
    heldOutWords: number;
  };
}

/** FNV-1a: a stable hash of a sentence, so the split does not depend on file order. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * Reads, normalises, filters and splits the LM text; one sentence in `heldOutEvery` is held out.
 *
 * @example
 * const { training, heldOut } = readLmCorpus('../shared/data/text', { heldOutEvery: 50 });
 */
export function readLmCorpus(textDir: string, options: { heldOutEvery: number }): LmCorpus {
  const matcher = createArcticMatcher(readArcticPrompts(textDir));
  const seen = new Set<string>();
  const synthetic = corpusHeldOutTexts({ textDir });
  const report: LmCorpus['report'] = {
    linesRead: {},
    empty: 0,
    duplicates: 0,
    arcticExact: 0,
    arcticNear: 0,
    syntheticHeldOut: 0,
    trainingSentences: 0,
    trainingWords: 0,
    heldOutSentences: 0,
    heldOutWords: 0,
  };
  const training: string[][] = [];
  const heldOut: string[][] = [];
  for (const name of TEXT_SOURCES) {
    const file = join(textDir, name);
    if (!existsSync(file)) throw new HarkError('FILE_NOT_FOUND', 'LM text is missing', { file });
    const lines = readFileSync(file, 'utf8').split('\n');
    report.linesRead[name] = lines.length;
    for (const line of lines) {
      const text = normalizeText(line);
      if (text === '') {
        report.empty++;
        continue;
      }
      if (seen.has(text)) {
        report.duplicates++;
        continue;
      }
      seen.add(text);
      const arctic = matcher.match(text);
      if (arctic === 'exact') report.arcticExact++;
      if (arctic === 'near') report.arcticNear++;
      if (arctic) continue;
      if (synthetic.dev.has(text) || synthetic.test.has(text)) {
        report.syntheticHeldOut++;
        continue;
      }
      const words = text.split(' ');
      if (fnv1a(text) % options.heldOutEvery === 0) {
        heldOut.push(words);
        report.heldOutSentences++;
        report.heldOutWords += words.length;
      } else {
        training.push(words);
        report.trainingSentences++;
        report.trainingWords += words.length;
      }
    }
  }
  return { training, heldOut, report };
}
