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
 * What the CLI and the app use when the user chooses nothing: beam search (width 16) with the
 * shipped language model, the default since it won on the base model (issue 6: "the default once
 * it wins"); figures in README.md (Decoding) and the base model's card, from `npm run eval`.
 *
 * `beamWidth` equals DEFAULT_BEAM_OPTIONS.beamWidth (a test pins it). `maxTokensPerFrame`: at most
 * 3 tokens per frame start new prefixes (the search's own default is 8). Chosen on the synthetic
 * dev set (300 utterances, α 0.5, β 0, global step 1405): WER 84.27 % with 3, 84.62 % with 4,
 * 84.48 % with 8; 3 costs about a quarter less decoding time than 4, 8 about half as much again.
 * Widths 8 and 12 were cheaper still but lost accuracy (85.41 %, 84.82 % with 4 tokens). A
 * sharper model rarely has more than 3 plausible tokens a frame anyway.
 *
 * @example
 * const method = args.decoding ?? DEFAULT_DECODING.method;
 */
export const DEFAULT_DECODING: Readonly<{
  method: DecodingMethod;
  beamWidth: number;
  maxTokensPerFrame: number;
}> = Object.freeze({ method: 'beam', beamWidth: 16, maxTokensPerFrame: 3 });

/** The most hotword phrases a user's list may hold, and the longest phrase (characters). */
export const HOTWORD_LIMITS: Readonly<{ maxPhrases: number; maxPhraseLength: number }> =
  Object.freeze({ maxPhrases: 1000, maxPhraseLength: 100 });
