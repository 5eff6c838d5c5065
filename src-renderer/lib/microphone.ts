/**
 * Recording from the microphone (getUserMedia, audio only) through the capture AudioWorklet, and
 * playing a take back through Web Audio (the page's Content-Security-Policy allows no blob: media).
 */
import processorUrl from './capture-processor?worker&url';
import { CAPTURE_TARGET_RATE } from './stream-resampler';

/** One block from the worklet: 16 kHz samples, and the levels measured at the native rate. */
export interface CaptureChunk {
  samples: Float32Array;
  rms: number;
  peak: number;
  /** Native samples at full scale, out of `frames`. */
  clipped: number;
  frames: number;
}

/** The rate of the captured samples (the worklet resamples to the engine's rate). */
export const CAPTURE_RATE = CAPTURE_TARGET_RATE;

export interface Capture {
  /** The microphone's native rate (the chunks are at CAPTURE_RATE). */
  readonly nativeRate: number;
  /** Stops the microphone after the last partial block has been delivered. */
  stop(): Promise<void>;
}

/** Raw input: no echo cancellation, noise suppression or automatic gain, which alter a voice. */
const AUDIO_CONSTRAINTS: MediaTrackConstraints = {
  channelCount: 1,
  echoCancellation: false,
  noiseSuppression: false,
  autoGainControl: false,
};

/** Why the microphone could not start, in words a user can act on. */
export function microphoneErrorText(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'Hark may not use the microphone: allow it in the system or browser settings.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No microphone was found: connect one and try again.';
  if (name === 'NotReadableError')
    return 'The microphone is in use by another program or could not be opened.';
  return `The microphone could not start: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Starts recording; each chunk (about 85 ms, 16 kHz) goes to `onChunk` as the worklet posts it.
 *
 * @example
 * const chunks: Float32Array[] = [];
 * const capture = await startCapture((chunk) => chunks.push(chunk.samples));
 * await capture.stop();
 */
export async function startCapture(onChunk: (chunk: CaptureChunk) => void): Promise<Capture> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('This browser offers no microphone access (a secure origin is needed).');
  }
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: AUDIO_CONSTRAINTS,
    video: false,
  });
  const context = new AudioContext();
  try {
    await context.audioWorklet.addModule(processorUrl);
    const source = context.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(context, 'hark-capture', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [1],
    });
    let flushed: (() => void) | undefined;
    node.port.onmessage = (event: MessageEvent<{ type: string } & Partial<CaptureChunk>>) => {
      const data = event.data;
      if (data.type === 'chunk' && data.samples) {
        onChunk({
          samples: data.samples,
          rms: data.rms ?? 0,
          peak: data.peak ?? 0,
          clipped: data.clipped ?? 0,
          frames: data.frames ?? data.samples.length,
        });
      } else if (data.type === 'flushed') {
        flushed?.();
      }
    };
    // The node writes silence; connecting it to the destination keeps the graph pulling it.
    source.connect(node).connect(context.destination);
    if (context.state === 'suspended') await context.resume();
    let stopping: Promise<void> | undefined;
    return {
      nativeRate: context.sampleRate,
      stop() {
        stopping ??= (async () => {
          await Promise.race([
            new Promise<void>((done) => {
              flushed = done;
              node.port.postMessage({ type: 'flush' });
            }),
            new Promise<void>((done) => setTimeout(done, 500)),
          ]);
          for (const track of stream.getTracks()) track.stop();
          source.disconnect();
          node.disconnect();
          await context.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    for (const track of stream.getTracks()) track.stop();
    await context.close();
    throw error;
  }
}

/** Joins chunks into one buffer. */
export function joinChunks(chunks: readonly Float32Array[]): Float32Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const joined = new Float32Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

export interface Playback {
  stop(): void;
  ended: Promise<void>;
}

/** Plays samples through the default output. */
export function playSamples(samples: Float32Array, sampleRate: number): Playback {
  const context = new AudioContext();
  const buffer = context.createBuffer(1, Math.max(1, samples.length), sampleRate);
  buffer.getChannelData(0).set(samples);
  const source = context.createBufferSource();
  source.buffer = buffer;
  source.connect(context.destination);
  const ended = new Promise<void>((done) => {
    source.onended = () => {
      void context.close();
      done();
    };
  });
  source.start();
  return {
    stop: () => {
      try {
        source.stop();
      } catch {
        // Already stopped.
      }
    },
    ended,
  };
}

/** Float32 samples as little-endian base64 (a PcmClip's payload), in slices to spare the stack. */
export function float32ToBase64(samples: Float32Array): string {
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  let binary = '';
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return btoa(binary);
}
