/**
 * A stand-in acoustic model for `npm run bench` while models/base-en does not exist: the NeMo CTC
 * layout (audio_signal (N, 80, T), length (N) → log-probs (N, T/4, 29)) with a few dense layers
 * over stacked frames, about 0.5 M parameters, random weights. Its speed says what Hark's
 * pipeline costs around a small model; its transcripts mean nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GraphBuilder } from '../src-main/engine/onnx';

const TOKENS = ['▁', ...'abcdefghijklmnopqrstuvwxyz', "'", '<blk>'];
const FACTOR = 4;
const BINS = 80;
const HIDDEN = 384;

function randomWeights(count: number, scale: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state / 2 ** 32 - 0.5) * 2 * scale;
  });
}

/** Writes model.onnx, tokens.txt and model.json into `dir`; returns the parameter count. */
export function writeBenchModel(dir: string): number {
  const g = new GraphBuilder({ name: 'bench' });
  const features = g.input('audio_signal', 'float32', ['N', BINS, 'T']);
  g.input('length', 'int64', ['N']);
  const shape = g.op('Shape', [features]);
  const time = g.op('Slice', [shape, g.int64s([2]), g.int64s([3])]);
  const kept = g.op('Mul', [g.op('Div', [time, g.int64s([FACTOR])]), g.int64s([FACTOR])]);
  const frames = g.op('Transpose', [features], { perm: [0, 2, 1] });
  const trimmed = g.op('Slice', [frames, g.int64s([0]), kept, g.int64s([1])]);
  let x = g.op('Reshape', [trimmed, g.int64s([0, -1, FACTOR * BINS])]);
  let parameters = 0;
  const widths = [FACTOR * BINS, HIDDEN, HIDDEN, HIDDEN, TOKENS.length];
  for (let layer = 0; layer + 1 < widths.length; layer++) {
    const [inputs, outputs] = [widths[layer]!, widths[layer + 1]!];
    const w = g.initializer(
      `layer${layer}.weight`,
      randomWeights(inputs * outputs, 1 / Math.sqrt(inputs), layer + 1),
      [inputs, outputs],
    );
    const b = g.initializer(`layer${layer}.bias`, new Float32Array(outputs), [outputs]);
    parameters += inputs * outputs + outputs;
    x = g.op('Add', [g.op('MatMul', [x, w]), b]);
    if (layer + 2 < widths.length) x = g.op('Relu', [x]);
  }
  g.output(g.op('LogSoftmax', [x], { axis: -1 }), 'logprobs');
  const metadata = {
    model_type: 'EncDecCTCModelBPE',
    vocab_size: String(TOKENS.length),
    subsampling_factor: String(FACTOR),
    normalize_type: 'per_feature',
  };
  for (const [key, value] of Object.entries(metadata)) g.metadata(key, value);

  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'model.onnx'), g.toModelBytes({ producerName: 'hark-bench' }));
  writeFileSync(path.join(dir, 'tokens.txt'), TOKENS.map((t, i) => `${t} ${i}\n`).join(''));
  const card = {
    name: 'bench-stand-in',
    note: 'random weights, for speed measurements only',
    parameters,
  };
  writeFileSync(path.join(dir, 'model.json'), `${JSON.stringify(card, null, 2)}\n`);
  return parameters;
}
