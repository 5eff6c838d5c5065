/**
 * CTC prefix beam search (Hannun et al. 2014, "First-pass large vocabulary continuous speech
 * recognition using bi-directional recurrent DNNs"), in log space, with word-level shallow fusion
 * of an n-gram LM and hotword boosting.
 *
 * Every hypothesis is a token prefix with two acoustic log-probabilities: pb, of the paths that
 * spell it and end in a blank, and pnb, of those that end in its last token. Per frame t with
 * log-probs y:
 * - blank:            pb'(ℓ)   ⊕= (pb ⊕ pnb)(ℓ) + y(blank)
 * - the last token c: pnb'(ℓ)  ⊕= pnb(ℓ) + y(c)        (the token goes on)
 *                     pnb'(ℓc) ⊕= pb(ℓ) + y(c)         (a repeat needs a blank between)
 * - another token c:  pnb'(ℓc) ⊕= (pb ⊕ pnb)(ℓ) + y(c)
 * where ⊕ is log-add. A hypothesis ranks by pb ⊕ pnb plus its word score (see WordScorer) and
 * its hotword bonus. Only tokens with y ≥ `tokenMinLogProb` (at most `maxTokensPerFrame` of them)
 * extend prefixes, then the best `beamWidth` hypotheses within `beamPruneLogProb` of the best
 * survive.
 *
 * Hypotheses are identified by a 53-bit hash of their token sequence, so equal prefixes reached
 * along different paths merge. Each keeps the timing of its most likely path: a token's first
 * frame is where that path emitted it, its last frame the last one where the token going on
 * outweighed a blank, and its posterior the mean of y(token) over those frames — the same
 * quantities the greedy decoder reports, so words keep start, end and confidence.
 */
import { HarkError } from '../../errors';
import type { NgramModel } from '../../lm/ngram-model';
import type { Word } from '../../types';
import type { DecodedToken } from '../greedy-ctc';
import type { Vocabulary } from '../vocabulary';
import { tokensToWords } from '../words';
import { HotwordTrie, DEFAULT_HOTWORD_BOOST, type Hotword, type HotwordState } from './hotwords';
import { sharedWordScorer, type LmState, type SpelledWord, type WordScorer } from './word-scorer';

/** LM weight and word bonus used when the caller gives none (to be tuned on a development set). */
export const DEFAULT_LM_WEIGHTS: Readonly<{ alpha: number; beta: number }> = Object.freeze({
  alpha: 0.5,
  beta: 1.5,
});

/** The search settings besides the vocabulary, the LM and its weights (see BeamSearchOptions). */
export interface BeamSettings {
  beamWidth: number;
  unknownWordPenalty: number;
  hotwordBoost: number;
  tokenMinLogProb: number;
  maxTokensPerFrame: number;
  beamPruneLogProb: number;
  lookahead: boolean;
  scoreSentenceEnd: boolean;
}

export const DEFAULT_BEAM_OPTIONS: Readonly<BeamSettings> = Object.freeze({
  beamWidth: 16,
  unknownWordPenalty: -10,
  hotwordBoost: DEFAULT_HOTWORD_BOOST,
  tokenMinLogProb: Math.log(0.005),
  maxTokensPerFrame: 8,
  beamPruneLogProb: 25,
  lookahead: true,
  scoreSentenceEnd: true,
});

export interface BeamSearchOptions {
  /** The model's output vocabulary (characters with "▁" as a word of its own, or BPE pieces). */
  vocab: Vocabulary;
  /** Seconds per output frame (hop × subsampling, e.g. 0.04). */
  frameSec: number;
  /** Hypotheses kept per frame. Default 16. */
  beamWidth?: number;
  /** Word n-gram LM for shallow fusion; none: acoustic scores (and hotwords) only. */
  lm?: NgramModel;
  /** LM weight α. Default `DEFAULT_LM_WEIGHTS.alpha`. */
  alpha?: number;
  /** Word insertion bonus β in nats per word (with an LM). Default `DEFAULT_LM_WEIGHTS.beta`. */
  beta?: number;
  /** Nats added per word neither the LM nor the hotwords know (with an LM). Default −10. */
  unknownWordPenalty?: number;
  /** Words and phrases to boost; their words also count as known. */
  hotwords?: readonly (string | Hotword)[] | HotwordTrie;
  /** Bonus per matched hotword character in nats, where a hotword has none. Default 1.5. */
  hotwordBoost?: number;
  /** Tokens below this log-probability in a frame do not start new prefixes. Default ln 0.005. */
  tokenMinLogProb?: number;
  /** At most this many tokens per frame start new prefixes. Default 8. */
  maxTokensPerFrame?: number;
  /** Hypotheses scoring this far below the best are dropped. Default 25 nats. */
  beamPruneLogProb?: number;
  /** Score partial words by their best unigram continuation. Default true. */
  lookahead?: boolean;
  /** Add α·ln P(</s> | history) at the end. Default true. */
  scoreSentenceEnd?: boolean;
  /** Number of the first frame (e.g. where this window starts in the file). Default 0. */
  frameOffset?: number;
  /** Added to word times. Default 0. */
  timeOffsetSec?: number;
}

