/**
 * N-gram language models for decoding: building (modified Kneser-Ney), pruning, ARPA and
 * Hark's compact binary format, perplexity.
 *
 * @example
 * import { loadLanguageModel } from '../lm';
 * const lm = await loadLanguageModel('models/lm-en');
 */
export {
  NgramModel,
  SENTENCE_BEGIN,
  SENTENCE_END,
  UNKNOWN_WORD,
  LOG10_ZERO,
  type NgramEntries,
  type NgramOrderEntries,
  type NgramLevel,
} from './ngram-model';
export { parseArpa, formatArpa } from './arpa';
export { encodeLanguageModel, decodeLanguageModel } from './binary-format';
export {
  buildKneserNey,
  kneserNeyDiscounts,
  type KneserNeyOptions,
  type KneserNeyResult,
} from './kneser-ney';
export {
  pruneByEntropy,
  recomputeBackoffs,
  selectNgrams,
  type EntropyPruningReport,
} from './prune';
export { measurePerplexity, type PerplexityReport } from './perplexity';
export {
  loadLanguageModel,
  readLanguageModelCard,
  LANGUAGE_MODEL_FILES,
  type LanguageModelCard,
} from './load-language-model';
export { floatToHalf, halfToFloat } from './float16';
