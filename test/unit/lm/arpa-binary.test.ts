import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { HarkError } from '../../../src-main/engine/errors';
import {
  buildKneserNey,
  decodeLanguageModel,
  encodeLanguageModel,
  floatToHalf,
  formatArpa,
  halfToFloat,
  loadLanguageModel,
  parseArpa,
  readLanguageModelCard,
  type NgramModel,
} from '../../../src-main/engine/lm';

/** A hand-written trigram model (log10 values chosen by hand; it need not be normalised). */
const HAND_ARPA = `This line before \\data\\ is ignored.

\\data\\
ngram 1=6
ngram 2=5
ngram 3=2

\\1-grams:
-1.0\t</s>
-99\t<s>\t-0.30
-1.5\t<unk>
-0.7\tthe\t-0.25
-1.2\tcat\t-0.40
-1.3\tsat\t-0.10

\\2-grams:
-0.20\t<s> the\t-0.05
-0.60\tthe cat\t-0.15
-0.45\tcat sat
-0.90\tsat </s>
-1.10\tthe sat\t-0.07

\\3-grams:
-0.10\t<s> the cat
-0.35\tthe cat sat

\\end\\
`;

function ids(model: NgramModel, sentence: string): number[] {
  return sentence.split(' ').map((w) => model.wordId(w)!);
}

function score(model: NgramModel, history: string, word: string): number {
  return model.logProb10(history === '' ? [] : ids(model, history), model.wordId(word)!);
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('parseArpa', () => {
  const model = parseArpa(HAND_ARPA, 'hand.arpa');

  it('reads orders, vocabulary and special words', () => {
    expect(model.order).toBe(3);
    expect(model.counts).toEqual([6, 5, 2]);
    expect([...model.vocabulary]).toEqual(['</s>', '<s>', '<unk>', 'cat', 'sat', 'the']);
    expect(model.vocabulary[model.beginId]).toBe('<s>');
    expect(model.vocabulary[model.unknownId!]).toBe('<unk>');
  });

  it('scores listed n-grams directly and backs off by hand-computed sums', () => {
    expect(score(model, '<s> the', 'cat')).toBeCloseTo(-0.1, 6);
    expect(score(model, 'the cat', 'sat')).toBeCloseTo(-0.35, 6);
    // "the cat </s>" unlisted: bo(the cat) + P(</s> | cat) = -0.15 + (bo(cat) + P(</s>)).
    expect(score(model, 'the cat', '</s>')).toBeCloseTo(-0.15 + -0.4 + -1.0, 6);
    // "<s> the sat": bo(<s> the) + P(sat | the) = -0.05 + -1.10.
    expect(score(model, '<s> the', 'sat')).toBeCloseTo(-1.15, 6);
    // "cat sat" has no backoff column: 0. "cat sat the": 0 + bo(sat) + P(the) = -0.10 + -0.7.
    expect(score(model, 'cat sat', 'the')).toBeCloseTo(-0.8, 6);
    // An unlisted context ("sat cat") costs nothing itself: bo(cat) + P(the).
    expect(score(model, 'sat cat', 'the')).toBeCloseTo(-0.4 + -0.7, 6);
    expect(score(model, '', 'cat')).toBeCloseTo(-1.2, 6);
  });

  it('keeps the longest listed context as the next state', () => {
    expect(model.nextContext(ids(model, '<s>'), model.wordId('the')!)).toEqual(
      ids(model, '<s> the'),
    );
    // "the cat sat" is a listed trigram, but only "cat sat" can be a context.
    expect(model.nextContext(ids(model, 'the cat'), model.wordId('sat')!)).toEqual(
      ids(model, 'sat'),
    );
  });

  it('adds a missing prefix with its backed-off probability, as pruned SRILM models need', () => {
    const pruned = HAND_ARPA.replace('ngram 2=5', 'ngram 2=4').replace(
      '-0.60\tthe cat\t-0.15\n',
      '',
    );
    const filled = parseArpa(pruned, 'pruned.arpa');
    expect(filled.counts).toEqual([6, 5, 2]);
    expect(score(filled, 'the', 'cat')).toBeCloseTo(-0.25 + -1.2, 6);
    expect(score(filled, 'the cat', 'sat')).toBeCloseTo(-0.35, 6);
  });

  it('round-trips through formatArpa', () => {
    const again = parseArpa(formatArpa(model), 'again.arpa');
    expect(again.counts).toEqual(model.counts);
    for (let n = 1; n <= 3; n++) {
      expect(again.rows(n)).toEqual(model.rows(n));
      for (let i = 0; i < model.levels[n - 1]!.count; i++) {
        expect(again.levels[n - 1]!.prob.get(i)).toBeCloseTo(model.levels[n - 1]!.prob.get(i), 6);
        const backoff = model.levels[n - 1]!.backoff?.get(i) ?? 0;
        expect(again.levels[n - 1]!.backoff?.get(i) ?? 0).toBeCloseTo(backoff, 6);
      }
    }
  });

  it('names the file and the line of a malformed model', () => {
    const errors: [string, RegExp][] = [
      ['no data section', /no \\data\\ section/],
      [HAND_ARPA.replace('ngram 3=2', 'ngram 3=3'), /2 3-grams where 3 were declared/],
      [HAND_ARPA.replace('-0.45\tcat sat', '-0.45\tcat dog'), /"dog" has no unigram/],
      [HAND_ARPA.replace('-0.10\t<s> the cat', '-0.10\t<s> the'), /needs 4 or 5 fields/],
      [HAND_ARPA.replace('-1.2\tcat', 'x\tcat'), /bad log10 probability/],
      [HAND_ARPA.replace('\\end\\', ''), /expected \\end\\/],
    ];
    for (const [text, message] of errors) {
      const attempt = () => parseArpa(text, 'bad.arpa');
      expect(attempt).toThrow(HarkError);
      expect(attempt).toThrow(message);
      expect(attempt).toThrow(/^bad\.arpa: line \d+/);
    }
  });
});

describe('float16', () => {
  it('encodes known patterns and rounds to nearest', () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(-2.5)).toBe(0xc100);
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(floatToHalf(1e6)).toBe(0x7c00);
    expect(floatToHalf(0)).toBe(0);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(floatToHalf(-99))).toBe(-99);
  });

  it('keeps log10 probabilities within 2^-11 relative', () => {
    for (let x = -20; x < 0; x += 0.0137) {
      expect(Math.abs(halfToFloat(floatToHalf(x)) - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11);
    }
  });
});

