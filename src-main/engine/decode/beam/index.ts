/**
 * CTC prefix beam search with n-gram shallow fusion and hotwords.
 *
 * @example
 * import { beamSearchDecode, loadHotwords } from '../decode/beam';
 */
export {
  beamSearchDecode,
  CtcPrefixBeamSearch,
  DEFAULT_BEAM_OPTIONS,
  DEFAULT_LM_WEIGHTS,
  type BeamSearchOptions,
  type BeamSearchResult,
  type BeamSettings,
} from './prefix-beam-search';
export {
  HotwordTrie,
  parseHotwords,
  loadHotwords,
  DEFAULT_HOTWORD_BOOST,
  type Hotword,
  type HotwordNode,
  type HotwordState,
} from './hotwords';
export {
  WordScorer,
  sharedWordScorer,
  lmWordForm,
  type LmState,
  type WordScorerOptions,
} from './word-scorer';
