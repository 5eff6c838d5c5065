import { HarkError } from '../errors';
import { Float32LogTable, type LogTable } from './log-table';
import { compareRows } from './ngram-rows';

/** The sentence-start token (a context only: never predicted). */
export const SENTENCE_BEGIN = '<s>';
/** The sentence-end token (predicted after the last word). */
export const SENTENCE_END = '</s>';
/** Stands for every word outside the vocabulary. */
export const UNKNOWN_WORD = '<unk>';
/** The log10 probability ARPA files give what never happens (the `<s>` unigram). */
export const LOG10_ZERO = -99;

/** The n-grams of one order as flat arrays, in any order (input of `NgramModel.fromEntries`). */
export interface NgramOrderEntries {
  /** n word ids per entry: entry i is ids[i·n .. i·n + n), oldest word first. */
  ids: Uint32Array;
  /** log10 P(last word | the words before it). NaN: derive by backing off (a filled-in prefix). */
  prob: Float32Array;
  /** log10 backoff weight of the entry as a context; undefined at the highest order (= 0). */
  backoff?: Float32Array;
}

/** A whole model as flat arrays: words by id, then orders 1..N. */
export interface NgramEntries {
  vocabulary: readonly string[];
  orders: NgramOrderEntries[];
}

/**
 * One order of the trie. Entries are sorted by their words; the children of entry i (the n-grams
 * one word longer that start with it) are entries [childStart[i], childStart[i + 1]) of the next
 * order, sorted by their last word.
 */
export interface NgramLevel {
  readonly count: number;
  /** The last word of each entry; undefined for order 1, whose entry index is the word id. */
  readonly words: Uint16Array | Uint32Array | undefined;
  /** log10 P(last word | the others). */
  readonly prob: LogTable;
  /** log10 backoff weights; undefined at the highest order. */
  readonly backoff: LogTable | undefined;
  /** count + 1 offsets into the next order; undefined at the highest order. */
  readonly childStart: Uint32Array | undefined;
}

