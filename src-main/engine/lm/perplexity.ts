import type { NgramModel } from './ngram-model';

export interface PerplexityReport {
  sentences: number;
  /** Words scored, without `</s>`. */
  words: number;
  /** Words outside the model's vocabulary (scored as `<unk>` where the model has it). */
  outOfVocabulary: number;
  /** Sum of log10 probabilities of all words and sentence ends. */
  log10Prob: number;
  /** 10^(−log10Prob / (words + sentences)): every word and `</s>` counted, OOVs as `<unk>`. */
  perplexity: number;
  /** The same without the OOV words' terms (KenLM's "excluding OOVs"). */
  perplexityWithoutOov: number;
}

/**
 * Perplexity of tokenised sentences under a model, each scored from `<s>` to `</s>`.
 *
 * @example
 * measurePerplexity(model, heldOut.map((s) => s.split(' '))).perplexity; // e.g. 312.4
 */
export function measurePerplexity(
  model: NgramModel,
  sentences: Iterable<readonly string[]>,
): PerplexityReport {
  let sentenceCount = 0;
  let words = 0;
  let outOfVocabulary = 0;
  let log10Prob = 0;
  let oovLog10Prob = 0;
  for (const sentence of sentences) {
    sentenceCount++;
    let context: number[] = [model.beginId];
    for (const word of sentence) {
      words++;
      const known = model.wordId(word);
      const id = known ?? model.unknownId;
      if (known === undefined) outOfVocabulary++;
      if (id === undefined) {
        context = [];
        continue;
      }
      const score = model.logProb10(context, id);
      log10Prob += score;
      if (known === undefined) oovLog10Prob += score;
      context = model.nextContext(context, id);
    }
    log10Prob += model.logProb10(context, model.endId);
  }
  const events = words + sentenceCount;
  return {
    sentences: sentenceCount,
    words,
    outOfVocabulary,
    log10Prob,
    perplexity: 10 ** (-log10Prob / Math.max(1, events)),
    perplexityWithoutOov:
      10 ** (-(log10Prob - oovLog10Prob) / Math.max(1, events - outOfVocabulary)),
  };
}
