export { Vocabulary, WORD_BOUNDARY } from './vocabulary';
export { greedyCtcDecode, type DecodedToken, type GreedyCtcOptions } from './greedy-ctc';
export { tokensToWords, type TokensToWordsOptions } from './words';
export {
  wordsToSegments,
  segmentFromWords,
  DEFAULT_SEGMENT_OPTIONS,
  type SegmentOptions,
} from './segments';
export {
  beamSearchDecode,
  CtcPrefixBeamSearch,
  DEFAULT_BEAM_OPTIONS,
  DEFAULT_LM_WEIGHTS,
  loadHotwords,
  parseHotwords,
  type BeamSearchOptions,
  type BeamSearchResult,
  type Hotword,
} from './beam';