export interface BeamSearchResult {
  text: string;
  words: Word[];
  /** The best hypothesis's tokens with frames and posteriors, as greedyCtcDecode returns them. */
  tokens: DecodedToken[];
  /** Its total score: acoustic log-probability plus LM, word and hotword terms (nats). */
  score: number;
}

/** The options with defaults filled in, checked. */
function resolveSettings(options: BeamSearchOptions): BeamSettings {
  const d = DEFAULT_BEAM_OPTIONS;
  const settings: BeamSettings = {
    beamWidth: options.beamWidth ?? d.beamWidth,
    unknownWordPenalty: options.unknownWordPenalty ?? d.unknownWordPenalty,
    hotwordBoost: options.hotwordBoost ?? d.hotwordBoost,
    tokenMinLogProb: options.tokenMinLogProb ?? d.tokenMinLogProb,
    maxTokensPerFrame: options.maxTokensPerFrame ?? d.maxTokensPerFrame,
    beamPruneLogProb: options.beamPruneLogProb ?? d.beamPruneLogProb,
    lookahead: options.lookahead ?? d.lookahead,
    scoreSentenceEnd: options.scoreSentenceEnd ?? d.scoreSentenceEnd,
  };
  const fail = (message: string): never => {
    throw new HarkError('INVALID_ARGUMENT', message);
  };
  if (!Number.isInteger(settings.beamWidth) || settings.beamWidth < 1) {
    fail(`beamWidth must be a positive integer, got ${settings.beamWidth}`);
  }
  if (!Number.isInteger(settings.maxTokensPerFrame) || settings.maxTokensPerFrame < 1) {
    fail(`maxTokensPerFrame must be a positive integer, got ${settings.maxTokensPerFrame}`);
  }
  if (!(settings.beamPruneLogProb > 0)) fail('beamPruneLogProb must be > 0');
  if (!(settings.unknownWordPenalty <= 0)) fail('unknownWordPenalty must be ≤ 0');
  for (const key of ['alpha', 'beta', 'tokenMinLogProb', 'hotwordBoost'] as const) {
    const value = options[key];
    if (value !== undefined && !Number.isFinite(value)) fail(`${key} must be a number`);
  }
  return settings;
}

/** How a token changes the text: whether it starts a word, and the letters it adds. */
interface TokenSpelling {
  startsWord: boolean;
  letters: string;
}

function spellings(vocab: Vocabulary): TokenSpelling[] {
  return Array.from({ length: vocab.size }, (_, id) => {
    if (vocab.isSpecial(id)) return { startsWord: false, letters: '' };
    const symbol = vocab.symbol(id);
    const letters = symbol.replace(/^[\u2581 ]+/, '');
    return { startsWord: letters.length !== symbol.length, letters };
  });
}

/** A token sequence and everything that follows from it (not from the audio). */
interface Prefix {
  readonly hashA: number;
  readonly hashB: number;
  readonly key: number;
  /** Last token id, or −1 for the empty prefix. */
  readonly lastToken: number;
  readonly lm: LmState;
  /** The word being spelled. */
  readonly word: SpelledWord;
  /** Completed words' scores plus the provisional score of `word`. */
  readonly wordScore: number;
  readonly completedScore: number;
  readonly hotword: HotwordState;
  /** Children already derived (same prefix + one token). */
  children: Map<number, Prefix> | undefined;
  /** The frame whose next beam `slot` belongs to: the prefix's hypothesis there, found in O(1). */
  slotFrame: number;
  slot: Hypothesis | undefined;
}

