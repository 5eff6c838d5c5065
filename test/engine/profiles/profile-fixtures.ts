/**
 * What the profile tests share: tiny acoustic models in Hark's architecture (random or briefly
 * trained), espeak-ng speech, and WAV files written by hand.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WaveFile } from 'wavefile';
import {
  BASE_MODEL_CONFIG,
  parameterOptions,
  parameterShapes,
  type AcousticModelConfig,
} from '../../../src-main/engine/acoustic/config';
import { ctcTrainingLoss } from '../../../src-main/engine/acoustic/ctc-training';
import { writeAcousticModelFolder } from '../../../src-main/engine/acoustic/model-export';
import { batchFeeds } from '../../../src-main/engine/acoustic/training-data';
import { resample } from '../../../src-main/engine/audio';
import { encodeCharacters } from '../../../src-main/engine/dataset/character-tokens';
import { packBatch, utteranceFeatures } from '../../../src-main/engine/dataset/feature-batch';
import { ParameterSet } from '../../../src-main/engine/train/parameters';
import { buildTrainStep } from '../../../src-main/engine/train/train-step';
import { Trainer } from '../../../src-main/engine/train/trainer';

/** Two blocks, so a run can freeze one and train the other. */
export const TINY_CONFIG: AcousticModelConfig = {
  ...BASE_MODEL_CONFIG,
  modelDim: 48,
  attentionHeads: 2,
  blocks: 2,
  convKernel: 5,
};

export function randomParameters(config: AcousticModelConfig, seed: number): ParameterSet {
  const parameters = new ParameterSet({ seed });
  for (const [name, dims] of parameterShapes(config)) {
    parameters.declare(name, dims, parameterOptions(name, dims));
  }
  return parameters;
}

/** An untrained model folder (for tests of the mechanics, not of learning). */
export async function writeRandomModel(dir: string, seed = 5): Promise<string> {
  await writeAcousticModelFolder(dir, randomParameters(TINY_CONFIG, seed), TINY_CONFIG, {
    name: 'tiny-random',
  });
  return dir;
}

export interface SpeakOptions {
  voice: string;
  /** Words per minute. */
  speed: number;
  /** 0–99. */
  pitch?: number;
}

/** espeak-ng speech as 16 kHz samples (its WAV goes to `scratch`). */
export function speak(text: string, options: SpeakOptions, scratch: string): Float32Array {
  const file = join(scratch, `espeak-${Math.random().toString(36).slice(2)}.wav`);
  const args = ['-v', options.voice, '-s', String(options.speed), '-w', file];
  if (options.pitch !== undefined) args.push('-p', String(options.pitch));
  execFileSync('espeak-ng', [...args, text]);
  const wav = new WaveFile(readFileSync(file));
  wav.toBitDepth('32f');
  const samples = Float32Array.from(wav.getSamples(false, Float64Array) as unknown as Float64Array);
  const rate = (wav.fmt as { sampleRate: number }).sampleRate;
  return resample(samples, { inputRate: rate, outputRate: 16000 });
}

/**
 * Trains the tiny model on labelled clips for `steps` full-batch steps and writes its folder:
 * a "base model" that knows one voice.
 */
export async function writeTrainedModel(
  dir: string,
  clips: readonly { text: string; samples: Float32Array }[],
  options: { steps: number; seed?: number },
): Promise<string> {
  const parameters = randomParameters(TINY_CONFIG, options.seed ?? 11);
  const trainer = await Trainer.create(
    buildTrainStep(ctcTrainingLoss(TINY_CONFIG), parameters),
    parameters,
    { threads: 1 },
  );
  try {
    const feeds = batchFeeds(
      packBatch(
        clips.map((c) => ({
          features: utteranceFeatures(c.samples),
          labels: encodeCharacters(c.text),
        })),
      ),
    );
    for (let step = 1; step <= options.steps; step++) {
      await trainer.step(feeds, { learningRate: 3e-3 * Math.min(1, step / 10) });
    }
    trainer.syncParameters();
  } finally {
    await trainer.dispose();
  }
  await writeAcousticModelFolder(dir, parameters, TINY_CONFIG, { name: 'tiny-base' });
  return dir;
}

/** 16-bit PCM WAV bytes of mono samples at any rate. */
export function wavBytes(samples: Float32Array, sampleRate: number): Uint8Array {
  const wav = new WaveFile();
  const pcm = Int16Array.from(samples, (x) =>
    Math.max(-32768, Math.min(32767, Math.round(x * 32767))),
  );
  wav.fromScratch(1, sampleRate, '16', pcm);
  return wav.toBuffer();
}

/** A sine tone at `amplitude` (1 = full scale). */
export function tone(
  seconds: number,
  amplitude: number,
  hz = 220,
  sampleRate = 16000,
): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * sampleRate) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate),
  );
}