/** The first index of sorted `words` (within [low, high)) whose word is not below `key`. */
function lowerBound(words: readonly string[], key: string, low = 0, high = words.length): number {
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (words[mid]! < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

interface OrderArrays {
  ids: Uint32Array;
  prob: Float32Array;
  backoff: Float32Array | undefined;
}

/** Sorts rows of `width` ids (and their values) lexicographically. */
function sortOrder(order: OrderArrays, width: number): OrderArrays {
  const count = order.prob.length;
  const permutation = new Uint32Array(count);
  for (let i = 0; i < count; i++) permutation[i] = i;
  permutation.sort((i, j) => compareRows(order.ids, i, order.ids, j, width));
  const ids = new Uint32Array(count * width);
  const prob = new Float32Array(count);
  const backoff = order.backoff ? new Float32Array(count) : undefined;
  for (let r = 0; r < count; r++) {
    const from = permutation[r]!;
    ids.set(order.ids.subarray(from * width, from * width + width), r * width);
    prob[r] = order.prob[from]!;
    if (backoff) backoff[r] = order.backoff![from]!;
  }
  return { ids, prob, backoff };
}

/** Whether the first `width` ids of row i of `child` (width + 1 wide) equal row j of `parent`. */
function comparePrefix(
  parent: Uint32Array,
  j: number,
  child: Uint32Array,
  i: number,
  width: number,
): number {
  const pj = j * width;
  const ci = i * (width + 1);
  for (let k = 0; k < width; k++) {
    const d = parent[pj + k]! - child[ci + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * A backoff n-gram language model (ARPA semantics, log10) stored as a sorted trie of flat typed
 * arrays: the same layout whether it was built in memory, parsed from ARPA or viewed inside a
 * binary file. Words have ids in sorted (UTF-16 code unit) order, so spelled prefixes map to id
 * ranges.
 *
 * @example
 * const model = parseArpa(text, 'lm.arpa');
 * const the = model.wordId('the')!;
 * model.logProb10([model.beginId], the); // log10 P(the | <s>)
 */
export class NgramModel {
  readonly order: number;
  /** Words by id, sorted. */
  readonly vocabulary: readonly string[];
  readonly levels: readonly NgramLevel[];
  /** Id of `<s>`. */
  readonly beginId: number;
  /** Id of `</s>`. */
  readonly endId: number;
  /** Id of `<unk>`, or undefined for a closed-vocabulary model. */
  readonly unknownId: number | undefined;
  /** Where the model came from, for messages. */
  readonly source: string;
  private bestUnigramTable: Float32Array[] | undefined;
  private readonly bestUnigramCache = new Map<string, number | undefined>();

  constructor(vocabulary: readonly string[], levels: readonly NgramLevel[], source: string) {
    const fail = (message: string): never => {
      throw new HarkError('MODEL_INVALID', message, { file: source });
    };
    if (levels.length === 0) fail('the language model has no n-grams');
    if (levels[0]!.count !== vocabulary.length) {
      fail(`${vocabulary.length} words but ${levels[0]!.count} unigrams`);
    }
    for (let i = 1; i < vocabulary.length; i++) {
      if (!(vocabulary[i - 1]! < vocabulary[i]!)) fail('the vocabulary is not sorted and unique');
    }
    levels.forEach((level, k) => {
      const last = k === levels.length - 1;
      if (level.prob.length !== level.count) fail(`order ${k + 1}: probabilities do not match`);
      if (!last) {
        const next = levels[k + 1]!;
        const starts = level.childStart;
        if (!level.backoff || level.backoff.length !== level.count || !starts) {
          fail(`order ${k + 1}: backoff weights or child offsets are missing`);
        }
        if (starts!.length !== level.count + 1 || starts![0] !== 0) {
          fail(`order ${k + 1}: bad child offsets`);
        }
        if (starts![level.count] !== next.count) fail(`order ${k + 1}: bad child offsets`);
        for (let i = 0; i < level.count; i++) {
          if (starts![i + 1]! < starts![i]!) fail(`order ${k + 1}: child offsets go backwards`);
        }
      }
      if (k > 0) {
        const words = level.words;
        if (!words || words.length !== level.count) fail(`order ${k + 1}: words are missing`);
        for (let i = 0; i < level.count; i++) {
          if (words![i]! >= vocabulary.length) fail(`order ${k + 1}: word id out of range`);
        }
      }
    });
    this.order = levels.length;
    this.vocabulary = vocabulary;
    this.levels = levels;
    this.source = source;
    const idOf = (word: string): number | undefined => this.wordId(word);
    this.beginId = idOf(SENTENCE_BEGIN) ?? fail(`no ${SENTENCE_BEGIN} in the vocabulary`);
    this.endId = idOf(SENTENCE_END) ?? fail(`no ${SENTENCE_END} in the vocabulary`);
    this.unknownId = idOf(UNKNOWN_WORD);
  }

  /**
   * Builds the trie from flat n-gram lists: sorts the vocabulary and the n-grams, adds any prefix
   * an n-gram needs that the lists lack (with the backed-off probability and no backoff, as
   * KenLM does for pruned SRILM models), and links parents to children.
   *
   * @example
   * const model = NgramModel.fromEntries({ vocabulary: ['<s>', '</s>', 'a'], orders: [unigrams] }, 'test');
   */
  static fromEntries(entries: NgramEntries, source: string): NgramModel {
    const fail = (message: string): never => {
      throw new HarkError('MODEL_INVALID', message, { file: source });
    };
    const size = entries.vocabulary.length;
    const order = entries.orders.length;
    if (order === 0 || size === 0) fail('the language model is empty');
    const sortedIds = Array.from({ length: size }, (_, i) => i).sort((a, b) => {
      const x = entries.vocabulary[a]!;
      const y = entries.vocabulary[b]!;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const rank = new Uint32Array(size);
    sortedIds.forEach((old, index) => (rank[old] = index));
    const vocabulary = sortedIds.map((old) => entries.vocabulary[old]!);
    for (let i = 1; i < size; i++) {
      if (vocabulary[i] === vocabulary[i - 1]) fail(`the word "${vocabulary[i]}" appears twice`);
    }

    const arrays: OrderArrays[] = entries.orders.map((entry, k) => {
      const width = k + 1;
      const count = entry.prob.length;
      if (entry.ids.length !== count * width) fail(`order ${width}: ids and probabilities differ`);
      if (k < order - 1 && entry.backoff && entry.backoff.length !== count) {
        fail(`order ${width}: backoff weights and probabilities differ`);
      }
      const ids = new Uint32Array(entry.ids.length);
      for (let i = 0; i < ids.length; i++) {
        const id = entry.ids[i]!;
        if (id >= size) fail(`order ${width}: word id ${id} is outside the vocabulary`);
        ids[i] = rank[id]!;
      }
      const backoff =
        k < order - 1 ? (entry.backoff?.slice() ?? new Float32Array(count)) : undefined;
      return { ids, prob: entry.prob.slice(), backoff };
    });

    // Unigrams: one per word, indexed by id.
    const unigrams = arrays[0]!;
    if (unigrams.prob.length !== size) fail(`${size} words but ${unigrams.prob.length} unigrams`);
    const unigramProb = new Float32Array(size).fill(NaN);
    const unigramBackoff = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const id = unigrams.ids[i]!;
      if (!Number.isNaN(unigramProb[id]!)) fail(`the unigram "${vocabulary[id]}" appears twice`);
      if (Number.isNaN(unigrams.prob[i]!))
        fail(`the unigram "${vocabulary[id]}" has no probability`);
      unigramProb[id] = unigrams.prob[i]!;
      if (unigrams.backoff) unigramBackoff[id] = unigrams.backoff[i]!;
    }
    arrays[0] = {
      ids: Uint32Array.from(sortedIds.keys()),
      prob: unigramProb,
      backoff: order > 1 ? unigramBackoff : undefined,
    };

    // Every n-gram's prefix must be an entry one order down: add the missing ones.
    for (let k = order - 1; k >= 1; k--) {
      const width = k + 1;
      arrays[k] = sortOrder(arrays[k]!, width);
      arrays[k - 1] = sortOrder(arrays[k - 1]!, k);
      const child = arrays[k]!;
      const parent = arrays[k - 1]!;
      const missing: number[] = [];
      let p = 0;
      const parentCount = parent.prob.length;
      for (let i = 0; i < child.prob.length; i++) {
        while (p < parentCount && comparePrefix(parent.ids, p, child.ids, i, k) < 0) p++;
        if (p < parentCount && comparePrefix(parent.ids, p, child.ids, i, k) === 0) continue;
        const last = missing.length - k;
        const row = child.ids.subarray(i * width, i * width + k);
        if (last >= 0 && row.every((id, j) => id === missing[last + j])) continue;
        missing.push(...row);
      }
      if (missing.length > 0) {
        const added = missing.length / k;
        const ids = new Uint32Array(parent.ids.length + missing.length);
        ids.set(parent.ids);
        ids.set(missing, parent.ids.length);
        const prob = new Float32Array(parentCount + added).fill(NaN);
        prob.set(parent.prob);
        const backoff = new Float32Array(parentCount + added);
        backoff.set(parent.backoff!);
        arrays[k - 1] = sortOrder({ ids, prob, backoff }, k);
      }
    }

    // Duplicates, then the trie links.
    arrays.forEach((entry, k) => {
      for (let i = 1; i < entry.prob.length; i++) {
        if (compareRows(entry.ids, i - 1, entry.ids, i, k + 1) === 0) {
          const words = Array.from(entry.ids.subarray(i * (k + 1), (i + 1) * (k + 1)));
          fail(`the ${k + 1}-gram "${words.map((w) => vocabulary[w]).join(' ')}" appears twice`);
        }
      }
    });
    const WordArray = size <= 65536 ? Uint16Array : Uint32Array;
    const levels: NgramLevel[] = arrays.map((entry, k) => {
      const count = entry.prob.length;
      const next = arrays[k + 1];
      let childStart: Uint32Array | undefined;
      if (next) {
        childStart = new Uint32Array(count + 1);
        let p = 0;
        for (let i = 0; i < next.prob.length; i++) {
          while (comparePrefix(entry.ids, p, next.ids, i, k + 1) < 0) p++;
          childStart[p + 1]!++;
        }
        for (let i = 0; i < count; i++) childStart[i + 1]! += childStart[i]!;
      }
      let words: Uint16Array | Uint32Array | undefined;
      if (k > 0) {
        words = new WordArray(count);
        for (let i = 0; i < count; i++) words[i] = entry.ids[i * (k + 1) + k]!;
      }
      return {
        count,
        words,
        prob: new Float32LogTable(entry.prob),
        backoff: entry.backoff ? new Float32LogTable(entry.backoff) : undefined,
        childStart,
      };
    });
    const model = new NgramModel(vocabulary, levels, source);

    // Probabilities of added prefixes: what backing off gives, order by order.
    for (let k = 1; k < order; k++) {
      const prob = (levels[k]!.prob as Float32LogTable).values;
      const ids = arrays[k]!.ids;
      for (let i = 0; i < prob.length; i++) {
        if (!Number.isNaN(prob[i]!)) continue;
        const row = ids.subarray(i * (k + 1), (i + 1) * (k + 1));
        const contextIndex = model.find(row, 0, k);
        const contextBackoff = levels[k - 1]!.backoff!.get(contextIndex);
        prob[i] = contextBackoff + model.scoreUpTo(row.subarray(1, k), row[k]!, k);
      }
    }
    return model;
  }

  /**
   * The id of a word, or undefined outside the vocabulary (binary search).
   *
   * @example
   * model.wordId('the'); // e.g. 41873
   */
  wordId(word: string): number | undefined {
    const index = lowerBound(this.vocabulary, word);
    return this.vocabulary[index] === word ? index : undefined;
  }

  /**
   * Index of the n-gram ids[from..to) among the entries of its order, or -1 if it is not listed.
   *
   * @example
   * model.find([the, cat], 0, 2) >= 0; // "the cat" is a bigram of the model
   */
  find(ids: ArrayLike<number>, from: number, to: number): number {
    let index = ids[from]!;
    if (!(index >= 0 && index < this.vocabulary.length)) return -1;
    for (let i = from + 1; i < to && index >= 0; i++)
      index = this.child(i - from - 1, index, ids[i]!);
    return index;
  }

  /** Index in order level + 2 of entry `parent` of order level + 1 followed by `word`, or -1. */
  private child(level: number, parent: number, word: number): number {
    const starts = this.levels[level]!.childStart;
    const words = this.levels[level + 1]?.words;
    if (!starts || !words) return -1;
    let low = starts[parent]!;
    let high = starts[parent + 1]!;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const w = words[mid]!;
      if (w < word) low = mid + 1;
      else if (w > word) high = mid;
      else return mid;
    }
    return -1;
  }

  /**
   * log10 P(word | context) with backoff, as an ARPA model defines it. `context` is oldest
   * first; only its last order − 1 words matter.
   *
   * @example
   * model.logProb10([model.beginId, model.wordId('the')!], model.wordId('cat')!);
   */
  logProb10(context: ArrayLike<number>, word: number): number {
    return this.scoreUpTo(context, word, this.order);
  }

  /** `logProb10` using n-grams of at most `maxOrder` words. */
  private scoreUpTo(context: ArrayLike<number>, word: number, maxOrder: number): number {
    let backoff = 0;
    const end = context.length;
    for (let length = Math.min(end, maxOrder - 1); length >= 1; length--) {
      const contextIndex = this.find(context, end - length, end);
      if (contextIndex < 0) continue;
      const found = this.child(length - 1, contextIndex, word);
      if (found >= 0) return backoff + this.levels[length]!.prob.get(found);
      backoff += this.levels[length - 1]!.backoff!.get(contextIndex);
    }
    return backoff + this.levels[0]!.prob.get(word);
  }

  /**
   * The context to score the word after `word` with: the longest suffix of context + word, at
   * most order − 1 words, that the model lists and that matters as a context (it has longer
   * n-grams or a backoff weight). Any longer suffix scores every word the same, so equal
   * contexts can share a cache.
   *
   * @example
   * model.nextContext([model.beginId], model.wordId('the')!); // e.g. [<s>, the]
   */
  nextContext(context: readonly number[], word: number): number[] {
    const full = [...context.slice(Math.max(0, context.length - this.order + 2)), word];
    for (let length = Math.min(this.order - 1, full.length); length >= 1; length--) {
      const index = this.find(full, full.length - length, full.length);
      if (index < 0) continue;
      const level = this.levels[length - 1]!;
      const hasChildren = level.childStart![index + 1]! > level.childStart![index]!;
      if (hasChildren || level.backoff!.get(index) !== 0) return full.slice(-length);
    }
    return [];
  }

  /**
   * The n-grams of one order (1-based) as flat id rows, sorted, aligned with the order's
   * probability and backoff columns.
   *
   * @example
   * const bigrams = model.rows(2); // [w1, w2, w1, w2, ...]
   */
  rows(order: number): Uint32Array {
    if (order === 1) return Uint32Array.from(this.vocabulary.keys());
    const parents = this.rows(order - 1);
    const level = this.levels[order - 1]!;
    const starts = this.levels[order - 2]!.childStart!;
    const out = new Uint32Array(level.count * order);
    const width = order - 1;
    for (let p = 0; p < starts.length - 1; p++) {
      for (let i = starts[p]!; i < starts[p + 1]!; i++) {
        out.set(parents.subarray(p * width, p * width + width), i * order);
        out[i * order + width] = level.words![i]!;
      }
    }
    return out;
  }

  /**
   * The model as flat n-gram lists (ids are this model's), e.g. to rebuild it after pruning.
   *
   * @example
   * const entries = model.toEntries();
   * entries.orders[1]!.prob; // log10 probabilities of the bigrams, sorted
   */
  toEntries(): NgramEntries {
    return {
      vocabulary: this.vocabulary,
      orders: this.levels.map((level, k) => {
        const prob = new Float32Array(level.count);
        for (let i = 0; i < level.count; i++) prob[i] = level.prob.get(i);
        let backoff: Float32Array | undefined;
        if (level.backoff) {
          backoff = new Float32Array(level.count);
          for (let i = 0; i < level.count; i++) backoff[i] = level.backoff.get(i);
        }
        return { ids: this.rows(k + 1), prob, ...(backoff ? { backoff } : {}) };
      }),
    };
  }

  /** Number of n-grams of each order. */
  get counts(): number[] {
    return this.levels.map((level) => level.count);
  }

  /**
   * The ids [from, to) of the words that start with `prefix` (contiguous: ids are sorted).
   * `within`, the ids of the words that start with a shorter prefix of `prefix`, narrows the
   * search (a word being spelled letter by letter).
   *
   * @example
   * const th = model.wordsWithPrefix('th'); // the, then, there, ...
   * const the = model.wordsWithPrefix('the', th);
   */
  wordsWithPrefix(
    prefix: string,
    within: { from: number; to: number } = { from: 0, to: this.vocabulary.length },
  ): { from: number; to: number } {
    const from = lowerBound(this.vocabulary, prefix, within.from, within.to);
    return { from, to: lowerBound(this.vocabulary, `${prefix}\uffff`, from, within.to) };
  }

  /**
   * The highest unigram log10 probability among the words with ids [from, to), or undefined for
   * an empty range (O(1) after a table built on first use).
   *
   * @example
   * model.bestUnigramIn(model.wordsWithPrefix('th')); // log10 P(the)
   */
  bestUnigramIn({ from, to }: { from: number; to: number }): number | undefined {
    if (!(from < to)) return undefined;
    const table = (this.bestUnigramTable ??= this.buildRangeMaxTable());
    const span = 31 - Math.clz32(to - from);
    return Math.max(table[span]![from]!, table[span]![to - (1 << span)]!);
  }

  /**
   * The highest unigram log10 probability among words that start with `prefix`, or undefined
   * when no word does: a look-ahead for a word still being spelled.
   *
   * @example
   * model.bestUnigramWithPrefix('th'); // log10 P(the), say -1.4
   */
  bestUnigramWithPrefix(prefix: string): number | undefined {
    const cached = this.bestUnigramCache.get(prefix);
    if (cached !== undefined || this.bestUnigramCache.has(prefix)) return cached;
    const best = this.bestUnigramIn(this.wordsWithPrefix(prefix));
    // Spelled prefixes repeat across utterances; bound the memo all the same.
    if (this.bestUnigramCache.size >= 100_000) this.bestUnigramCache.clear();
    this.bestUnigramCache.set(prefix, best);
    return best;
  }

  /** Sparse table: table[j][i] = max of unigram log10 probabilities of ids i..i + 2^j − 1. */
  private buildRangeMaxTable(): Float32Array[] {
    const size = this.vocabulary.length;
    const first = new Float32Array(size);
    for (let i = 0; i < size; i++) first[i] = this.levels[0]!.prob.get(i);
    const table = [first];
    for (let span = 1; 1 << span <= size; span++) {
      const previous = table[span - 1]!;
      const half = 1 << (span - 1);
      const next = new Float32Array(size - (1 << span) + 1);
      for (let i = 0; i < next.length; i++) {
        next[i] = Math.max(previous[i]!, previous[i + half]!);
      }
      table.push(next);
    }
    return table;
  }
}
