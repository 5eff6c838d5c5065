/**
 * The sentences of the corpus's dev and test splits, without making any audio: a language model
 * or any other text-trained part must leave them out, or scoring the synthetic test set measures
 * memory. The split of sentences depends only on the seed, the dev/test hours and the text (not
 * on which voices are installed), so this matches any corpus made with the same options.
 */
import { buildPlan } from './plan';
import { loadSentences } from './sentences';
import { allListedVoices, buildVoiceCatalogue } from './voices';

export interface HeldOutTextOptions {
  textDir: string;
  /** The corpus seed and split sizes (the `npm run corpus` defaults: 1, 0.5 h, 0.5 h). */
  seed?: number;
  devHours?: number;
  testHours?: number;
}

/**
 * Normalised texts of the dev and test sentences of the corpus made with these options.
 *
 * @example
 * const { test } = corpusHeldOutTexts({ textDir: '../shared/data/text' });
 * const lmText = allSentences.filter((text) => !test.has(text));
 */
export function corpusHeldOutTexts(options: HeldOutTextOptions): {
  dev: Set<string>;
  test: Set<string>;
} {
  const { sentences } = loadSentences(options.textDir, { minWords: 3, maxWords: 30 });
  const plan = buildPlan({
    seed: options.seed ?? 1,
    hours: { train: 0, dev: options.devHours ?? 0.5, test: options.testHours ?? 0.5 },
    sentences,
    catalogue: buildVoiceCatalogue(allListedVoices()),
  });
  return {
    dev: new Set(plan.utterances.dev.map((utterance) => utterance.text)),
    test: new Set(plan.utterances.test.map((utterance) => utterance.text)),
  };
}
