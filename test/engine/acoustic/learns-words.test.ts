import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WaveFile } from 'wavefile';
import { ctcTrainingLoss } from '../../../src-main/engine/acoustic/ctc-training';
import {
  BASE_MODEL_CONFIG,
  parameterOptions,
  parameterShapes,
} from '../../../src-main/engine/acoustic/config';
import { writeAcousticModelFolder } from '../../../src-main/engine/acoustic/model-export';
import { batchFeeds } from '../../../src-main/engine/acoustic/training-data';
import { encodeCharacters } from '../../../src-main/engine/dataset/character-tokens';
import { packBatch, utteranceFeatures } from '../../../src-main/engine/dataset/feature-batch';
import { Engine } from '../../../src-main/engine/engine';
import { resample } from '../../../src-main/engine/audio';
import { ParameterSet } from '../../../src-main/engine/train/parameters';
import { buildTrainStep } from '../../../src-main/engine/train/train-step';
import { Trainer } from '../../../src-main/engine/train/trainer';

const WORDS = ['yes', 'no', 'stop', 'go'];
const dir = mkdtempSync(join(tmpdir(), 'hark-learns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** espeak-ng speech as 16 kHz samples. */
function speak(text: string, voice: string, speed: number): Float32Array {
  const file = join(dir, `${text}-${voice}-${speed}.wav`);
  execFileSync('espeak-ng', ['-v', voice, '-s', String(speed), '-w', file, text]);
  const wav = new WaveFile(readFileSync(file));
  wav.toBitDepth('32f');
  const samples = Float32Array.from(wav.getSamples(false, Float64Array) as unknown as Float64Array);
  const rate = (wav.fmt as { sampleRate: number }).sampleRate;
  return resample(samples, { inputRate: rate, outputRate: 16000 });
}

describe('the training engine', () => {
  it('learns a handful of spoken words in seconds and recognises them', async () => {
    const config = {
      ...BASE_MODEL_CONFIG,
      modelDim: 48,
      attentionHeads: 2,
      blocks: 1,
      convKernel: 5,
    };
    const parameters = new ParameterSet({ seed: 11 });
    for (const [name, dims] of parameterShapes(config))
      parameters.declare(name, dims, parameterOptions(name, dims));
    const trainer = await Trainer.create(
      buildTrainStep(ctcTrainingLoss(config), parameters),
      parameters,
      {
        threads: 1,
      },
    );
    const clips = WORDS.flatMap((word) =>
      [
        ['en-us', 150],
        ['en', 170],
      ].map(([voice, speed]) => ({ word, samples: speak(word, voice as string, speed as number) })),
    );
    const feeds = batchFeeds(
      packBatch(
        clips.map((c) => ({
          features: utteranceFeatures(c.samples),
          labels: encodeCharacters(c.word),
        })),
      ),
    );
    const losses: number[] = [];
    for (let step = 1; step <= 150; step++) {
      const learningRate = 3e-3 * Math.min(1, step / 10);
      losses.push((await trainer.step(feeds, { learningRate })).loss);
    }
    const early = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const late = losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(late).toBeLessThan(early / 4);

    trainer.syncParameters();
    const modelDir = join(dir, 'model');
    await writeAcousticModelFolder(modelDir, parameters, config, { name: 'learns-words test' });
    const engine = await Engine.create({ modelDir, device: 'cpu', threads: 1 });
    try {
      for (const clip of clips) {
        const { text } = await engine.transcribeSamples(clip.samples);
        expect(text).toBe(clip.word);
      }
    } finally {
      await engine.dispose();
      await trainer.dispose();
    }
  });
});
