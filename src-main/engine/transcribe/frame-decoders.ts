/**
 * Turn the kept log-probability frames of a file, window after window, into timed words. Frames
 * arrive in order with their absolute frame numbers; each decoder keeps its own state for the
 * whole file, so a word across a window edge is decoded once.
 *
 * - Greedy: frames go through a FrameStitcher, whose blocks greedy CTC can decode one by one
 *   with exactly the result of decoding the whole file at once.
 * - Beam: frames go straight into one CtcPrefixBeamSearch for the file (the search carries its
 *   hypotheses across blocks). A gap in the frame numbers (a model that returned fewer frames
 *   than expected) is filled with blank frames, so word times stay on the file's time line.
 */
import {
  CtcPrefixBeamSearch,
  greedyCtcDecode,
  tokensToWords,
  type DecodedToken,
  type Vocabulary,
} from '../decode';
import type { Word } from '../types';
import type { PreparedDecoding } from './decoding';
import { FrameStitcher, type FrameBlock } from './frame-stitcher';

export interface FrameDecoder {
  /** Consumes `numFrames` (numFrames, V) row-major frames starting at absolute frame `firstFrame`. */
  push(logProbs: Float32Array, numFrames: number, firstFrame: number): void;
  /** Ends the file and returns its words in time order. */
  finish(): Word[];
}

export interface FrameDecoderOptions {
  vocabulary: Vocabulary;
  /** Seconds per output frame (hop × subsampling, e.g. 0.04). */
  frameSec: number;
}

class GreedyFrameDecoder implements FrameDecoder {
  private readonly stitcher: FrameStitcher;
  private readonly tokens: DecodedToken[] = [];

  constructor(private readonly options: FrameDecoderOptions) {
    const { vocabulary } = options;
    this.stitcher = new FrameStitcher({ vocabSize: vocabulary.size, blankId: vocabulary.blankId });
  }

  push(logProbs: Float32Array, numFrames: number, firstFrame: number): void {
    for (const block of this.stitcher.push(logProbs, numFrames, firstFrame)) this.decode(block);
  }

  finish(): Word[] {
    const rest = this.stitcher.flush();
    if (rest) this.decode(rest);
    const { vocabulary, frameSec } = this.options;
    return tokensToWords(this.tokens, vocabulary, { frameSec });
  }

  private decode(block: FrameBlock): void {
    const { vocabulary } = this.options;
    const decoded = greedyCtcDecode(block.logProbs, {
      numFrames: block.numFrames,
      vocabSize: vocabulary.size,
      blankId: vocabulary.blankId,
      frameOffset: block.firstFrame,
    });
    for (const token of decoded) this.tokens.push(token);
  }
}

class BeamFrameDecoder implements FrameDecoder {
  private readonly search: CtcPrefixBeamSearch;
  private readonly vocabulary: Vocabulary;

  constructor(decoding: PreparedDecoding, options: FrameDecoderOptions) {
    this.vocabulary = options.vocabulary;
    this.search = new CtcPrefixBeamSearch({
      vocab: options.vocabulary,
      frameSec: options.frameSec,
      beamWidth: decoding.beamWidth,
      maxTokensPerFrame: decoding.maxTokensPerFrame,
      ...(decoding.lm ? { lm: decoding.lm } : {}),
      alpha: decoding.alpha,
      beta: decoding.beta,
      hotwords: decoding.hotwords,
    });
  }

  push(logProbs: Float32Array, numFrames: number, firstFrame: number): void {
    const gap = firstFrame - this.search.nextFrame;
    if (gap > 0) this.search.advance(blankFrames(gap, this.vocabulary), gap);
    this.search.advance(logProbs, numFrames, firstFrame);
  }

  finish(): Word[] {
    return this.search.finish().words;
  }
}

/** Frames where the blank is certain. */
export function blankFrames(numFrames: number, vocabulary: Vocabulary): Float32Array {
  const frames = new Float32Array(numFrames * vocabulary.size).fill(-Infinity);
  for (let t = 0; t < numFrames; t++) frames[t * vocabulary.size + vocabulary.blankId] = 0;
  return frames;
}

/**
 * A decoder for one file. Cheap to create: the LM and the hotword trie are shared.
 *
 * @example
 * const decoder = createFrameDecoder(await prepareDecoding({ method: 'beam' }), { vocabulary, frameSec: 0.04 });
 * decoder.push(kept, numKept, firstFrame);
 * const words = decoder.finish();
 */
export function createFrameDecoder(
  decoding: PreparedDecoding,
  options: FrameDecoderOptions,
): FrameDecoder {
  return decoding.method === 'beam'
    ? new BeamFrameDecoder(decoding, options)
    : new GreedyFrameDecoder(options);
}
