import { normalizeText } from '../../../src-main/engine/text/normalize';
import { describe, expect, it } from 'vitest';
import {
  HotwordTrie,
  parseHotwords,
  type HotwordState,
} from '../../../src-main/engine/decode/beam';

/** Runs text through the trie: letters advance, spaces end words; returns the final bonus. */
function bonusFor(trie: HotwordTrie, text: string): { final: number; states: HotwordState[] } {
  let state = trie.initial;
  const states: HotwordState[] = [];
  for (const char of text) {
    state = char === ' ' ? trie.endWord(state) : trie.advance(state, char);
    states.push(state);
  }
  return { final: trie.finish(trie.endWord(state)), states };
}

const pendingPlusCommitted = (s: HotwordState) => s.committed + s.pending;

describe('HotwordTrie', () => {
  it('gives a bonus per matched character and keeps it when the word completes', () => {
    const trie = new HotwordTrie(['kate'], 2);
    const { final, states } = bonusFor(trie, 'hello kate');
    expect(states.map(pendingPlusCommitted)).toEqual([0, 0, 0, 0, 0, 0, 2, 4, 6, 8]);
    expect(final).toBe(8);
  });

  it('takes the bonus back when the word goes on or stops short', () => {
    const trie = new HotwordTrie(['kate'], 2);
    expect(bonusFor(trie, 'kates').final).toBe(0);
    expect(bonusFor(trie, 'kat is').final).toBe(0);
    const { states } = bonusFor(trie, 'katie');
    expect(states.map(pendingPlusCommitted)).toEqual([2, 4, 6, 0, 0]);
    // Matching is word-aligned: "skate" does not contain the hotword.
    expect(bonusFor(trie, 'skate').final).toBe(0);
  });

  it('matches phrases across words and counts each completed occurrence', () => {
    const trie = new HotwordTrie([{ phrase: 'new york', boost: 1 }, { phrase: 'york' }], 3);
    expect(bonusFor(trie, 'in new york').final).toBe(8); // 8 characters, space included
    expect(bonusFor(trie, 'new jersey').final).toBe(0);
    // After a failed "new ", a phrase starting at the next word still counts.
    expect(bonusFor(trie, 'new york york').final).toBe(8 + 12);
    expect(bonusFor(trie, 'new yorkshire').final).toBe(0);
  });

  it('keeps a shorter phrase completed inside a longer one that fails', () => {
    const trie = new HotwordTrie(['san', 'san jose'], 1);
    expect(bonusFor(trie, 'san jose').final).toBe(8);
    expect(bonusFor(trie, 'san diego').final).toBe(3);
  });

  it('normalises phrases and lists their words and prefixes', () => {
    const trie = new HotwordTrie(["Siobhán O'Neil"]);
    expect([...trie.words]).toEqual(['siobhan', "o'neil"]);
    expect(trie.wordPrefixes.has('siob')).toBe(true);
    expect(trie.wordPrefixes.has('x')).toBe(false);
  });
});

describe('parseHotwords', () => {
  it('reads one phrase a line with an optional ":boost", skipping comments', () => {
    const text = '# my words\nSiobhan :3\n\nnew York\nDr. Zhivago : 0.5  # a film\n';
    expect(parseHotwords(text, 'words.txt')).toEqual([
      { phrase: 'siobhan', boost: 3 },
      { phrase: 'new york' },
      { phrase: 'doctor zhivago', boost: 0.5 },
    ]);
  });

  it('names the file and line of a line without words', () => {
    expect(() => parseHotwords('ok\n!!! :2\n', 'words.txt')).toThrow(
      /^words\.txt: line 2: "!!! :2": no word Hark can spell in it$/,
    );
    expect(() => parseHotwords(' :3', 'words.txt')).toThrow(/line 1: ":3": no word/);
  });

  it('refuses a boost that is no number or out of range, and reads a colon inside words as words', () => {
    expect(() => parseHotwords('# names\nKubernetes :abc', 'words.txt')).toThrow(
      /line 2: "Kubernetes :abc": the boost after ":" must be a number, not "abc"$/,
    );
    expect(() => parseHotwords('bar :99999', 'words.txt')).toThrow(
      /a boost of 99999 is out of range \(−10 to 10 nats a letter\)$/,
    );
    expect(parseHotwords('quiet word :-2\nmeet at 10:30', 'words.txt')).toEqual([
      { phrase: 'quiet word', boost: -2 },
      { phrase: normalizeText('meet at 10:30') },
    ]);
  });
});
