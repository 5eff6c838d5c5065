/**
 * The word-level part of a hypothesis's score during CTC beam search (shallow fusion):
 * α·ln P_LM(word | history) + β for every completed word, an unknown-word penalty for words the
 * LM does not know (so they can still be spelled, rather than scoring −∞), and while a word is
 * being spelled a look-ahead: α·ln of the best unigram probability of a known word starting with
 * the letters so far (flashlight's "smearing"), replaced by the real score when the word ends.
 * All scores are in nats. Results are memoised: LM states are interned by their context, and
 * every (state, word) pair and every partial word is scored once. `sharedWordScorer` hands every
 * search with the same LM and settings the same scorer, so these memos carry from file to file
 * (an app or eval run decodes many short files with one LM).
 */
import type { NgramModel } from '../../lm/ngram-model';

const LN10 = Math.LN10;
/** Interned states and partial-word scores kept before the caches start over (bounds memory). */
const MAX_CACHED = 200_000;
/** Scored (state, word) pairs kept before the interned states (and their memos) start over. */
const MAX_CACHED_COMPLETIONS = 1_000_000;
/** Scorers with different settings kept per LM (e.g. per hotword list). */
const MAX_SHARED_PER_LM = 8;

/** An LM history: the context the next word is scored with (interned, so comparable by ===). */
export interface LmState {
  readonly context: readonly number[];
  readonly key: string;
  /** word → the score of completing it here and the state after it. */
  readonly next: Map<string, CompletedWord>;
  /** α·ln P(</s> | context), once asked. */
  endScore: number | undefined;
}

/**
 * The letters of a word being spelled, as a node of a trie shared by every hypothesis of every
 * search with this scorer: extending a word by a token's letters is a look-up in `children`,
 * and the word's provisional score is computed once per node (no string hashing per extension).
 */
export interface SpelledWord {
  readonly letters: string;
  /** `WordScorer.partial(letters)`. */
  readonly partialScore: number;
  /** Longer words already spelled from this one, by the letters added (created on first use). */
  children: Map<string, SpelledWord> | undefined;
  /** `lmWordForm(letters)`, and the ids of the LM's words that start with it. */
  readonly form: string;
  readonly range: { readonly from: number; readonly to: number };
  /** `letters` are ASCII. */
  readonly ascii: boolean;
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
  /** The empty word: what a hypothesis spells before its first letter and after a word ends. */
  emptyWord: SpelledWord;
  private spelledWords = 0;
  private readonly letterForms = new Map<string, { form: string; ascii: boolean }>();
  /** Every word of the LM: the range of the empty prefix. */
  private readonly allWords: { from: number; to: number };
  private readonly states = new Map<string, LmState>();
  private readonly partialScores = new Map<string, number>();
  private completions = 0;
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
    this.allWords = { from: 0, to: lm?.vocabulary.length ?? 0 };
    this.emptyWord = this.newTrie();
  }

  private newTrie(): SpelledWord {
    return {
      letters: '',
      partialScore: 0,
      children: undefined,
      form: '',
      range: this.allWords,
      ascii: true,
    };
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
    // Each state's memo grows with the words seen after it; bound them all together.
    if (++this.completions > MAX_CACHED_COMPLETIONS) {
      this.completions = 0;
      this.states.clear();
    }
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
   * `word` with `letters` added (memoised in the shared trie).
   *
   * @example
   * const th = scorer.spell(scorer.spell(scorer.emptyWord, 't'), 'h'); // th.letters === 'th'
   */
  spell(word: SpelledWord, letters: string): SpelledWord {
    if (letters === '') return word;
    let next = word.children?.get(letters);
    if (next) return next;
    if (++this.spelledWords > MAX_CACHED) {
      // Start a new trie; words already spelled keep their nodes, which stay correct.
      this.spelledWords = 0;
      this.emptyWord = this.newTrie();
    }
    const joined = word.letters + letters;
    const { lm } = this;
    if (!lm) {
      next = {
        letters: joined,
        partialScore: 0,
        children: undefined,
        form: '',
        range: this.allWords,
        ascii: false,
      };
    } else {
      // As partial(joined) computes it, with the LM's words narrowed from the shorter word's.
      const added = this.formOfLetters(letters);
      const form = added.ascii && word.ascii ? word.form + added.form : lmWordForm(joined);
      const range =
        form === ''
          ? this.allWords
          : lm.wordsWithPrefix(form, form.startsWith(word.form) ? word.range : this.allWords);
      const best = form === '' ? undefined : lm.bestUnigramIn(range);
      next = {
        letters: joined,
        partialScore: this.provisionalScore(form, best),
        children: undefined,
        form,
        range,
        ascii: added.ascii && word.ascii,
      };
    }
    (word.children ??= new Map()).set(letters, next);
    return next;
  }

  /**
   * `lmWordForm(letters)` of a token's letters (memoised: a vocabulary has few), and whether they
   * are ASCII. In ASCII, lower-casing and filtering go character by character, so the form of an
   * ASCII word is its shorter word's form followed by the added letters' (not so in general:
   * Greek capital sigma lower-cases by what follows).
   */
  private formOfLetters(letters: string): { form: string; ascii: boolean } {
    let known = this.letterForms.get(letters);
    if (!known) {
      // eslint-disable-next-line no-control-regex
      known = { form: lmWordForm(letters), ascii: /^[\x00-\x7f]*$/.test(letters) };
      if (this.letterForms.size < MAX_CACHED) this.letterForms.set(letters, known);
    }
    return known;
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
    const score = this.provisionalScore(
      form,
      form === '' ? undefined : this.lm.bestUnigramWithPrefix(form),
    );
    if (this.partialScores.size >= MAX_CACHED) this.partialScores.clear();
    this.partialScores.set(letters, score);
    return score;
  }

  /** `partial` of a word whose LM form is `form`, `best` the best unigram starting with it. */
  private provisionalScore(form: string, best: number | undefined): number {
    const { alpha, lookahead, extraWordPrefixes, unknownWordPenalty } = this.options;
    let score: number;
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
    return score;
  }
}

const sharedScorers = new WeakMap<NgramModel, Map<string, WordScorer>>();

function settingsKey(options: WordScorerOptions): string {
  return [
    options.alpha,
    options.beta,
    options.unknownWordPenalty,
    options.lookahead,
    [...options.extraWords].sort().join(' '),
    [...options.extraWordPrefixes].sort().join(' '),
  ].join('|');
}

/**
 * A WordScorer for `lm` and `options`, the same one for every caller with equal settings (equal
 * α, β, penalty, look-ahead and extra words), so that its memos serve many searches. Without an
 * LM every score is 0 and a fresh scorer costs nothing.
 *
 * @example
 * const scorer = sharedWordScorer(lm, { alpha: 0.5, beta: 0, unknownWordPenalty: -10, ... });
 */
export function sharedWordScorer(
  lm: NgramModel | undefined,
  options: WordScorerOptions,
): WordScorer {
  if (!lm) return new WordScorer(undefined, options);
  let scorers = sharedScorers.get(lm);
  if (!scorers) {
    scorers = new Map();
    sharedScorers.set(lm, scorers);
  }
  const key = settingsKey(options);
  let scorer = scorers.get(key);
  if (!scorer) {
    if (scorers.size >= MAX_SHARED_PER_LM) scorers.delete(scorers.keys().next().value!);
    scorer = new WordScorer(lm, options);
  } else {
    scorers.delete(key); // re-inserted below: the map keeps the most recently used last
  }
  scorers.set(key, scorer);
  return scorer;
}