/** A token with its timing, in a linked list from the last token back. */
interface TokenTrail {
  readonly token: DecodedToken;
  readonly previous: TokenTrail | null;
}

/** A hypothesis in the beam: a prefix, its acoustic scores and its best path's timing. */
interface Hypothesis {
  prefix: Prefix;
  blankLogProb: number;
  tokenLogProb: number;
  /** The largest single contribution so far this frame: whose timing the hypothesis takes. */
  strongest: number;
  /** Tokens before the last one. */
  trail: TokenTrail | null;
  /** The last token: first and last frame, sum of posteriors and frames counted. */
  lastFirstFrame: number;
  lastLastFrame: number;
  lastPosteriorSum: number;
  lastFrameCount: number;
  /** Its rank (see `rank`) when the beam was last pruned. */
  rank: number;
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

function total(h: Hypothesis): number {
  return logAdd(h.blankLogProb, h.tokenLogProb);
}

function rank(h: Hypothesis): number {
  return total(h) + h.prefix.wordScore + h.prefix.hotword.committed + h.prefix.hotword.pending;
}

/**
 * Streaming CTC prefix beam search: feed log-prob blocks with `advance`, read the result with
 * `finish` (or peek with `best`). Frames are numbered from `frameOffset` on.
 *
 * @example
 * const search = new CtcPrefixBeamSearch({ vocab, frameSec: 0.04, lm, hotwords: ['siobhan'] });
 * for (const block of blocks) search.advance(block.logProbs, block.numFrames);
 * const { text, words } = search.finish();
 */
export class CtcPrefixBeamSearch {
  private readonly vocab: Vocabulary;
  private readonly frameSec: number;
  private readonly timeOffsetSec: number;
  private readonly settings: BeamSettings;
  private readonly spelling: TokenSpelling[];
  private readonly scorer: WordScorer;
  private readonly hotwords: HotwordTrie;
  private beam: Hypothesis[];
  /** The next beam being built (reused from frame to frame). */
  private next: Hypothesis[] = [];
  /** The beam's prefixes by key, for `extend`. */
  private readonly beamPrefixes = new Map<number, Prefix>();
  private frame: number;
  private readonly candidates: Int32Array;
  private readonly candidateLogProbs: Float64Array;

  constructor(options: BeamSearchOptions) {
    const { vocab, frameSec } = options;
    if (!(frameSec > 0)) {
      throw new HarkError('INVALID_ARGUMENT', `frameSec must be > 0, got ${frameSec}`);
    }
    const settings = resolveSettings(options);
    this.vocab = vocab;
    this.frameSec = frameSec;
    this.timeOffsetSec = options.timeOffsetSec ?? 0;
    this.settings = settings;
    this.spelling = spellings(vocab);
    this.hotwords =
      options.hotwords instanceof HotwordTrie
        ? options.hotwords
        : new HotwordTrie(options.hotwords ?? [], settings.hotwordBoost);
    this.scorer = sharedWordScorer(options.lm, {
      alpha: options.alpha ?? DEFAULT_LM_WEIGHTS.alpha,
      beta: options.beta ?? DEFAULT_LM_WEIGHTS.beta,
      unknownWordPenalty: settings.unknownWordPenalty,
      extraWords: this.hotwords.words,
      extraWordPrefixes: this.hotwords.wordPrefixes,
      lookahead: settings.lookahead,
    });
    this.frame = options.frameOffset ?? 0;
    this.candidates = new Int32Array(settings.maxTokensPerFrame);
    this.candidateLogProbs = new Float64Array(settings.maxTokensPerFrame);
    const root: Prefix = {
      hashA: 0x9e3779b9,
      hashB: 0x7f4a7c15,
      key: 0,
      lastToken: -1,
      lm: this.scorer.initial,
      word: this.scorer.emptyWord,
      wordScore: 0,
      completedScore: 0,
      hotword: this.hotwords.initial,
      children: undefined,
      slotFrame: -1,
      slot: undefined,
    };
    this.beam = [
      {
        prefix: root,
        blankLogProb: 0,
        tokenLogProb: -Infinity,
        strongest: 0,
        trail: null,
        lastFirstFrame: -1,
        lastLastFrame: -1,
        lastPosteriorSum: 0,
        lastFrameCount: 0,
        rank: 0,
      },
    ];
  }

