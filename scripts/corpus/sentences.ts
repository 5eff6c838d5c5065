/**
 * The text the corpus speaks: sentences from `common-voice-en.txt` and `ljspeech-sentences.txt`,
 * normalised, filtered by length, stripped of anything a synthesizer would read differently from
 * its label, de-duplicated, and never an ARCTIC prompt or close to one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarkError } from '../../src-main/engine/errors';
import { normalizeText, verbalize } from '../../src-main/engine/text/normalize';
import { createArcticMatcher } from './arctic-filter';

export const TEXT_SOURCES = ['common-voice-en.txt', 'ljspeech-sentences.txt'] as const;
export const ARCTIC_PROMPTS_FILE = 'cmu-arctic-prompts.tsv';

export interface Sentence {
  /** `source:line`, stable across runs. */
  id: string;
  /** What the synthesizer reads: verbalised, with case and punctuation. */
  spoken: string;
  /** The normalised label. */
  text: string;
  wordCount: number;
}

export interface SentenceReport {
  read: number;
  kept: number;
  tooShort: number;
  tooLong: number;
  /** Sentences a synthesizer would say differently from their label (acronyms, symbols...). */
  unspeakable: number;
  duplicates: number;
  arcticExact: number;
  arcticNear: number;
  arcticPrompts: number;
}

export interface SentenceOptions {
  minWords: number;
  maxWords: number;
}

/**
 * Why a verbalised sentence cannot be spoken as its label says, or undefined when it can:
 * acronyms and initials are spelled out by some synthesizers and read as words by others,
 * non-Latin letters vanish from the label, and stray symbols get names.
 */
export function unspeakableReason(spoken: string): string | undefined {
  if (/[^\x20-\x7e]/.test(spoken)) return 'non-ASCII letters';
  if (/\d/.test(spoken)) return 'digits left';
  if (/[/\\*_<>[\]{}|~^$#@+=]/.test(spoken)) return 'symbols';
  if (/\b[A-Za-z]\.[A-Za-z]/.test(spoken)) return 'initials or abbreviation';
  if (/\b[A-Z]{2,}\b/.test(spoken)) return 'acronym';
  return undefined;
}

/**
 * Reads the normalised ARCTIC prompts from `cmu-arctic-prompts.tsv` (`id<TAB>text` lines).
 *
 * @example
 * readArcticPrompts('../shared/data/text').length; // 1132
 */
export function readArcticPrompts(textDir: string): string[] {
  const file = join(textDir, ARCTIC_PROMPTS_FILE);
  if (!existsSync(file)) {
    throw new HarkError('FILE_NOT_FOUND', 'the CMU ARCTIC prompts are needed to exclude them', {
      file,
    });
  }
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.split('\t')[1] ?? '')
    .map(normalizeText)
    .filter((text) => text !== '');
}

/**
 * Turns raw lines into corpus sentences with the filters above; `sources` maps a source name to
 * its lines (one sentence a line).
 *
 * @example
 * const { sentences, report } = selectSentences({ 'a.txt': ['Hello there, my friend.'] }, [],
 *   { minWords: 3, maxWords: 30 });
 */
export function selectSentences(
  sources: Record<string, readonly string[]>,
  arcticPrompts: readonly string[],
  options: SentenceOptions,
): { sentences: Sentence[]; report: SentenceReport } {
  const matcher = createArcticMatcher(arcticPrompts);
  const report: SentenceReport = {
    read: 0,
    kept: 0,
    tooShort: 0,
    tooLong: 0,
    unspeakable: 0,
    duplicates: 0,
    arcticExact: 0,
    arcticNear: 0,
    arcticPrompts: matcher.promptCount,
  };
  const seen = new Set<string>();
  const sentences: Sentence[] = [];
  for (const [source, lines] of Object.entries(sources)) {
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      report.read += 1;
      const spoken = verbalize(line).replace(/"/g, '').replace(/\s+/g, ' ').trim();
      const text = normalizeText(line);
      const wordCount = text === '' ? 0 : text.split(' ').length;
      if (wordCount < options.minWords) report.tooShort += 1;
      else if (wordCount > options.maxWords) report.tooLong += 1;
      else if (unspeakableReason(spoken) !== undefined || normalizeText(spoken) !== text) {
        report.unspeakable += 1;
      } else if (seen.has(text)) report.duplicates += 1;
      else {
        const arctic = matcher.match(text);
        if (arctic === 'exact') report.arcticExact += 1;
        else if (arctic === 'near') report.arcticNear += 1;
        else {
          seen.add(text);
          sentences.push({ id: `${source}:${index + 1}`, spoken, text, wordCount });
        }
      }
    });
  }
  report.kept = sentences.length;
  return { sentences, report };
}

/**
 * Loads and filters the sentences of `TEXT_SOURCES` in `textDir`, excluding the ARCTIC prompts
 * found beside them.
 */
export function loadSentences(
  textDir: string,
  options: SentenceOptions,
): { sentences: Sentence[]; report: SentenceReport } {
  const sources: Record<string, string[]> = {};
  for (const name of TEXT_SOURCES) {
    const file = join(textDir, name);
    if (!existsSync(file)) {
      throw new HarkError('FILE_NOT_FOUND', 'a corpus text source is missing', { file });
    }
    sources[name] = readFileSync(file, 'utf8').split('\n');
  }
  return selectSentences(sources, readArcticPrompts(textDir), options);
}
