import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src-main/engine/onnx';
import { ParameterSet } from '../../../src-main/engine/train/parameters';
import { emitAcousticModel } from '../../../src-main/engine/acoustic/conformer-ctc';
import {
  BASE_MODEL_CONFIG,
  parameterCount,
  type AcousticModelConfig,
} from '../../../src-main/engine/acoustic/config';
import { seededRandom } from '../../../src-main/engine/dataset/batching';

const config: AcousticModelConfig = {
  ...BASE_MODEL_CONFIG,
  modelDim: 32,
  attentionHeads: 2,
  blocks: 2,
  convKernel: 7,
};

async function inferenceSession(): Promise<ort.InferenceSession> {
  const g = new GraphBuilder({ name: 'acoustic' });
  const features = g.input('audio_signal', 'float32', ['N', 80, 'T']);
  const lengths = g.input('length', 'int64', ['N']);
  const parameters = new ParameterSet({ seed: 3 });
  const { logProbs } = emitAcousticModel(
    g,
    parameters.bindInference(g),
    { features, lengths },
    config,
  );
  g.output(logProbs, 'logprobs');
  return ort.InferenceSession.create(g.toModelBytes());
}

function randomFeatures(frames: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: 80 * frames }, () => 2 * random() - 1);
}

describe('acoustic model', () => {
  it('has the size the card will report', () => {
    const count = parameterCount(BASE_MODEL_CONFIG);
    expect(count).toBeGreaterThan(3e6);
    expect(count).toBeLessThan(15e6);
  });

  it('outputs log-probabilities over ceil(T/4) frames', async () => {
    const session = await inferenceSession();
    const frames = 203;
    const out = await session.run({
      audio_signal: new ort.Tensor('float32', randomFeatures(frames, 1), [1, 80, frames]),
      length: new ort.Tensor('int64', BigInt64Array.from([BigInt(frames)]), [1]),
    });
    const logProbs = out.logprobs!;
    expect(logProbs.dims).toEqual([1, Math.ceil(frames / 4), config.vocabSize]);
    const data = logProbs.data as Float32Array;
    for (let t = 0; t < logProbs.dims[1]!; t++) {
      let sum = 0;
      for (let v = 0; v < config.vocabSize; v++) sum += Math.exp(data[t * config.vocabSize + v]!);
      expect(sum).toBeCloseTo(1, 4);
    }
  });

  it('gives an utterance the same output alone and padded in a batch', async () => {
    const session = await inferenceSession();
    const short = 157;
    const long = 300;
    const alone = await session.run({
      audio_signal: new ort.Tensor('float32', randomFeatures(short, 5), [1, 80, short]),
      length: new ort.Tensor('int64', BigInt64Array.from([BigInt(short)]), [1]),
    });
    const shortFeatures = randomFeatures(short, 5);
    const batch = new Float32Array(2 * 80 * long);
    for (let bin = 0; bin < 80; bin++) {
      batch.set(shortFeatures.subarray(bin * short, (bin + 1) * short), bin * long);
    }
    batch.set(randomFeatures(long, 6), 80 * long);
    const together = await session.run({
      audio_signal: new ort.Tensor('float32', batch, [2, 80, long]),
      length: new ort.Tensor('int64', BigInt64Array.from([BigInt(short), BigInt(long)]), [2]),
    });
    const a = alone.logprobs!.data as Float32Array;
    const b = together.logprobs!.data as Float32Array;
    const V = config.vocabSize;
    const compared = Math.ceil(short / 4);
    let worst = 0;
    for (let i = 0; i < compared * V; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThan(1e-4);
  });
});
