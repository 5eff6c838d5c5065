import { CHARACTER_SET, SPACE_SYMBOL, normalizeText } from '../text/normalize';

/** The blank's symbol in tokens.txt (the name sherpa-onnx looks for first). */
export const BLANK_SYMBOL = '<blk>';

/**
 * The character vocabulary of Hark's own models: `CHARACTER_SET` with the space written as "▁", then
 * the CTC blank last (the NeMo convention sherpa-onnx expects).
 *
 * @example
 * characterTokens(); // ['▁', 'a', …, "'", '<blk>']
 */
export function characterTokens(): string[] {
  return [...CHARACTER_SET.map((c) => (c === ' ' ? SPACE_SYMBOL : c)), BLANK_SYMBOL];
}

/** tokens.txt content for `characterTokens()`: one `symbol id` a line. */
export function characterTokensFile(): string {
  return characterTokens()
    .map((symbol, id) => `${symbol} ${id}\n`)
    .join('');
}

const charIds = new Map(CHARACTER_SET.map((c, id) => [c, id]));

/**
 * Normalises `text` and maps it to character ids (no blanks). Characters outside the set cannot
 * occur after normalisation.
 *
 * @example
 * encodeCharacters('Hi, 2 cats!'); // ids of "hi two cats"
 */
export function encodeCharacters(text: string): Int32Array {
  const normalized = normalizeText(text);
  const ids = new Int32Array(normalized.length);
  for (let i = 0; i < normalized.length; i++) {
    const id = charIds.get(normalized[i]!);
    if (id === undefined) throw new Error(`character ${normalized[i]} is not in the vocabulary`);
    ids[i] = id;
  }
  return ids;
}
