/**
 * Joins the kept log-probability frames of consecutive windows into one frame sequence and hands
 * it out in blocks that greedy CTC decoding can treat independently.
 *
 * Greedy CTC merges a symbol with the same symbol on the frame before it, so a block may only end
 * after frame t when no token can continue across the cut: t's best symbol is the blank, or frame
 * t + 1 has a different best symbol. Decoding the blocks one by one then gives exactly what
 * decoding the whole sequence at once would (tokens, frames and confidences). Only the frames
 * after the last such point are held back, so memory stays flat for any file length.
 */

export interface FrameBlock {
  /** (numFrames, vocabSize) row-major log-probabilities. */
  logProbs: Float32Array;
  numFrames: number;
  /** Absolute index of the block's first frame in the whole file. */
  firstFrame: number;
}

export interface FrameStitcherOptions {
  vocabSize: number;
  blankId: number;
  /** A block is cut anyway once this many frames wait (one symbol held for minutes). */
  maxHeldFrames?: number;
}

function bestSymbol(logProbs: Float32Array, frame: number, vocabSize: number): number {
  const offset = frame * vocabSize;
  let best = 0;
  let bestValue = -Infinity;
  for (let v = 0; v < vocabSize; v++) {
    const value = logProbs[offset + v]!;
    if (value > bestValue) {
      bestValue = value;
      best = v;
    }
  }
  return best;
}

/**
 * @example
 * const stitcher = new FrameStitcher({ vocabSize: 29, blankId: 28 });
 * for (const block of stitcher.push(keptFrames, numKept, firstAbsoluteFrame)) decode(block);
 * const rest = stitcher.flush(); // the frames still held at the end, or undefined
 */
export class FrameStitcher {
  private readonly vocabSize: number;
  private readonly blankId: number;
  private readonly maxHeldFrames: number;
  private held = new Float32Array(0);
  private heldFrames = 0;
  private heldFirstFrame = 0;

  constructor(options: FrameStitcherOptions) {
    this.vocabSize = options.vocabSize;
    this.blankId = options.blankId;
    this.maxHeldFrames = options.maxHeldFrames ?? 6000;
  }

  /** Frames held back so far (for tests and memory accounting). */
  get pendingFrames(): number {
    return this.heldFrames;
  }

  /**
   * Appends `numFrames` frames that start at absolute frame `firstFrame` and returns the blocks
   * that are now safe to decode. Frames normally continue the previous push; after a gap (a model
   * that returned fewer frames than expected) the held frames are handed out first, on their own.
   */
  push(logProbs: Float32Array, numFrames: number, firstFrame: number): FrameBlock[] {
    if (numFrames === 0) return [];
    const blocks: FrameBlock[] = [];
    if (this.heldFrames > 0 && firstFrame !== this.heldFirstFrame + this.heldFrames) {
      blocks.push(this.take(this.heldFrames));
    }
    if (this.heldFrames === 0) this.heldFirstFrame = firstFrame;
    this.append(logProbs.subarray(0, numFrames * this.vocabSize));

    let cutAfter = -1;
    let next = -1; // best symbol of frame t + 1 (unknown for the last held frame)
    for (let t = this.heldFrames - 1; t >= 0; t--) {
      const best = bestSymbol(this.held, t, this.vocabSize);
      if (best === this.blankId || (next >= 0 && best !== next)) {
        cutAfter = t;
        break;
      }
      next = best;
    }
    if (cutAfter < 0 && this.heldFrames >= this.maxHeldFrames) cutAfter = this.heldFrames - 1;
    if (cutAfter >= 0) blocks.push(this.take(cutAfter + 1));
    return blocks;
  }

  /** Everything still held, as a final block; undefined when nothing is left. */
  flush(): FrameBlock | undefined {
    return this.heldFrames === 0 ? undefined : this.take(this.heldFrames);
  }

  private append(values: Float32Array): void {
    const used = this.heldFrames * this.vocabSize;
    if (used + values.length > this.held.length) {
      const grown = new Float32Array(Math.max(used + values.length, this.held.length * 2));
      grown.set(this.held.subarray(0, used));
      this.held = grown;
    }
    this.held.set(values, used);
    this.heldFrames += values.length / this.vocabSize;
  }

  private take(numFrames: number): FrameBlock {
    const size = numFrames * this.vocabSize;
    const block: FrameBlock = {
      logProbs: this.held.slice(0, size),
      numFrames,
      firstFrame: this.heldFirstFrame,
    };
    this.held.copyWithin(0, size, this.heldFrames * this.vocabSize);
    this.heldFrames -= numFrames;
    this.heldFirstFrame += numFrames;
    return block;
  }
}