  /** The frame number the next `advance` starts at. */
  get nextFrame(): number {
    return this.frame;
  }

  /**
   * Consumes `numFrames` frames of (numFrames, V) row-major log-probabilities. Blocks must follow
   * each other: `firstFrame`, when given, must be the frame after the last one consumed.
   *
   * @example
   * search.advance(output.data, output.numFrames);
   */
  advance(logProbs: Float32Array, numFrames: number, firstFrame?: number): void {
    const size = this.vocab.size;
    if (firstFrame !== undefined && firstFrame !== this.frame) {
      throw new HarkError(
        'INVALID_ARGUMENT',
        `blocks must be contiguous: expected frame ${this.frame}, got ${firstFrame}`,
      );
    }
    if (!Number.isInteger(numFrames) || numFrames < 0 || logProbs.length < numFrames * size) {
      throw new HarkError(
        'INVALID_ARGUMENT',
        `log-probs hold ${logProbs.length} values, fewer than ${numFrames} frames × ${size} labels`,
      );
    }
    for (let t = 0; t < numFrames; t++) {
      this.step(logProbs, t * size);
      this.frame++;
    }
  }

  /** The tokens of this frame that may start new prefixes, best first; returns their number. */
  private selectCandidates(logProbs: Float32Array, row: number): number {
    const { tokenMinLogProb, maxTokensPerFrame } = this.settings;
    const { blankId, size } = this.vocab;
    const ids = this.candidates;
    const values = this.candidateLogProbs;
    let count = 0;
    for (let v = 0; v < size; v++) {
      const value = logProbs[row + v]!;
      if (v === blankId || !(value >= tokenMinLogProb)) continue;
      if (count === maxTokensPerFrame && value <= values[count - 1]!) continue;
      let i = count < maxTokensPerFrame ? count++ : count - 1;
      while (i > 0 && values[i - 1]! < value) {
        values[i] = values[i - 1]!;
        ids[i] = ids[i - 1]!;
        i--;
      }
      values[i] = value;
      ids[i] = v;
    }
    return count;
  }

  private step(logProbs: Float32Array, row: number): void {
    const frame = this.frame;
    const blankLogProb = logProbs[row + this.vocab.blankId]!;
    const candidateCount = this.selectCandidates(logProbs, row);
    if (candidateCount === 0) {
      this.stepWithoutNewTokens(logProbs, row, blankLogProb);
      return;
    }
    const next = this.next;
    next.length = 0;
    this.beamPrefixes.clear();
    for (const h of this.beam) this.beamPrefixes.set(h.prefix.key, h.prefix);

    for (const h of this.beam) {
      const all = total(h);
      const last = h.prefix.lastToken;
      // A blank: the prefix stays, its last token (if any) has ended for this path.
      const stay = all + blankLogProb;
      const carried = this.entry(next, h.prefix, frame);
      carried.blankLogProb = logAdd(carried.blankLogProb, stay);
      if (stay > carried.strongest) this.takeTiming(carried, stay, h, false, frame, 0);
      // The last token goes on.
      if (last >= 0) {
        const lastLogProb = logProbs[row + last]!;
        const goOn = h.tokenLogProb + lastLogProb;
        carried.tokenLogProb = logAdd(carried.tokenLogProb, goOn);
        if (goOn > carried.strongest) {
          this.takeTiming(carried, goOn, h, true, frame, Math.exp(lastLogProb));
        }
      }
      // New tokens.
      for (let k = 0; k < candidateCount; k++) {
        const token = this.candidates[k]!;
        const tokenLogProb = this.candidateLogProbs[k]!;
        const from = token === last ? h.blankLogProb : all;
        if (from === -Infinity) continue;
        const value = from + tokenLogProb;
        const extended = this.entry(next, this.extend(h.prefix, token), frame);
        extended.tokenLogProb = logAdd(extended.tokenLogProb, value);
        if (value > extended.strongest) {
          extended.strongest = value;
          extended.trail = h.lastFirstFrame < 0 ? h.trail : { token: frozen(h), previous: h.trail };
          extended.lastFirstFrame = frame;
          extended.lastLastFrame = frame;
          extended.lastPosteriorSum = Math.exp(tokenLogProb);
          extended.lastFrameCount = 1;
        }
      }
    }
    this.next = this.beam;
    this.beam = this.prune(next);
  }

