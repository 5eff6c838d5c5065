/**
 * The sentences Hark asks a user to read when creating a voice profile (Dragon-style
 * enrollment). The list is generated for phonetic coverage by scripts/make-prompts.ts.
 */
import { ENROLLMENT_PROMPTS } from './enrollment-prompts';

export interface EnrollmentPrompt {
  /** Stable id (`p001`…), recorded with the take so re-recording replaces the right one. */
  id: string;
  text: string;
  /** Where the sentence comes from (all public domain or CC0). */
  source: string;
}

export { ENROLLMENT_PROMPTS };

/**
 * The next prompts to read: the first `count` (in coverage order) whose ids are not in `done`.
 *
 * @example
 * const next = nextPrompts(5, new Set(profileRecordings.map((r) => r.promptId)));
 */
export function nextPrompts(
  count: number,
  done: ReadonlySet<string> = new Set(),
): EnrollmentPrompt[] {
  return ENROLLMENT_PROMPTS.filter((p) => !done.has(p.id)).slice(0, Math.max(0, count));
}
