/**
 * serve.ts --test-minimum-data: lowers the least data a voice-profile training run accepts, for
 * end-to-end tests that train on a handful of short prompts. Never used by the app itself.
 *
 * @example
 * parseMinimumData('3,2'); // { recordings: 3, speechSec: 2 }
 */
export function parseMinimumData(
  value: string | undefined,
): { recordings: number; speechSec: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+),(\d+(?:\.\d+)?)$/.exec(value.trim());
  if (!match || Number(match[1]) < 1) {
    throw new Error(
      `--test-minimum-data must be RECORDINGS,SECONDS with at least 1 recording, got "${value}"`,
    );
  }
  return { recordings: Number(match[1]), speechSec: Number(match[2]) };
}
