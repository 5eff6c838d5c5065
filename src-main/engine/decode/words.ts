import type { Word } from '../types';
import type { DecodedToken } from './greedy-ctc';
import type { Vocabulary } from './vocabulary';

export interface TokensToWordsOptions {
  /** Seconds per output frame: hopMs / 1000 × the model's subsampling factor (e.g. 0.04). */
  frameSec: number;
  /** Added to every time: where this window starts in the file. Default 0. */
  timeOffsetSec?: number;
}

/** Rounds to the microsecond so that 3 × 0.04 prints as 0.12, not 0.12000000000000001. */
function seconds(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Word-boundary marks a token may begin with: "▁" (U+2581) or a literal space. */
const LEADING_BOUNDARY = /^[\u2581 ]+/;
const PUNCTUATION_ONLY = /^[.,!?;:\u2026]+$/;

interface WordInProgress {
  text: string;
  firstFrame: number;
  lastFrame: number;
  posteriors: number[];
}

/**
 * Groups decoded tokens into words with times and confidences. Works for both vocabularies NeMo
 * models use:
 * - characters, where a word boundary is its own token: "▁" (U+2581) or a literal space;
 * - SentencePiece BPE, where a piece starting with "▁" begins a new word ("▁hel", "lo").
 *
 * A word starts at the first frame of its first token and ends one frame after the last frame of
 * its last token. Its confidence is the arithmetic mean of its tokens' posteriors (each the mean
 * best-label posterior over the token's frames). The arithmetic mean is used rather than the
 * geometric one because it stays a probability a user can read ("on average the model was 80 %
 * sure of these letters"): one doubtful letter lowers the word's score in proportion instead of
 * driving it towards zero, while a word the model mostly guessed still scores low.
 * Tokens without text (blank, `<unk>`, `<pad>`, ...) are skipped; a piece of punctuation the
 * model wrote as its own word ("▁.") is attached to the word before it.
 *
 * @example
 * const words = tokensToWords(tokens, vocab, { frameSec: 0.04, timeOffsetSec: windowStartSec });
 * // [{ text: 'hello', startSec: 0.12, endSec: 0.48, confidence: 0.93 }, ...]
 */
export function tokensToWords(
  tokens: readonly DecodedToken[],
  vocab: Vocabulary,
  options: TokensToWordsOptions,
): Word[] {
  const { frameSec } = options;
  const offsetSec = options.timeOffsetSec ?? 0;
  const pieces: WordInProgress[] = [];
  let current: WordInProgress | undefined;

  for (const token of tokens) {
    if (vocab.isSpecial(token.id)) continue;
    const symbol = vocab.symbol(token.id);
    const body = symbol.replace(LEADING_BOUNDARY, '');
    if (body.length !== symbol.length) current = undefined; // the token begins a word
    if (body === '') continue;
    const lastFrame = token.lastFrame ?? token.frame;
    const posterior = Math.exp(token.logProb);
    // Punctuation the model wrote as a word of its own ("▁.") belongs to the word before it.
    const attachTo = current ?? (PUNCTUATION_ONLY.test(body) ? pieces.at(-1) : undefined);
    if (attachTo) {
      attachTo.text += body;
      attachTo.lastFrame = lastFrame;
      attachTo.posteriors.push(posterior);
      current = attachTo;
    } else {
      current = { text: body, firstFrame: token.frame, lastFrame, posteriors: [posterior] };
      pieces.push(current);
    }
  }

  return pieces.map((piece) => {
    const mean = piece.posteriors.reduce((total, p) => total + p, 0) / piece.posteriors.length;
    return {
      text: piece.text,
      startSec: seconds(offsetSec + piece.firstFrame * frameSec),
      endSec: seconds(offsetSec + (piece.lastFrame + 1) * frameSec),
      confidence: Math.min(1, Math.max(0, mean)),
    };
  });
}
