/**
 * Cuts a stream of 16 kHz sample chunks into overlapping windows for the acoustic model, holding
 * no more than one window (plus its context) in memory.
 *
 * Each window has a core, which tiles the file without gaps or overlap, and context on both sides
 * that the model sees but whose output frames are thrown away (the neighbouring window owns them).
 * A word at a core edge is therefore heard in full by the window that keeps its frames, and the
 * frames are kept exactly once: nothing is lost or doubled. Cores and contexts are whole multiples
 * of `alignSamples` (the samples per model output frame), so every window's output frames fall on
 * the same absolute frame grid as a single pass over the whole file would produce.
 */

export interface AudioWindowOptions {
  /** Hz of the incoming samples. */
  sampleRate: number;
  /** Length of each window's core in seconds (the last one may be longer, up to + minLastCoreSec). */
  windowSec: number;
  /** Audio the model sees on each side of the core, in seconds. */
  contextSec: number;
  /** Core and context lengths are rounded to multiples of this many samples. */
  alignSamples: number;
  /** A remainder shorter than this joins the window before it instead of forming its own. */
  minLastCoreSec: number;
}

export interface AudioWindow {
  /** The samples the model sees: context + core + context (clipped at the file's ends). */
  samples: Float32Array;
  /** Absolute index of samples[0] in the file. */
  startSample: number;
  /** Absolute sample range whose output frames this window keeps. */
  coreStartSample: number;
  coreEndSample: number;
  /** True for the final window: its core runs to the end of the audio. */
  isLast: boolean;
}

/** A queue of samples addressed by absolute position in the stream. */
class SampleQueue {
  private buffer = new Float32Array(0);
  private used = 0;
  /** Absolute index of buffer[0]. */
  private origin = 0;

  get end(): number {
    return this.origin + this.used;
  }

  push(chunk: Float32Array): void {
    if (this.used + chunk.length > this.buffer.length) {
      const grown = new Float32Array(Math.max(this.used + chunk.length, this.buffer.length * 2));
      grown.set(this.buffer.subarray(0, this.used));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.used);
    this.used += chunk.length;
  }

  /** A copy of the absolute range [from, to). */
  slice(from: number, to: number): Float32Array {
    return this.buffer.slice(from - this.origin, to - this.origin);
  }

  /** Forgets everything before the absolute index `position`. */
  dropBefore(position: number): void {
    const count = Math.min(Math.max(0, position - this.origin), this.used);
    if (count === 0) return;
    this.buffer.copyWithin(0, count, this.used);
    this.used -= count;
    this.origin += count;
  }
}

function roundTo(value: number, multiple: number): number {
  return Math.round(value / multiple) * multiple;
}

/**
 * Windows over a stream of sample chunks. Reads ahead only as far as the next window needs.
 *
 * @example
 * for await (const w of audioWindows(readAudio(path, { targetSampleRate: 16000 }), {
 *   sampleRate: 16000, windowSec: 20, contextSec: 2, alignSamples: 640, minLastCoreSec: 5,
 * })) {
 *   // run the model on w.samples, keep the output frames of [w.coreStartSample, w.coreEndSample)
 * }
 */
export async function* audioWindows(
  chunks: AsyncIterable<Float32Array>,
  options: AudioWindowOptions,
): AsyncGenerator<AudioWindow> {
  const { sampleRate, alignSamples } = options;
  const coreLength = Math.max(alignSamples, roundTo(options.windowSec * sampleRate, alignSamples));
  const contextLength = roundTo(options.contextSec * sampleRate, alignSamples);
  const minLastCore = Math.max(0, roundTo(options.minLastCoreSec * sampleRate, alignSamples));

  const queue = new SampleQueue();
  const iterator = chunks[Symbol.asyncIterator]();
  let ended = false;
  const fillTo = async (position: number): Promise<void> => {
    while (!ended && queue.end < position) {
      const next = await iterator.next();
      if (next.done) ended = true;
      else queue.push(next.value);
    }
  };

  try {
    let coreStart = 0;
    for (;;) {
      await fillTo(coreStart + coreLength + minLastCore + contextLength + 1);
      const available = queue.end;
      if (available <= coreStart) return;
      const isLast = ended && available <= coreStart + coreLength + minLastCore;
      const coreEnd = isLast ? available : coreStart + coreLength;
      const startSample = Math.max(0, coreStart - contextLength);
      const endSample = isLast ? available : Math.min(available, coreEnd + contextLength);
      yield {
        samples: queue.slice(startSample, endSample),
        startSample,
        coreStartSample: coreStart,
        coreEndSample: coreEnd,
        isLast,
      };
      if (isLast) return;
      coreStart = coreEnd;
      queue.dropBefore(coreStart - contextLength);
    }
  } finally {
    // Stop the source (closes the file) when the consumer breaks off early, e.g. on cancel.
    if (!ended) await iterator.return?.();
  }
}
