import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { decodeModel, summarizeModel } from '../../../src-main/engine/onnx';
import {
  FEATURE_BINS,
  buildLinearCtcModel,
  buildSpellingModel,
  defaultCharTokens,
  greedyDecode,
  linearCtcReference,
} from '../../helpers/tiny-models';

async function runCtc(
  bytes: Uint8Array,
  features: Float32Array,
  batch: number,
  frames: number,
): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({
      audio_signal: new ort.Tensor('float32', features, [batch, FEATURE_BINS, frames]),
      length: new ort.Tensor('int64', new BigInt64Array(batch).fill(BigInt(frames)), [batch]),
    });
    return out.logprobs as ort.Tensor;
  } finally {
    await session.release();
  }
}

function sineFeatures(batch: number, frames: number): Float32Array {
  return Float32Array.from({ length: batch * FEATURE_BINS * frames }, (_, i) => Math.sin(i * 0.37));
}

describe('tiny CTC models in the sherpa-onnx NeMo layout', () => {
  it('has the inputs, output and metadata sherpa-onnx reads', () => {
    const model = buildSpellingModel({ text: 'hi', framesPerToken: 2, subsamplingFactor: 4 });
    const summary = summarizeModel(decodeModel(model.bytes));
    expect(summary.inputs).toEqual([
      { name: 'audio_signal', type: 'float32', shape: ['N', 80, 'T'] },
      { name: 'length', type: 'int64', shape: ['N'] },
    ]);
    expect(summary.outputs.map((o) => o.name)).toEqual(['logprobs']);
    expect(summary.metadata).toEqual({
      model_type: 'EncDecCTCModelBPE',
      vocab_size: String(defaultCharTokens().length),
      subsampling_factor: '4',
      normalize_type: 'per_feature',
    });
    expect(model.tokensTxt.endsWith('<blk> 28\n')).toBe(true);
    expect(model.blankId).toBe(28);
  });

  it.each([
    { frames: 1, factor: 4 },
    { frames: 7, factor: 4 },
    { frames: 8, factor: 4 },
    { frames: 9, factor: 8 },
    { frames: 200, factor: 4 },
  ])('spelling model: $frames frames at factor $factor give ceil(T/f) frames', async (c) => {
    const model = buildSpellingModel({ text: 'ab', subsamplingFactor: c.factor });
    const out = await runCtc(model.bytes, sineFeatures(2, c.frames), 2, c.frames);
    expect(out.dims).toEqual([2, Math.ceil(c.frames / c.factor), model.tokens.length]);
  });

  it('spelling model spells its text, repeated letters included, and truncates short input', async () => {
    const text = 'hello world';
    const model = buildSpellingModel({ text, framesPerToken: 3, subsamplingFactor: 4 });
    const long = 4 * 3 * text.length + 40;
    const out = await runCtc(model.bytes, sineFeatures(1, long), 1, long);
    const frames = out.dims[1] as number;
    const logprobs = out.data as Float32Array;
    expect(greedyDecode(logprobs, frames, model.tokens)).toBe(text);
    // Each row is a distribution: logsumexp = 0.
    const vocab = model.tokens.length;
    const rowSum = logprobs.slice(0, vocab).reduce((s, v) => s + Math.exp(v), 0);
    expect(rowSum).toBeCloseTo(1, 5);

    const short = 4 * 3 * 4; // four tokens' worth of frames
    const cut = await runCtc(model.bytes, sineFeatures(1, short), 1, short);
    expect(greedyDecode(cut.data as Float32Array, cut.dims[1] as number, model.tokens)).toBe(
      'hell',
    );
  });

  it('linear model equals its JS reference, and depends on the features', async () => {
    const model = buildLinearCtcModel({ subsamplingFactor: 4, seed: 3 });
    const frames = 13; // not a multiple of 4: the last output frame sees one padded group
    const features = Float32Array.from({ length: FEATURE_BINS * frames }, (_, i) =>
      Math.cos(i * 0.11),
    );
    const out = await runCtc(model.bytes, features, 1, frames);
    expect(out.dims).toEqual([1, 4, model.tokens.length]);
    const expected = linearCtcReference(features, frames, model);
    const actual = out.data as Float32Array;
    expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, 4));

    const other = await runCtc(
      model.bytes,
      features.map((v) => -v),
      1,
      frames,
    );
    expect(Array.from(other.data as Float32Array)).not.toEqual(Array.from(actual));
  });

  it('linear model: windows aligned to the factor give the same frames as the whole', async () => {
    const model = buildLinearCtcModel({ subsamplingFactor: 4, seed: 5 });
    const frames = 16;
    const whole = Float32Array.from({ length: FEATURE_BINS * frames }, (_, i) => Math.sin(i));
    const window = new Float32Array(FEATURE_BINS * 8);
    for (let bin = 0; bin < FEATURE_BINS; bin++) {
      window.set(whole.subarray(bin * frames + 8, bin * frames + 16), bin * 8);
    }
    const all = (await runCtc(model.bytes, whole, 1, frames)).data as Float32Array;
    const second = (await runCtc(model.bytes, window, 1, 8)).data as Float32Array;
    const vocab = model.tokens.length;
    second.forEach((v, i) => expect(v).toBeCloseTo(all[2 * vocab + i] as number, 5));
  });
});