  /**
   * A frame where no token is likely enough to start a prefix (most frames of a peaky CTC model):
   * every hypothesis only takes a blank or goes on with its last token, so the beam keeps its
   * members and is updated in place.
   */
  private stepWithoutNewTokens(logProbs: Float32Array, row: number, blankLogProb: number): void {
    for (const h of this.beam) {
      const stay = total(h) + blankLogProb;
      const last = h.prefix.lastToken;
      const lastLogProb = last >= 0 ? logProbs[row + last]! : -Infinity;
      const goOn = h.tokenLogProb + lastLogProb;
      if (goOn > stay) {
        h.lastLastFrame = this.frame;
        h.lastPosteriorSum += Math.exp(lastLogProb);
        h.lastFrameCount++;
      }
      h.blankLogProb = stay;
      h.tokenLogProb = goOn;
    }
    this.beam = this.prune(this.beam);
  }

  /** The hypothesis of `prefix` in the next beam, created empty if needed. */
  private entry(next: Hypothesis[], prefix: Prefix, frame: number): Hypothesis {
    let h = prefix.slotFrame === frame ? prefix.slot : undefined;
    if (!h) {
      h = {
        prefix,
        blankLogProb: -Infinity,
        tokenLogProb: -Infinity,
        strongest: -Infinity,
        trail: null,
        lastFirstFrame: -1,
        lastLastFrame: -1,
        lastPosteriorSum: 0,
        lastFrameCount: 0,
        rank: -Infinity,
      };
      prefix.slotFrame = frame;
      prefix.slot = h;
      next.push(h);
    }
    return h;
  }

  /** Takes the timing of `source` (the same prefix one frame earlier), its last token going on or not. */
  private takeTiming(
    target: Hypothesis,
    value: number,
    source: Hypothesis,
    goesOn: boolean,
    frame: number,
    posterior: number,
  ): void {
    target.strongest = value;
    target.trail = source.trail;
    target.lastFirstFrame = source.lastFirstFrame;
    target.lastLastFrame = goesOn ? frame : source.lastLastFrame;
    target.lastPosteriorSum = source.lastPosteriorSum + posterior;
    target.lastFrameCount = source.lastFrameCount + (goesOn ? 1 : 0);
  }

  /**
   * The best `beamWidth` hypotheses within `beamPruneLogProb` of the best, best first (a
   * partial insertion sort: most of a frame's candidates are rejected by one comparison).
   */
  private prune(hypotheses: Hypothesis[]): Hypothesis[] {
    const { beamWidth, beamPruneLogProb } = this.settings;
    const kept: Hypothesis[] = [];
    let best = -Infinity;
    for (const h of hypotheses) {
      const score = rank(h);
      h.rank = score;
      if (score > best) best = score;
      if (kept.length === beamWidth) {
        if (!(score > kept[beamWidth - 1]!.rank)) continue;
        kept.pop();
      }
      let i = kept.length;
      kept.push(h);
      while (i > 0 && kept[i - 1]!.rank < score) {
        kept[i] = kept[i - 1]!;
        i--;
      }
      kept[i] = h;
    }
    while (kept.length > 0 && kept[kept.length - 1]!.rank < best - beamPruneLogProb) kept.pop();
    const stamp = -2 - this.frame;
    for (const h of kept) h.prefix.slotFrame = stamp;
    for (const h of hypotheses) {
      const { prefix } = h;
      prefix.slot = undefined;
      if (prefix.slotFrame !== stamp && prefix.children) {
        // Its cached extensions would otherwise stay reachable from its parent's cache for as
        // long as the parent lives (a long silence), and so would theirs.
        prefix.children = undefined;
      }
    }
    return kept;
  }