describe('binary language model', () => {
  const words = 'the cat sat on a mat and the dog ran to the cat on the mat'.split(' ');
  const corpus = Array.from({ length: 30 }, (_, i) => words.slice(i % 7, (i % 7) + 3 + (i % 5)));
  const arpaModel = parseArpa(formatArpa(buildKneserNey(corpus, { order: 3 }).model), 'kn.arpa');
  const bytes = encodeLanguageModel(arpaModel);
  const binary = decodeLanguageModel(bytes, 'kn.bin');

  it('scores like the ARPA model it was written from, to float16 precision', () => {
    expect([...binary.vocabulary]).toEqual([...arpaModel.vocabulary]);
    expect(binary.counts).toEqual(arpaModel.counts);
    let checked = 0;
    for (let n = 1; n <= 3; n++) {
      const rows = arpaModel.rows(n);
      for (let i = 0; i < arpaModel.levels[n - 1]!.count; i++) {
        const row = Array.from(rows.subarray(i * n, (i + 1) * n));
        for (let w = 0; w < arpaModel.vocabulary.length; w++) {
          const expected = arpaModel.logProb10(row, w);
          expect(Math.abs(binary.logProb10(row, w) - expected)).toBeLessThan(
            Math.max(0.003, Math.abs(expected) * 2 ** -10),
          );
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('is a view on the bytes (no copy) and reports a cut or foreign file', () => {
    const level = binary.levels[1]!;
    expect(level.childStart!.buffer).toBe(bytes.buffer);
    expect(() => decodeLanguageModel(bytes.subarray(0, bytes.length - 16), 'cut.bin')).toThrow(
      /cut\.bin: the file is cut short/,
    );
    expect(() => decodeLanguageModel(new TextEncoder().encode(HAND_ARPA), 'x.bin')).toThrow(
      /not a Hark language model/,
    );
    const corrupt = bytes.slice();
    new DataView(corrupt.buffer).setUint32(8, 99, true);
    expect(() => decodeLanguageModel(corrupt, 'v.bin')).toThrow(/format version 99/);
  });

  it('loadLanguageModel opens a folder (lm.bin first), ARPA text and gzipped ARPA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-lm-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'lm.bin'), bytes);
    writeFileSync(join(dir, 'lm.arpa'), HAND_ARPA);
    writeFileSync(join(dir, 'other.arpa.gz'), gzipSync(HAND_ARPA));
    const fromDir = await loadLanguageModel(dir);
    expect(fromDir.counts).toEqual(arpaModel.counts);
    expect((await loadLanguageModel(join(dir, 'lm.arpa'))).counts).toEqual([6, 5, 2]);
    expect((await loadLanguageModel(join(dir, 'other.arpa.gz'))).counts).toEqual([6, 5, 2]);
    await expect(loadLanguageModel(join(dir, 'missing'))).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
    writeFileSync(join(dir, 'junk.bin'), 'HARK-LM1 but nothing else');
    await expect(loadLanguageModel(join(dir, 'junk.bin'))).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      file: join(dir, 'junk.bin'),
    });
    const empty = mkdtempSync(join(tmpdir(), 'hark-lm-'));
    dirs.push(empty);
    await expect(loadLanguageModel(empty)).rejects.toThrow(/none of lm\.bin, lm\.arpa/);
  });

  it('readLanguageModelCard reads lm.json beside a model, if there is one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-lm-'));
    dirs.push(dir);
    expect(await readLanguageModelCard(dir)).toBeUndefined();
    writeFileSync(join(dir, 'lm.json'), JSON.stringify({ order: 3, decoding: { alpha: 0.7 } }));
    writeFileSync(join(dir, 'lm.bin'), bytes);
    expect((await readLanguageModelCard(join(dir, 'lm.bin')))?.decoding?.alpha).toBe(0.7);
    writeFileSync(join(dir, 'lm.json'), '[1, 2]');
    await expect(readLanguageModelCard(dir)).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });
});
