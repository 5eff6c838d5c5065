import { HarkError } from '../errors';

/** The least data a fine-tuning run accepts. */
export interface MinimumData {
  recordings: number;
  speechSec: number;
}

/** Five prompts of a few seconds: enough for a short run (a real improvement needs more). */
export const DEFAULT_MINIMUM_DATA: Readonly<MinimumData> = Object.freeze({
  recordings: 5,
  speechSec: 10,
});

/**
 * Refuses too little data with NOT_ENOUGH_DATA, saying how much more is needed.
 *
 * @example
 * checkEnoughData([{ durationSec: 3 }], DEFAULT_MINIMUM_DATA);
 * // throws: "training needs at least 5 recordings and 10 s of speech; the profile has 1 (3.0 s):
 * //          add 4 more recordings with at least 7.0 s more speech"
 */
export function checkEnoughData(
  recordings: readonly { durationSec: number }[],
  minimum: MinimumData,
  file?: string,
): void {
  const count = recordings.length;
  const seconds = recordings.reduce((s, r) => s + r.durationSec, 0);
  if (count >= minimum.recordings && seconds >= minimum.speechSec) return;
  const missingSec = Math.max(0, minimum.speechSec - seconds);
  const average = count > 0 ? seconds / count : 3;
  const more = Math.max(minimum.recordings - count, Math.ceil(missingSec / average), 1);
  throw new HarkError(
    'NOT_ENOUGH_DATA',
    `training needs at least ${minimum.recordings} recordings and ${minimum.speechSec} s of speech; ` +
      `the profile has ${count} (${seconds.toFixed(1)} s): add ${more} more ` +
      `recording${more === 1 ? '' : 's'}` +
      (missingSec > 0 ? ` with at least ${missingSec.toFixed(1)} s more speech` : ''),
    file === undefined ? {} : { file },
  );
}
