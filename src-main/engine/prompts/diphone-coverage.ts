/**
 * Choosing enrollment prompts for phonetic coverage: each sentence is a sequence of phonemes
 * (from espeak-ng), and sentences are picked greedily so that every next one adds the most
 * phonemes and phoneme pairs (diphones) the chosen ones do not cover yet, per phoneme read.
 * Pure functions; scripts/make-prompts.ts runs espeak-ng and writes the list.
 */

/** A sentence with its phonemes in reading order (stress marks removed, words joined). */
export interface PhonemizedSentence {
  text: string;
  source: string;
  phonemes: readonly string[];
}

export interface ChosenPrompt extends PhonemizedSentence {
  /** Diphones this prompt covered first. */
  newDiphones: number;
  newPhonemes: number;
}

export interface CoverageOptions {
  count: number;
  /** A new phoneme counts this many new diphones. */
  phonemeWeight: number;
}

/**
 * Parses espeak-ng's `-x --sep=_` output into phonemes: words are separated by spaces, phonemes
 * by `_`; stress and length marks (`'`, `,`, `=`) are dropped so "'a" and "a" are one phoneme.
 *
 * @example
 * parseEspeakPhonemes("D_@2 k_'a_t"); // ['D', '@2', 'k', 'a', 't']
 */
export function parseEspeakPhonemes(output: string): string[] {
  return output
    .split(/[\s_]+/)
    .map((p) => p.replace(/[',=]/g, ''))
    .filter((p) => p !== '' && p !== '#' && p !== '-');
}

/** The diphones (consecutive phoneme pairs) of a sequence, as "a+b" strings. */
export function diphonesOf(phonemes: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < phonemes.length; i++) out.push(`${phonemes[i - 1]}+${phonemes[i]}`);
  return out;
}

/**
 * Greedy set cover: picks `count` sentences, each time the one with the most new units (new
 * diphones + phonemeWeight × new phonemes) per phoneme it asks the reader to say. Ties go to the
 * earlier candidate, so the result is deterministic.
 *
 * @example
 * const prompts = chooseForCoverage(candidates, { count: 50, phonemeWeight: 3 });
 */
export function chooseForCoverage(
  candidates: readonly PhonemizedSentence[],
  options: CoverageOptions,
): ChosenPrompt[] {
  const coveredDiphones = new Set<string>();
  const coveredPhonemes = new Set<string>();
  const remaining = candidates.map((candidate) => ({
    candidate,
    diphones: new Set(diphonesOf(candidate.phonemes)),
    phonemes: new Set(candidate.phonemes),
  }));
  const chosen: ChosenPrompt[] = [];
  while (chosen.length < options.count && remaining.length > 0) {
    let bestIndex = -1;
    let bestScore = -1;
    let bestNew = { diphones: 0, phonemes: 0 };
    remaining.forEach((item, index) => {
      let diphones = 0;
      for (const d of item.diphones) if (!coveredDiphones.has(d)) diphones++;
      let phonemes = 0;
      for (const p of item.phonemes) if (!coveredPhonemes.has(p)) phonemes++;
      const score =
        (diphones + options.phonemeWeight * phonemes) / Math.max(1, item.candidate.phonemes.length);
      if (score > bestScore) {
        bestScore = score;
        bestIndex = index;
        bestNew = { diphones, phonemes };
      }
    });
    const [best] = remaining.splice(bestIndex, 1);
    if (!best) break;
    for (const d of best.diphones) coveredDiphones.add(d);
    for (const p of best.phonemes) coveredPhonemes.add(p);
    chosen.push({
      ...best.candidate,
      newDiphones: bestNew.diphones,
      newPhonemes: bestNew.phonemes,
    });
  }
  return chosen;
}

/** Share of the candidates' diphones (by type) the chosen prompts cover. */
export function diphoneCoverage(
  chosen: readonly { phonemes: readonly string[] }[],
  candidates: readonly { phonemes: readonly string[] }[],
): number {
  const all = new Set(candidates.flatMap((c) => diphonesOf(c.phonemes)));
  const covered = new Set(chosen.flatMap((c) => diphonesOf(c.phonemes)));
  return all.size === 0 ? 1 : covered.size / all.size;
}
