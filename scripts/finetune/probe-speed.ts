/**
 * How long the pieces of a fine-tuning run take on this machine, on random weights of the base
 * architecture: the prefix per audio second, and one suffix train step per split point.
 *
 *   npx tsx scripts/finetune/probe-speed.ts [--threads 2] [--utterances 16] [--seconds 3]
 */
import { parseArgs } from 'node:util';
import {
  BASE_MODEL_CONFIG,
  parameterOptions,
  parameterShapes,
} from '../../src-main/engine/acoustic/config';
import { ctcTrainingLoss } from '../../src-main/engine/acoustic/ctc-training';
import { openSession, type TensorValue } from '../../src-main/engine/runtime/onnx-runtime';
import {
  buildPrefixModel,
  buildSuffixTrainStep,
} from '../../src-main/engine/profiles/finetune-graphs';
import { ParameterSet } from '../../src-main/engine/train/parameters';
import { buildTrainStep } from '../../src-main/engine/train/train-step';
import { Trainer } from '../../src-main/engine/train/trainer';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    utterances: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '3' },
  },
});
const threads = Number(values.threads);
const count = Number(values.utterances);
const frames = Math.round(Number(values.seconds) * 100);
const config = BASE_MODEL_CONFIG;
const parameters = new ParameterSet({ seed: 3 });
for (const [name, dims] of parameterShapes(config))
  parameters.declare(name, dims, parameterOptions(name, dims));

const features = new Float32Array(count * 80 * frames).map(() => Math.random() * 2 - 1);
const lengths = new BigInt64Array(count).fill(BigInt(frames));
const labelsPerUtterance = Math.round(frames / 8);
const targets = new BigInt64Array(count * labelsPerUtterance).map((_, i) => BigInt(1 + (i % 26)));
const targetLengths = new BigInt64Array(count).fill(BigInt(labelsPerUtterance));
const audioSec = (count * frames) / 100;

async function time<T>(label: string, run: () => Promise<T>, repeats = 3): Promise<T> {
  let result: T | undefined;
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    result = await run();
    times.push((performance.now() - t0) / 1000);
  }
  const best = Math.min(...times);
  console.log(
    `${label}: best ${best.toFixed(2)} s (${(audioSec / best).toFixed(1)}x real time), all ${times.map((t) => t.toFixed(2)).join(' ')}`,
  );
  return result as T;
}

const batch = {
  targets: { type: 'int64', data: targets, dims: [count, labelsPerUtterance] },
  target_lengths: { type: 'int64', data: targetLengths, dims: [count] },
} as const;

async function main(): Promise<void> {
  for (const frozenBlocks of [config.blocks, 6, 4]) {
    const prefix = await openSession(buildPrefixModel(parameters, config, { frozenBlocks }), {
      device: 'cpu',
      threads,
      warmUpFeeds: 'skip',
    });
    const out = await time(`prefix ${frozenBlocks} blocks`, () =>
      prefix.run({
        audio_signal: { type: 'float32', data: features, dims: [count, 80, frames] },
        length: { type: 'int64', data: lengths, dims: [count] },
      }),
    );
    const hidden = out.hidden as TensorValue;
    await prefix.dispose();
    const trainer = await Trainer.create(
      buildSuffixTrainStep(parameters, config, { frozenBlocks, anchorWeight: 1e-3 }),
      parameters,
      { threads },
    );
    await time(`suffix step above ${frozenBlocks} blocks`, () =>
      trainer.step(
        { ...batch, hidden, length: { type: 'int64', data: lengths, dims: [count] } },
        { learningRate: 1e-4 },
      ),
    );
    await trainer.dispose();
  }
  const full = await Trainer.create(
    buildTrainStep(ctcTrainingLoss(config), parameters),
    parameters,
    { threads },
  );
  await time('full step', () =>
    full.step(
      {
        ...batch,
        audio_signal: { type: 'float32', data: features, dims: [count, 80, frames] },
        length: { type: 'int64', data: lengths, dims: [count] },
      },
      { learningRate: 1e-4 },
    ),
  );
  await full.dispose();
}

void main();
