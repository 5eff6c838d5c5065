/**
 * The word-level part of a hypothesis's score during CTC beam search (shallow fusion):
 * α·ln P_LM(word | history) + β for every completed word, an unknown-word penalty for words the
 * LM does not know (so they can still be spelled, rather than scoring −∞), and while a word is
 * being spelled a look-ahead: α·ln of the best unigram probability of a known word starting with
 * the letters so far (flashlight's "smearing"), replaced by the real score when the word ends.
 * All scores are in nats. Results are memoised: LM states are interned by their context, and
 * every (state, word) pair and every partial word is scored once.
 */
import type { NgramModel } from '../../lm/ngram-model';

const LN10 = Math.LN10;
/** Interned states and partial-word scores kept before the caches start over (bounds memory). */
const MAX_CACHED = 200_000;

/** An LM history: the context the next word is scored with (interned, so comparable by ===). */
export interface LmState {
  readonly context: readonly number[];
  readonly key: string;
  /** word → the score of completing it here and the state after it. */
  readonly next: Map<string, CompletedWord>;
  /** α·ln P(</s> | context), once asked. */
  endScore: number | undefined;
}

export interface CompletedWord {
  /** Nats: α·ln P(word | context) + β, plus the unknown-word penalty where it applies. */
  score: number;
  state: LmState;
}

export interface WordScorerOptions {
  /** LM weight α. */
  alpha: number;
  /** Word insertion bonus β, in nats per word. */
  beta: number;
  /** Nats added for a word neither the LM nor the hotwords know (≤ 0). */
  unknownWordPenalty: number;
  /** Words to treat as known though the LM lacks them (hotwords): scored as `<unk>`, no penalty. */
  extraWords: ReadonlySet<string>;
  /** Every prefix of `extraWords`. */
  extraWordPrefixes: ReadonlySet<string>;
  /** Score words being spelled by their best unigram continuation. Default true. */
  lookahead: boolean;
}

/** Lower-cases a word and keeps letters, digits and apostrophes: how a token's word meets the LM. */
export function lmWordForm(word: string): string {
  return word.toLowerCase().replace(/[^\p{L}\p{N}']+/gu, '');
}

/**
 * Scores completed and partial words against an n-gram LM. Without an LM every score is 0:
 * the search is then purely acoustic (plus hotwords).
 *
 * @example
 * const scorer = new WordScorer(lm, { alpha: 0.5, beta: 1, unknownWordPenalty: -10, ... });
 * const { score, state } = scorer.complete(scorer.initial, 'hello');
 */
export class WordScorer {
  readonly initial: LmState;
  private readonly states = new Map<string, LmState>();
  private readonly partialScores = new Map<string, number>();
  /** ln P of the `<unk>` unigram, or of the rarest word for a closed-vocabulary model. */
  private readonly unknownUnigram: number;

  constructor(
    readonly lm: NgramModel | undefined,
    private readonly options: WordScorerOptions,
  ) {
    this.initial = this.state(lm ? [lm.beginId] : []);
    let unknown = 0;
    if (lm) {
      if (lm.unknownId !== undefined) {
        unknown = lm.levels[0]!.prob.get(lm.unknownId);
      } else {
        unknown = Infinity;
        for (let id = 0; id < lm.vocabulary.length; id++) {
          if (id !== lm.beginId) unknown = Math.min(unknown, lm.levels[0]!.prob.get(id));
        }
      }
    }
    this.unknownUnigram = unknown * LN10;
  }

  private state(context: readonly number[]): LmState {
    const key = context.join(',');
    let state = this.states.get(key);
    if (!state) {
      // States are compared by content, never by identity: forgetting them only costs time.
      if (this.states.size >= MAX_CACHED) this.states.clear();
      state = { context, key, next: new Map(), endScore: undefined };
      this.states.set(key, state);
    }
    return state;
  }

  /**
   * The score of `word` completed after `state`, and the state after it. A word that cleans to
   * nothing (punctuation) scores 0 and leaves the state unchanged.
   */
  complete(state: LmState, word: string): CompletedWord {
    const cached = state.next.get(word);
    if (cached) return cached;
    const result = this.score(state, word);
    state.next.set(word, result);
    return result;
  }

  private score(state: LmState, word: string): CompletedWord {
    const { lm } = this;
    const form = lmWordForm(word);
    if (!lm || form === '') return { score: 0, state };
    const { alpha, beta } = this.options;
    const id = lm.wordId(form);
    if (id !== undefined && id !== lm.beginId) {
      const logProb = lm.logProb10(state.context, id) * LN10;
      return {
        score: alpha * logProb + beta,
        state: this.state(lm.nextContext(state.context, id)),
      };
    }
    const penalty = this.options.extraWords.has(form) ? 0 : this.options.unknownWordPenalty;
    if (lm.unknownId === undefined) {
      return { score: alpha * this.unknownUnigram + beta + penalty, state: this.state([]) };
    }
    const logProb = lm.logProb10(state.context, lm.unknownId) * LN10;
    return {
      score: alpha * logProb + beta + penalty,
      state: this.state(lm.nextContext(state.context, lm.unknownId)),
    };
  }

  /** α·ln P(</s> | state): what ending the utterance here costs. */
  end(state: LmState): number {
    if (state.endScore === undefined) {
      state.endScore = this.lm
        ? this.options.alpha * this.lm.logProb10(state.context, this.lm.endId) * LN10
        : 0;
    }
    return state.endScore;
  }

  /**
   * The provisional score of a word still being spelled: the look-ahead for a prefix of a known
   * word, else what an unknown word will cost (so that a hypothesis spelling nonsense falls
   * behind early rather than only at the end of its word).
   */
  partial(letters: string): number {
    if (!this.lm || letters === '') return 0;
    const cached = this.partialScores.get(letters);
    if (cached !== undefined) return cached;
    const form = lmWordForm(letters);
    const { alpha, lookahead, extraWordPrefixes, unknownWordPenalty } = this.options;
    let score: number;
    const best = form === '' ? undefined : this.lm.bestUnigramWithPrefix(form);
    if (best !== undefined) {
      score = lookahead ? alpha * best * LN10 : 0;
      if (extraWordPrefixes.has(form) && lookahead) {
        score = Math.max(score, alpha * this.unknownUnigram);
      }
    } else if (extraWordPrefixes.has(form) || form === '') {
      score = lookahead ? alpha * this.unknownUnigram : 0;
    } else {
      score = unknownWordPenalty + (lookahead ? alpha * this.unknownUnigram : 0);
    }
    if (this.partialScores.size >= MAX_CACHED) this.partialScores.clear();
    this.partialScores.set(letters, score);
    return score;
  }
}
