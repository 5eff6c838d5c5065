/**
 * Enrollment prompts for voice profiles and how they were chosen.
 *
 * @example
 * import { nextPrompts } from '../engine/prompts';
 * const toRead = nextPrompts(5); // the five sentences with the best phonetic coverage
 */
export { ENROLLMENT_PROMPTS, nextPrompts, type EnrollmentPrompt } from './enrollment';
export {
  chooseForCoverage,
  diphoneCoverage,
  diphonesOf,
  parseEspeakPhonemes,
  type ChosenPrompt,
  type PhonemizedSentence,
} from './diphone-coverage';
