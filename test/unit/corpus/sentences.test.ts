import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createArcticMatcher } from '../../../scripts/corpus/arctic-filter';
import {
  loadSentences,
  readArcticPrompts,
  selectSentences,
  unspeakableReason,
} from '../../../scripts/corpus/sentences';
import { HarkError } from '../../../src-main/engine/errors';
import { normalizeText } from '../../../src-main/engine/text/normalize';

const PROMPTS = [
  'Author of the danger trail, Philip Steels, etc.',
  'For the twentieth time that evening the two men shook hands.',
  'Will we ever forget it.',
  'How old are you?',
].map(normalizeText);

describe('ARCTIC matcher', () => {
  const matcher = createArcticMatcher(PROMPTS);

  it.each([
    ['for the twentieth time that evening the two men shook hands', 'exact'],
    ['will we ever forget it', 'exact'],
    ['for the twentieth time that night the two men shook hands', 'near'],
    ['for the twentieth time that evening the men shook hands', 'near'],
    ['will we never forget it', 'near'],
    ['and he said will we ever forget it to nobody in particular', 'near'],
    ['how old are you really', 'near'],
    ['for the first time the two women met', undefined],
    ['the danger of trails is well known', undefined],
    ['how are you', undefined],
  ])('%j → %s', (sentence, expected) => {
    expect(matcher.match(sentence)).toBe(expected);
  });
});

describe('sentence selection', () => {
  const arctic = PROMPTS;
  const lines = [
    'For the twentieth time that evening, the two men shook hands!', // ARCTIC, punctuation aside
    'For the twentieth time that night the two men shook hands.', // close to ARCTIC
    '“Will we ever forget it?”', // ARCTIC with quotes
    'The quick brown fox jumps over the lazy dog.',
    'The quick brown fox jumps over the lazy dog!', // duplicate once normalised
    'Too short.',
    Array(31).fill('word').join(' '), // too long
    'The NASA probe left orbit.', // acronym
    'C.S. Lewis wrote many books.', // initials
    'In 1995 it cost $5 & more.',
    '',
  ];
  const { sentences, report } = selectSentences({ 'source.txt': lines }, arctic, {
    minWords: 3,
    maxWords: 30,
  });

  it('drops ARCTIC prompts and near matches and counts them', () => {
    expect(report.arcticExact).toBe(2);
    expect(report.arcticNear).toBe(1);
    for (const sentence of sentences)
      expect(createArcticMatcher(arctic).match(sentence.text)).toBeUndefined();
  });

  it('keeps 3-30 words, one copy, speakable text only', () => {
    expect(report).toMatchObject({
      read: 10,
      tooShort: 1,
      tooLong: 1,
      duplicates: 1,
      unspeakable: 2,
      kept: 2,
    });
    expect(sentences.map((s) => s.text)).toEqual([
      'the quick brown fox jumps over the lazy dog',
      'in nineteen ninety five it cost five dollars and more',
    ]);
    expect(sentences[1]?.spoken).toBe('In nineteen ninety five it cost five dollars and more.');
    expect(sentences[0]?.id).toBe('source.txt:4');
  });

  it('speaks exactly the words of the label', () => {
    for (const sentence of sentences) expect(normalizeText(sentence.spoken)).toBe(sentence.text);
  });

  it('explains what makes a sentence unspeakable', () => {
    expect(unspeakableReason('The BBC said so.')).toBe('acronym');
    expect(unspeakableReason('Call me at ten, e.g. later')).toBe('initials or abbreviation');
    expect(unspeakableReason('a ~ b')).toBe('symbols');
    expect(unspeakableReason('I said it, and A said no.')).toBeUndefined();
  });
});

describe('loading text sources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hark-sentences-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads both sources and the ARCTIC prompts from the folder', () => {
    writeFileSync(
      join(dir, 'cmu-arctic-prompts.tsv'),
      'arctic_a0005\tWill we ever forget it.\narctic_a0006\tHow old are you?\n',
    );
    writeFileSync(
      join(dir, 'common-voice-en.txt'),
      'Will we ever forget it.\nWe met by the old mill.\n',
    );
    writeFileSync(join(dir, 'ljspeech-sentences.txt'), 'The jail was full again,\n');
    expect(readArcticPrompts(dir)).toEqual(['will we ever forget it', 'how old are you']);
    const { sentences, report } = loadSentences(dir, { minWords: 3, maxWords: 30 });
    expect(sentences.map((s) => s.id)).toEqual([
      'common-voice-en.txt:2',
      'ljspeech-sentences.txt:1',
    ]);
    expect(report.arcticExact).toBe(1);
  });

  it('names the missing file', () => {
    const empty = mkdtempSync(join(tmpdir(), 'hark-empty-'));
    try {
      expect(() => loadSentences(empty, { minWords: 3, maxWords: 30 })).toThrow(HarkError);
      expect(() => loadSentences(empty, { minWords: 3, maxWords: 30 })).toThrow(
        /common-voice-en\.txt/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
