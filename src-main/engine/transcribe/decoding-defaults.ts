/**
 * Decoding defaults shared by the engine, the CLI and the app's settings. Plain constants with no
 * imports, so the renderer can use them without pulling in Node modules.
 */

export const DECODING_METHODS = ['greedy', 'beam'] as const;
export type DecodingMethod = (typeof DECODING_METHODS)[number];

/** Beam widths a user may choose (the search's cost grows about linearly with the width). */
export const BEAM_WIDTH_RANGE: Readonly<{ min: number; max: number }> = Object.freeze({
  min: 1,
  max: 128,
});

/**
 * What the CLI and the app use when the user chooses nothing. Greedy until beam search with the
 * shipped language model is shown to be more accurate on the base model at an acceptable cost
 * (issue 6: "the default once it wins"). `beamWidth` equals DEFAULT_BEAM_OPTIONS.beamWidth (a test
 * pins it).
 *
 * @example
 * const method = args.decoding ?? DEFAULT_DECODING.method;
 */
export const DEFAULT_DECODING: Readonly<{ method: DecodingMethod; beamWidth: number }> =
  Object.freeze({ method: 'greedy', beamWidth: 16 });

/** The most hotword phrases a user's list may hold, and the longest phrase (characters). */
export const HOTWORD_LIMITS: Readonly<{ maxPhrases: number; maxPhraseLength: number }> =
  Object.freeze({ maxPhrases: 1000, maxPhraseLength: 100 });