  /** The prefix one token longer (memoised on the parent). */
  private extend(prefix: Prefix, token: number): Prefix {
    const cached = prefix.children?.get(token);
    if (cached) return cached;
    const hashA = Math.imul(prefix.hashA ^ (token + 1), 0x85ebca6b) ^ (prefix.hashA >>> 13);
    const hashB =
      Math.imul(prefix.hashB + token * 0x27d4eb2f + 1, 0xc2b2ae35) ^ (prefix.hashB >>> 16);
    const key = (hashA >>> 0) * 2 ** 21 + (hashB >>> 11);
    // The same token sequence may already be in the beam as another object: a prefix that left
    // the beam lost its cached children (see `prune`), and one derived anew after that (or
    // anything descending from it) has none. It must stay one hypothesis.
    const living = this.beamPrefixes.get(key);
    if (living) {
      (prefix.children ??= new Map()).set(token, living);
      return living;
    }
    const spelling = this.spelling[token]!;
    let { lm, word, completedScore, hotword } = prefix;
    if (spelling.startsWord) {
      if (word.letters !== '') {
        const completed = this.scorer.complete(lm, word.letters);
        completedScore += completed.score;
        lm = completed.state;
        hotword = this.hotwords.endWord(hotword);
      }
      word = this.scorer.emptyWord;
    }
    for (const char of spelling.letters) hotword = this.hotwords.advance(hotword, char);
    word = this.scorer.spell(word, spelling.letters);
    const child: Prefix = {
      hashA,
      hashB,
      key,
      lastToken: token,
      lm,
      word,
      completedScore,
      wordScore: completedScore + word.partialScore,
      hotword,
      children: undefined,
      slotFrame: -1,
      slot: undefined,
    };
    (prefix.children ??= new Map()).set(token, child);
    return child;
  }

  /** Final score of a hypothesis: its last word completed, `</s>` scored, hotwords settled. */
  private finalScore(h: Hypothesis): number {
    const { prefix } = h;
    let score = total(h) + prefix.completedScore;
    let { lm, hotword } = prefix;
    if (prefix.word.letters !== '') {
      const completed = this.scorer.complete(lm, prefix.word.letters);
      score += completed.score;
      lm = completed.state;
      hotword = this.hotwords.endWord(hotword);
    }
    if (this.settings.scoreSentenceEnd) score += this.scorer.end(lm);
    score += this.hotwords.finish(hotword);
    return score;
  }

  /**
   * The best hypothesis if the audio ended here (the search can go on afterwards).
   *
   * @example
   * const partial = search.best().text; // for a live display
   */
  best(): BeamSearchResult {
    let bestHypothesis = this.beam[0]!;
    let bestScore = -Infinity;
    for (const h of this.beam) {
      const score = this.finalScore(h);
      if (score > bestScore) {
        bestScore = score;
        bestHypothesis = h;
      }
    }
    const tokens = tokensOf(bestHypothesis);
    const words = tokensToWords(tokens, this.vocab, {
      frameSec: this.frameSec,
      timeOffsetSec: this.timeOffsetSec,
    });
    return { text: words.map((w) => w.text).join(' '), words, tokens, score: bestScore };
  }

  /**
   * Ends the search and returns the best hypothesis.
   *
   * @example
   * const { text, words } = search.finish();
   */
  finish(): BeamSearchResult {
    return this.best();
  }
}

/** The last token of a hypothesis as a DecodedToken. */
function frozen(h: Hypothesis): DecodedToken {
  return {
    id: h.prefix.lastToken,
    frame: h.lastFirstFrame,
    lastFrame: h.lastLastFrame,
    logProb: Math.log(h.lastPosteriorSum / Math.max(1, h.lastFrameCount)),
  };
}

function tokensOf(h: Hypothesis): DecodedToken[] {
  const tokens: DecodedToken[] = [];
  if (h.lastFirstFrame >= 0) tokens.push(frozen(h));
  for (let trail = h.trail; trail; trail = trail.previous) tokens.push(trail.token);
  return tokens.reverse();
}

/**
 * CTC prefix beam search over one utterance's (numFrames, V) row-major log-probabilities, with
 * optional n-gram LM fusion (α, β) and hotwords. Words carry start, end and confidence as the
 * greedy decoder's do.
 *
 * @example
 * const lm = await loadLanguageModel('models/lm-en');
 * const { text, words } = beamSearchDecode(output.data, {
 *   numFrames: output.numFrames, vocab, frameSec: 0.04, beamWidth: 16, lm, alpha: 0.5, beta: 1,
 *   hotwords: ['siobhan'],
 * });
 */
export function beamSearchDecode(
  logProbs: Float32Array,
  options: BeamSearchOptions & { numFrames: number },
): BeamSearchResult {
  const search = new CtcPrefixBeamSearch(options);
  search.advance(logProbs, options.numFrames);
  return search.finish();
}
