/**
 * A model in Hark's NeMo CTC layout whose output frame t is row t of a fixed log-prob table
 * (the last row repeats after the table ends), whatever the audio: decoders can then be tested
 * through the whole engine (WAV → windows → ONNX Runtime → decoding) on output a test controls.
 */
import { GraphBuilder } from '../../../src-main/engine/onnx';
import { defaultCharTokens, tokensTxt, type TinyModel } from '../../helpers/tiny-models';

export const TABLE_TOKENS = defaultCharTokens(); // ▁ a..z ' <blk>
export const TABLE_FACTOR = 4;
/** Seconds per output frame (10 ms hop × 4). */
export const TABLE_FRAME_SEC = 0.04;

/** One output frame: symbol → probability ('.' blank, '_' word start); the rest share what is left. */
export type FrameSpec = Record<string, number>;

/** Log-prob rows for frame specs, (frames, V) row-major. */
export function tableRows(frames: readonly FrameSpec[]): Float32Array {
  const size = TABLE_TOKENS.length;
  const out = new Float32Array(frames.length * size);
  frames.forEach((frame, t) => {
    const given = Object.values(frame).reduce((a, b) => a + b, 0);
    const rest = (1 - given) / (size - Object.keys(frame).length);
    TABLE_TOKENS.forEach((token, v) => {
      const key = token === '<blk>' ? '.' : token === '▁' ? '_' : token;
      out[t * size + v] = Math.log(frame[key] ?? rest);
    });
  });
  return out;
}

/** Frames that spell `text` clearly: each character, then a blank. */
export function spell(text: string, probability = 0.85): FrameSpec[] {
  return [...text].flatMap((c) => [{ [c === ' ' ? '_' : c]: probability }, { '.': 0.95 }]);
}

/**
 * @example
 * const model = tableModel([{ '.': 0.9 }, ...spell('hello ')]);
 * writeModelFolder(dir, model);
 */
export function tableModel(frames: readonly FrameSpec[]): TinyModel {
  const rows = tableRows(frames);
  const size = TABLE_TOKENS.length;
  const g = new GraphBuilder({ name: 'table' });
  const features = g.input('audio_signal', 'float32', ['N', 80, 'T']);
  g.input('length', 'int64', ['N']);
  const shape = g.op('Shape', [features]);
  const time = g.op('Slice', [shape, g.int64s([2]), g.int64s([3])]);
  const outFrames = g.op('Squeeze', [g.op('Div', [time, g.int64s([TABLE_FACTOR])])]);
  const index = g.op('Min', [
    g.op('Range', [g.constant(0n), outFrames, g.constant(1n)]),
    g.constant(BigInt(frames.length - 1)),
  ]);
  const picked = g.op('Gather', [g.initializer('table', rows, [frames.length, size]), index], {
    axis: 0,
  });
  g.output(g.op('Unsqueeze', [picked, g.int64s([0])]), 'logprobs');
  const metadata = {
    model_type: 'EncDecCTCModelBPE',
    vocab_size: String(size),
    subsampling_factor: String(TABLE_FACTOR),
    normalize_type: 'per_feature',
  };
  for (const [key, value] of Object.entries(metadata)) g.metadata(key, value);
  const blankId = TABLE_TOKENS.indexOf('<blk>');
  return {
    bytes: g.toModelBytes({ producerName: 'hark-tests' }),
    tokens: TABLE_TOKENS,
    tokensTxt: tokensTxt(TABLE_TOKENS),
    blankId,
    subsamplingFactor: TABLE_FACTOR,
    metadata,
  };
}
