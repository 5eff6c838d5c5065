/**
 * A hotword on real synthesized speech: a tiny acoustic model is trained in the test on espeak-ng
 * sentences with a name that sounds like a common one, heard with both spellings (the rare "cate"
 * twice as often as "kate"), so that the audio leans to the rare spelling without being sure of
 * it. Greedy decoding writes "cate"; beam search with the shipped language model, which knows
 * "kate" and not "cate", writes "kate"; with the user's hotword it writes "cate" again, and the
 * rest of the sentence stays as it was.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WaveFile } from 'wavefile';
import {
  BASE_MODEL_CONFIG,
  parameterOptions,
  parameterShapes,
} from '../../../src-main/engine/acoustic/config';
import { ctcTrainingLoss } from '../../../src-main/engine/acoustic/ctc-training';
import { writeAcousticModelFolder } from '../../../src-main/engine/acoustic/model-export';
import { batchFeeds } from '../../../src-main/engine/acoustic/training-data';
import { resample } from '../../../src-main/engine/audio';
import { encodeCharacters } from '../../../src-main/engine/dataset/character-tokens';
import { packBatch, utteranceFeatures } from '../../../src-main/engine/dataset/feature-batch';
import { Engine } from '../../../src-main/engine/engine';
import { loadLanguageModel } from '../../../src-main/engine/lm';
import { ParameterSet } from '../../../src-main/engine/train/parameters';
import { buildTrainStep } from '../../../src-main/engine/train/train-step';
import { Trainer } from '../../../src-main/engine/train/trainer';

const LM_DIR = resolve(__dirname, '../../../models/lm-en');
const SENTENCES = ['please call kate now', 'kate is here'];
const VOICES: [string, number][] = [
  ['en-us', 150],
  ['en', 170],
];

const dir = mkdtempSync(join(tmpdir(), 'hark-hotword-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** espeak-ng speech as 16 kHz samples. */
function speak(text: string, voice: string, speed: number): Float32Array {
  const file = join(dir, `${text.replaceAll(' ', '-')}-${voice}-${speed}.wav`);
  execFileSync('espeak-ng', ['-v', voice, '-s', String(speed), '-w', file, text]);
  const wav = new WaveFile(readFileSync(file));
  wav.toBitDepth('32f');
  const samples = Float32Array.from(wav.getSamples(false, Float64Array) as unknown as Float64Array);
  const rate = (wav.fmt as { sampleRate: number }).sampleRate;
  return resample(samples, { inputRate: rate, outputRate: 16000 });
}

/** Trains a tiny Conformer CTC model on the clips, each heard as "cate" twice and "kate" once. */
async function trainHomophoneModel(clips: { text: string; samples: Float32Array }[]) {
  const config = {
    ...BASE_MODEL_CONFIG,
    modelDim: 48,
    attentionHeads: 2,
    blocks: 1,
    convKernel: 5,
  };
  const parameters = new ParameterSet({ seed: 5 });
  for (const [name, dims] of parameterShapes(config))
    parameters.declare(name, dims, parameterOptions(name, dims));
  const trainer = await Trainer.create(
    buildTrainStep(ctcTrainingLoss(config), parameters),
    parameters,
    {
      threads: 1,
    },
  );
  const items = clips.flatMap((clip) => {
    const features = utteranceFeatures(clip.samples);
    const rare = clip.text.replace('kate', 'cate');
    return [rare, rare, clip.text].map((text) => ({
      features,
      labels: encodeCharacters(text),
    }));
  });
  const feeds = batchFeeds(packBatch(items));
  for (let step = 1; step <= 200; step++) {
    await trainer.step(feeds, { learningRate: 3e-3 * Math.min(1, step / 10) });
  }
  trainer.syncParameters();
  const modelDir = join(dir, 'model');
  await writeAcousticModelFolder(modelDir, parameters, config, { name: 'homophone test' });
  await trainer.dispose();
  return modelDir;
}

describe('hotwords on espeak-ng speech', () => {
  it('writes the rare spelling of a name with the hotword and the LM’s spelling without it', async () => {
    const lm = await loadLanguageModel(LM_DIR);
    expect(lm.wordId('kate')).toBeDefined();
    expect(lm.wordId('cate')).toBeUndefined();

    const clips = SENTENCES.flatMap((text) =>
      VOICES.map(([voice, speed]) => ({ text, samples: speak(text, voice, speed) })),
    );
    const modelDir = await trainHomophoneModel(clips);
    const engine = await Engine.create({
      modelDir,
      device: 'cpu',
      threads: 1,
      decoding: { method: 'beam', lmDir: LM_DIR },
    });
    try {
      for (const clip of clips) {
        const without = await engine.transcribeSamples(clip.samples, { compareWith: ['greedy'] });
        const withName = await engine.transcribeSamples(clip.samples, { hotwords: ['Cate'] });
        const rare = clip.text.replace('kate', 'cate');
        expect(without.alternatives![0]!.text).toBe(rare); // greedy: the audio's favourite
        expect(without.text).toBe(clip.text); // the LM: the spelling it knows
        expect(withName.text).toBe(rare); // the hotword: the user's spelling
        const name = withName.segments.flatMap((s) => s.words).find((w) => w.text === 'cate')!;
        expect(name.endSec).toBeGreaterThan(name.startSec);
        expect(name.confidence).toBeGreaterThan(0.2);
      }
    } finally {
      await engine.dispose();
    }
  });
});
