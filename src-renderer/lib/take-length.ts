/** How long one enrollment take may be, so that it always fits in a request's PcmClip. */
import { MAX_CLIP_BASE64_CHARS } from '../../src-main/api/contract';
import { CAPTURE_RATE } from './microphone';

/**
 * The most float32 samples whose base64 (4 bytes a sample, 4 characters per 3 bytes) takes at most
 * `maxBase64Chars` characters.
 *
 * @example
 * samplesFittingBase64(16); // 3: 12 bytes → 16 characters
 */
export function samplesFittingBase64(maxBase64Chars: number): number {
  const bytes = Math.floor(maxBase64Chars / 4) * 3;
  return Math.floor(bytes / 4);
}

/** A prompt is read in well under a minute; a longer take is stopped on its own. */
const WANTED_TAKE_SEC = 60;

/** The longest take in seconds: a minute, or less should the contract's clip limit ever shrink. */
export const MAX_TAKE_SEC = Math.min(
  WANTED_TAKE_SEC,
  Math.floor(samplesFittingBase64(MAX_CLIP_BASE64_CHARS) / CAPTURE_RATE),
);

/** The longest take in samples at CAPTURE_RATE. */
export const MAX_TAKE_SAMPLES = MAX_TAKE_SEC * CAPTURE_RATE;
