import { readFile } from 'node:fs/promises';
import { HarkError } from '../../errors';
import { normalizeText } from '../../text/normalize';

/** A word or phrase to favour during the search. */
export interface Hotword {
  /** Normalised text (a-z, apostrophes, single spaces), e.g. "siobhan" or "new york". */
  phrase: string;
  /** Bonus in nats per matched character, space included; default: the search's `hotwordBoost`. */
  boost?: number;
}

/** Default bonus per matched character, in nats (sherpa-onnx's hotwords_score is 1.5 per token). */
export const DEFAULT_HOTWORD_BOOST = 1.5;
/** The largest boost, up or down, a custom word may ask for, in nats a letter. */
export const MAX_HOTWORD_BOOST = 10;

/** A node of the hotword trie: the characters matched so far. */
export interface HotwordNode {
  readonly children: Map<string, HotwordNode>;
  /** The character on the edge into this node ('' for the root). */
  readonly char: string;
  /** Bonus for matching this node's character: the largest boost of the phrases through it. */
  boost: number;
  /** A phrase ends here. */
  end: boolean;
}

/**
 * Where one hypothesis stands in the hotword trie. `committed` is bonus of completed phrases and
 * is kept; `pending` is bonus of the phrase being matched and is taken back if it does not
 * complete. `node` is null inside a word that left the trie (matching restarts at the next word).
 */
export interface HotwordState {
  readonly node: HotwordNode | null;
  readonly committed: number;
  readonly pending: number;
}

/**
 * A prefix trie over the characters of hotword phrases, matched word-aligned: a phrase starts at
 * the start of a word and counts only when a word ends right after it. Each matched character
 * earns its boost at once, so that the beam keeps a hypothesis spelling a rare name long enough
 * to finish it; a hypothesis that leaves the trie before the phrase ends loses that bonus again.
 *
 * @example
 * const trie = new HotwordTrie([{ phrase: 'siobhan' }, 'new york']);
 * let state = trie.initial;
 * for (const c of 'siobhan') state = trie.advance(state, c);
 * trie.finish(state); // 7 × 1.5: the phrase completed
 */
export class HotwordTrie {
  readonly root: HotwordNode = { children: new Map(), char: '', boost: 0, end: false };
  readonly initial: HotwordState = { node: this.root, committed: 0, pending: 0 };
  /** Every word of every phrase: words the search must not treat as unknown. */
  readonly words = new Set<string>();
  /** Every non-empty prefix of those words. */
  readonly wordPrefixes = new Set<string>();
  readonly size: number;

  constructor(hotwords: readonly (string | Hotword)[], defaultBoost = DEFAULT_HOTWORD_BOOST) {
    let size = 0;
    for (const item of hotwords) {
      const hotword = typeof item === 'string' ? { phrase: item } : item;
      const phrase = normalizeText(hotword.phrase);
      const boost = hotword.boost ?? defaultBoost;
      if (phrase === '') continue;
      if (!Number.isFinite(boost)) {
        throw new HarkError('INVALID_ARGUMENT', `hotword "${phrase}": bad boost ${boost}`);
      }
      size++;
      let node = this.root;
      for (const char of phrase) {
        let child = node.children.get(char);
        if (!child) {
          child = { children: new Map(), char, boost, end: false };
          node.children.set(char, child);
        }
        child.boost = Math.max(child.boost, boost);
        node = child;
      }
      node.end = true;
      for (const word of phrase.split(' ')) {
        this.words.add(word);
        for (let i = 1; i <= word.length; i++) this.wordPrefixes.add(word.slice(0, i));
      }
    }
    this.size = size;
  }

  /** The state after one more character of the current word. */
  advance(state: HotwordState, char: string): HotwordState {
    const { node, committed, pending } = state;
    if (node === null) return state;
    const child = node.children.get(char);
    if (child) return { node: child, committed, pending: pending + child.boost };
    // Left the trie. At a word start, the failed phrase may give way to one starting here.
    if (node !== this.root && node.char === ' ') {
      const fresh = this.root.children.get(char);
      if (fresh) return { node: fresh, committed, pending: fresh.boost };
    }
    return { node: null, committed, pending: 0 };
  }

  /** The state after the current word ends (a space, or the next token starting a word). */
  endWord(state: HotwordState): HotwordState {
    const { node } = state;
    if (node === null) return this.restart(state.committed);
    if (node === this.root) return state;
    const committed = node.end ? state.committed + state.pending : state.committed;
    const pending = node.end ? 0 : state.pending;
    const space = node.children.get(' ');
    if (space) return { node: space, committed, pending: pending + space.boost };
    return this.restart(committed);
  }

  /** Bonus kept at the end of the audio: pending bonus counts only if a phrase just ended. */
  finish(state: HotwordState): number {
    return state.node?.end ? state.committed + state.pending : state.committed;
  }

  private restart(committed: number): HotwordState {
    return committed === 0 ? this.initial : { node: this.root, committed, pending: 0 };
  }
}

/**
 * Parses a hotwords file: one word or phrase a line, optionally followed by ` :boost` (nats per
 * character, the sherpa-onnx convention); `#` starts a comment. Phrases are normalised with
 * normalizeText, so "Siobhán O'Neil" becomes "siobhan o'neil".
 *
 * @example
 * parseHotwords('Siobhan :3\nnew york\n# names\n', 'hotwords.txt');
 * // [{ phrase: 'siobhan', boost: 3 }, { phrase: 'new york' }]
 */
export function parseHotwords(text: string, source: string): Hotword[] {
  const hotwords: Hotword[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const fail = (why: string) =>
      new HarkError('INVALID_ARGUMENT', `line ${index + 1}: "${line}": ${why}`, { file: source });
    // A boost is what follows a colon that starts the line or follows a space ("10:30" is words).
    const colon = /^(.*?)(?:^|\s+):\s*(\S*)$/.exec(line);
    const phrase = normalizeText(colon ? colon[1]! : line);
    if (phrase === '') throw fail('no word Hark can spell in it');
    if (!colon) {
      hotwords.push({ phrase });
      return;
    }
    const written = colon[2]!;
    const boost = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(written) ? Number(written) : NaN;
    if (!Number.isFinite(boost)) {
      throw fail(`the boost after ":" must be a number, not "${written}"`);
    }
    if (Math.abs(boost) > MAX_HOTWORD_BOOST) {
      throw fail(
        `a boost of ${written} is out of range (−${MAX_HOTWORD_BOOST} to ${MAX_HOTWORD_BOOST} nats a letter)`,
      );
    }
    hotwords.push({ phrase, boost });
  });
  return hotwords;
}

/**
 * Reads and parses a hotwords file (see `parseHotwords`).
 *
 * @example
 * const hotwords = await loadHotwords('my-words.txt');
 * beamSearchDecode(logProbs, { ...options, hotwords });
 */
export async function loadHotwords(file: string): Promise<Hotword[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new HarkError(
      code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      code === 'ENOENT' ? 'the hotwords file does not exist' : (error as Error).message,
      { file, cause: error },
    );
  }
  return parseHotwords(text, file);
}
