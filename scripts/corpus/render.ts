/**
 * Renders a batch of planned utterances: synthesize (festival's share in one process), check the
 * clean audio, synthesize babble talkers, augment, and write each WAV atomically.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyAugmentation } from './augment';
import { peak } from './dsp';
import type { BabbleTalker, UtterancePlan } from './plan';
import { Random } from './random';
import { synthesizeFestivalBatch, synthesizeOne, type SynthesisRequest } from './synthesizers';
import type { SynthesizerName } from './voices';
import { writeWavAtomic } from './wav';

export interface RenderContext {
  /** The corpus folder: WAVs go to `<outDir>/<split>/wav/<id>.wav`. */
  outDir: string;
  /** This process's own folder for temporary synthesizer files. */
  workDir: string;
  sampleRate: number;
}

export interface UtteranceResult {
  id: string;
  synthesizer: SynthesizerName;
  /** Duration of the written file; undefined when the utterance failed. */
  durationSec?: number;
  error?: string;
  /** Duration of the clean synthesized speech. */
  cleanSec: number;
  /** Wall time of the synthesizer (a festival batch's time is shared out evenly). */
  synthesisSec: number;
  /** Wall time of babble synthesis and augmentation. */
  augmentationSec: number;
}

/**
 * Babble talkers already synthesized by this process (they come from a small bank, see plan.ts).
 * Keyed by everything that shapes the audio, so a hit is the same clip a fresh synthesis gives.
 */
const babbleCache = new Map<string, Float32Array>();
const BABBLE_CACHE_LIMIT = 400;

async function babbleTalker(
  talker: BabbleTalker,
  context: RenderContext,
  name: string,
): Promise<Float32Array> {
  const key = JSON.stringify([talker.voice.id, talker.spoken, talker.tempo, talker.pitchSemitones]);
  const cached = babbleCache.get(key);
  if (cached) return cached;
  const samples = await synthesizeOne(talker, {
    workDir: context.workDir,
    sampleRate: context.sampleRate,
    name,
  });
  if (babbleCache.size >= BABBLE_CACHE_LIMIT) babbleCache.clear();
  babbleCache.set(key, samples);
  return samples;
}

/** Shortest clean utterance and lowest peak accepted from a synthesizer. */
const MIN_CLEAN_SEC = 0.3;
const MIN_CLEAN_PEAK = 1e-3;

export function wavPath(outDir: string, utterance: Pick<UtterancePlan, 'split' | 'id'>): string {
  return join(outDir, utterance.split, 'wav', `${utterance.id}.wav`);
}

function requestOf(utterance: UtterancePlan): SynthesisRequest {
  return {
    voice: utterance.voice,
    spoken: utterance.spoken,
    tempo: utterance.tempo,
    pitchSemitones: utterance.pitchSemitones,
  };
}

function seconds(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

async function finishUtterance(
  utterance: UtterancePlan,
  clean: Float32Array,
  synthesisSec: number,
  context: RenderContext,
): Promise<UtteranceResult> {
  try {
    return await augmentAndWrite(utterance, clean, synthesisSec, context);
  } catch (error) {
    return failure(utterance, error, synthesisSec);
  }
}

async function augmentAndWrite(
  utterance: UtterancePlan,
  clean: Float32Array,
  synthesisSec: number,
  context: RenderContext,
): Promise<UtteranceResult> {
  const { sampleRate } = context;
  const base = {
    id: utterance.id,
    synthesizer: utterance.voice.synthesizer,
    cleanSec: clean.length / sampleRate,
    synthesisSec,
  };
  if (clean.length < MIN_CLEAN_SEC * sampleRate || peak(clean) < MIN_CLEAN_PEAK) {
    return {
      ...base,
      augmentationSec: 0,
      error: 'the synthesizer produced silence or almost nothing',
    };
  }
  const started = process.hrtime.bigint();
  const babbleTalkers: Float32Array[] = [];
  for (const [index, talker] of (utterance.augmentation.noise?.talkers ?? []).entries()) {
    try {
      babbleTalkers.push(await babbleTalker(talker, context, `${utterance.id}.babble${index}`));
    } catch {
      // A missing talker makes the babble thinner, not the utterance invalid.
    }
  }
  const audio = applyAugmentation(clean, utterance.augmentation, {
    sampleRate,
    random: new Random(utterance.renderSeed),
    babbleTalkers,
  });
  const path = wavPath(context.outDir, utterance);
  mkdirSync(join(context.outDir, utterance.split, 'wav'), { recursive: true });
  writeWavAtomic(path, audio, sampleRate);
  return { ...base, augmentationSec: seconds(started), durationSec: audio.length / sampleRate };
}

function failure(utterance: UtterancePlan, error: unknown, synthesisSec: number): UtteranceResult {
  return {
    id: utterance.id,
    synthesizer: utterance.voice.synthesizer,
    error: error instanceof Error ? error.message : String(error),
    cleanSec: 0,
    synthesisSec,
    augmentationSec: 0,
  };
}

/**
 * Renders every utterance of a batch, reporting each result as soon as its file is written.
 *
 * @example
 * await renderBatch(utterances, { outDir, workDir, sampleRate: 16000 }, (result) => log(result));
 */
export async function renderBatch(
  utterances: readonly UtterancePlan[],
  context: RenderContext,
  onResult: (result: UtteranceResult) => void,
): Promise<void> {
  mkdirSync(context.workDir, { recursive: true });
  const festival = utterances.filter((utterance) => utterance.voice.synthesizer === 'festival');
  const others = utterances.filter((utterance) => utterance.voice.synthesizer !== 'festival');
  if (festival.length > 0) {
    const started = process.hrtime.bigint();
    let results: (Float32Array | Error)[];
    try {
      results = await synthesizeFestivalBatch(festival.map(requestOf), {
        workDir: context.workDir,
        sampleRate: context.sampleRate,
        name: `festival-${festival[0]?.id}`,
      });
    } catch (error) {
      results = festival.map(() => (error instanceof Error ? error : new Error(String(error))));
    }
    const share = seconds(started) / festival.length;
    for (const [index, utterance] of festival.entries()) {
      const result = results[index];
      if (result instanceof Float32Array) {
        onResult(await finishUtterance(utterance, result, share, context));
      } else onResult(failure(utterance, result, share));
    }
  }
  for (const utterance of others) {
    const started = process.hrtime.bigint();
    let clean: Float32Array;
    try {
      clean = await synthesizeOne(requestOf(utterance), {
        workDir: context.workDir,
        sampleRate: context.sampleRate,
        name: utterance.id,
      });
    } catch (error) {
      onResult(failure(utterance, error, seconds(started)));
      continue;
    }
    onResult(await finishUtterance(utterance, clean, seconds(started), context));
  }
}
