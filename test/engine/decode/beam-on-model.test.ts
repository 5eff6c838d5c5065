/**
 * Beam search on the output of a real ONNX model run by ONNX Runtime: a model in Hark's NeMo CTC
 * layout (subsampling 4) whose output frames are a fixed table of log-probs, built so that the
 * audio slightly prefers a common word ("gate") over a rare name ("kate"). Checks the whole path
 * model → AcousticModel.logProbs → beamSearchDecode: frame count, timings against greedy, LM
 * fusion and hotwords.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greedyCtcDecode, tokensToWords } from '../../../src-main/engine/decode';
import { beamSearchDecode } from '../../../src-main/engine/decode/beam';
import { buildKneserNey } from '../../../src-main/engine/lm';
import { AcousticModel, type FrameLogProbs } from '../../../src-main/engine/model/acoustic-model';
import { loadModelFolder } from '../../../src-main/engine/model/model-folder';
import { GraphBuilder } from '../../../src-main/engine/onnx';
import { defaultCharTokens, tokensTxt } from '../../helpers/tiny-models';

const TOKENS = defaultCharTokens(); // ▁ a..z ' <blk>
const FACTOR = 4;
const FRAME_SEC = 0.01 * FACTOR;

/** Frame rows: symbol → probability ('.' blank, '_' word start); the rest share what is left. */
function table(frames: Record<string, number>[]): Float32Array {
  const size = TOKENS.length;
  const out = new Float32Array(frames.length * size);
  frames.forEach((frame, t) => {
    const given = Object.values(frame).reduce((a, b) => a + b, 0);
    const rest = (1 - given) / (size - Object.keys(frame).length);
    TOKENS.forEach((token, v) => {
      const key = token === '<blk>' ? '.' : token === '▁' ? '_' : token;
      out[t * size + v] = Math.log(frame[key] ?? rest);
    });
  });
  return out;
}

function spell(text: string): Record<string, number>[] {
  return [...text].flatMap((c) => [{ [c === ' ' ? '_' : c]: 0.85 }, { '.': 0.95 }]);
}

/** A NeMo-layout model whose output frame t is row t of `rows` (numFrames = floor(T / 4)). */
function tableModel(rows: Float32Array, numRows: number): Uint8Array {
  const size = TOKENS.length;
  const g = new GraphBuilder({ name: 'table' });
  const features = g.input('audio_signal', 'float32', ['N', 80, 'T']);
  g.input('length', 'int64', ['N']);
  const shape = g.op('Shape', [features]);
  const time = g.op('Slice', [shape, g.int64s([2]), g.int64s([3])]);
  const outFrames = g.op('Squeeze', [g.op('Div', [time, g.int64s([FACTOR])])]);
  const index = g.op('Min', [
    g.op('Range', [g.constant(0n), outFrames, g.constant(1n)]),
    g.constant(BigInt(numRows - 1)),
  ]);
  const picked = g.op('Gather', [g.initializer('table', rows, [numRows, size]), index], {
    axis: 0,
  });
  g.output(g.op('Unsqueeze', [picked, g.int64s([0])]), 'logprobs');
  g.metadata('model_type', 'EncDecCTCModelBPE')
    .metadata('vocab_size', size)
    .metadata('subsampling_factor', FACTOR)
    .metadata('normalize_type', 'per_feature');
  return g.toModelBytes({ producerName: 'hark-tests' });
}

const frames = [{ '.': 0.9 }, ...spell('open the '), { g: 0.5, k: 0.44 }, ...spell('ate')];
const dirs: string[] = [];
let output: FrameLogProbs;
let model: AcousticModel;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hark-beam-model-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'model.onnx'), tableModel(table(frames), frames.length));
  writeFileSync(join(dir, 'tokens.txt'), tokensTxt(TOKENS));
  model = await AcousticModel.open(await loadModelFolder(dir), { device: 'cpu' });
  const numFrames = frames.length * FACTOR + 3; // floor(T / 4) = frames.length
  output = await model.logProbs({
    data: new Float32Array(80 * numFrames),
    numFrames,
    numBins: 80,
  });
});

afterAll(async () => {
  await model?.dispose();
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

describe('beam search on a model run by ONNX Runtime', () => {
  const lm = buildKneserNey(
    ['open the gate', 'the gate is open', 'open the door'].map((s) => s.split(' ')),
    { order: 3 },
  ).model;
  const decode = (options: object = {}) =>
    beamSearchDecode(output.data, {
      numFrames: output.numFrames,
      vocab: model.folder.vocabulary,
      frameSec: FRAME_SEC,
      ...options,
    });

  it('reads floor(T / 4) frames and keeps the greedy timings', () => {
    expect(output.numFrames).toBe(frames.length);
    const greedy = tokensToWords(
      greedyCtcDecode(output.data, {
        numFrames: output.numFrames,
        vocabSize: output.vocabSize,
        blankId: model.folder.vocabulary.blankId,
      }),
      model.folder.vocabulary,
      { frameSec: FRAME_SEC },
    );
    const beam = decode({ lm });
    expect(beam.text).toBe('open the gate');
    expect(beam.words).toEqual(greedy);
    expect(beam.words[2]).toMatchObject({ startSec: 19 * FRAME_SEC, endSec: 25 * FRAME_SEC });
  });

  it('gives the rare name with the hotword and the common word without it', () => {
    expect(decode().text).toBe('open the gate');
    expect(decode({ lm }).text).toBe('open the gate');
    const boosted = decode({ lm, hotwords: ['Kate'] });
    expect(boosted.text).toBe('open the kate');
    expect(boosted.words[2]!.confidence).toBeCloseTo((0.44 + 0.85 * 3) / 4, 5);
  });
});
