/**
 * The frozen prefix's output for every recording of a run, computed once: the train step and the
 * validation scorer then start from these hidden states instead of the audio.
 */
import type { AcousticModelConfig } from '../acoustic/config';
import { TRAIN_BATCH_INPUTS } from '../acoustic/ctc-training';
import { readAudioWhole } from '../audio';
import { atSpeed } from './audio-perturbation';
import { encodeCharacters } from '../dataset/character-tokens';
import { packBatch, utteranceFeatures } from '../dataset/feature-batch';
import type { ManifestEntry } from '../dataset/manifest';
import { specAugment, type SpecAugmentOptions } from '../dataset/spec-augment';
import { HarkError } from '../errors';
import { seededUint32 } from '../seeded-random';
import type { RuntimeSession, TensorValue } from '../runtime/onnx-runtime';
import { DISTILL_INPUTS } from './finetune-graphs';
import {
  cachedFrames,
  PREFIX_OUTPUT,
  SUFFIX_INPUTS,
  subsampledFrames,
  type ModelSplit,
} from './split-model';

/** One utterance as the suffix sees it. */
export interface HiddenUtterance {
  /** (frames, width) row-major: the prefix's output (the features, when the subsampling trains). */
  hidden: Float32Array;
  /** The frames the prefix computed: ⌈⌈featureFrames/2⌉/2⌉, or featureFrames (split-model.ts cachedFrames). */
  frames: number;
  /** Feature frames before subsampling (the model's `length` input). */
  featureFrames: number;
  labels: Int32Array;
  text: string;
  durationSec: number;
}

/** Audio seconds per prefix run: bounds memory while keeping the runs large. */
const PREFIX_BATCH_SEC = 60;

/**
 * Runs the prefix over `entries` in batches of similar length and returns one hidden-state
 * array per entry, in order.
 *
 * @example
 * const cached = await computeHiddenStates(prefixSession, entries, config, { split, onProgress });
 */
export async function computeHiddenStates(
  prefix: RuntimeSession,
  entries: readonly ManifestEntry[],
  config: AcousticModelConfig,
  options: {
    signal?: AbortSignal;
    onProgress?: (fraction: number) => void;
    /** Where the prefix cuts the model: what it outputs (split-model.ts cachedFrames). */
    split: ModelSplit;
    /** Masks the features before the prefix (with `random`). */
    specAugment?: SpecAugmentOptions;
    /**
     * Plays each recording this many times faster first (speed perturbation: resampled, so the
     * pitch moves with the tempo); 1 or absent as recorded.
     */
    speed?: number;
    random?: () => number;
  },
): Promise<HiddenUtterance[]> {
  const speed = options.speed ?? 1;
  const order = entries
    .map((_, i) => i)
    .sort((a, b) => entries[a]!.durationSec - entries[b]!.durationSec);
  const out: (HiddenUtterance | undefined)[] = new Array(entries.length);
  const totalSec = entries.reduce((s, e) => s + e.durationSec, 0);
  let doneSec = 0;
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    while (
      end < order.length &&
      entries[order[end]!]!.durationSec * (end - start + 1) <= PREFIX_BATCH_SEC
    ) {
      end++;
    }
    if (options.signal?.aborted) throw new HarkError('CANCELLED', 'fine-tuning was cancelled');
    const members = order.slice(start, end).map((i) => entries[i]!);
    const audio = await Promise.all(members.map((entry) => readAudioWhole(entry.audioPath)));
    // Masks are drawn in order, so a seeded run is reproducible.
    const items = members.map((entry, b) => {
      const features = utteranceFeatures(atSpeed(audio[b]!.samples, speed));
      if (options.specAugment) {
        specAugment(features, options.specAugment, options.random ?? Math.random);
      }
      return { features, labels: encodeCharacters(entry.text) };
    });
    const batch = packBatch(items);
    const result = await prefix.run({
      [TRAIN_BATCH_INPUTS.features]: {
        type: 'float32',
        data: batch.features,
        dims: [batch.batchSize, batch.numBins, batch.maxFrames],
      },
      [TRAIN_BATCH_INPUTS.featureLengths]: {
        type: 'int64',
        data: batch.featureLengths,
        dims: [batch.batchSize],
      },
    });
    const hidden = result[PREFIX_OUTPUT];
    if (hidden?.type !== 'float32')
      throw new HarkError('INTERNAL', 'the prefix returned no hidden states');
    const [, paddedFrames, width] = hidden.dims as [number, number, number];
    if (paddedFrames !== cachedFrames(batch.maxFrames, options.split)) {
      throw new HarkError('INTERNAL', 'the prefix does not cut the model where the run does');
    }
    members.forEach((entry, b) => {
      const featureFrames = items[b]!.features.numFrames;
      const frames = cachedFrames(featureFrames, options.split);
      const offset = b * paddedFrames * width;
      out[order[start + b]!] = {
        hidden: hidden.data.slice(offset, offset + frames * width),
        frames,
        featureFrames,
        labels: items[b]!.labels,
        text: entry.text,
        durationSec: entry.durationSec / speed,
      };
    });
    doneSec += members.reduce((s, e) => s + e.durationSec, 0);
    options.onProgress?.(doneSec / totalSec);
    start = end;
  }
  return out as HiddenUtterance[];
}

/**
 * Pads utterances into the suffix's batch inputs (`hidden`, `length`, and when `withTargets`
 * the CTC `targets` and `target_lengths`).
 *
 * @example
 * const feeds = suffixFeeds(batchMembers, cachedWidth(config, split), { withTargets: true });
 */
export function suffixFeeds(
  items: readonly HiddenUtterance[],
  width: number,
  options: { withTargets: boolean },
): Record<string, TensorValue> {
  const count = items.length;
  const maxFrames = Math.max(1, ...items.map((u) => u.frames));
  const hidden = new Float32Array(count * maxFrames * width);
  const lengths = new BigInt64Array(count);
  items.forEach((u, b) => {
    hidden.set(u.hidden, b * maxFrames * width);
    lengths[b] = BigInt(u.featureFrames);
  });
  const feeds: Record<string, TensorValue> = {
    [SUFFIX_INPUTS.hidden]: { type: 'float32', data: hidden, dims: [count, maxFrames, width] },
    [SUFFIX_INPUTS.featureLengths]: { type: 'int64', data: lengths, dims: [count] },
  };
  if (options.withTargets) {
    const maxLabels = Math.max(1, ...items.map((u) => u.labels.length));
    const targets = new BigInt64Array(count * maxLabels);
    const targetLengths = new BigInt64Array(count);
    items.forEach((u, b) => {
      u.labels.forEach((id, i) => (targets[b * maxLabels + i] = BigInt(id)));
      targetLengths[b] = BigInt(u.labels.length);
    });
    feeds[TRAIN_BATCH_INPUTS.labels] = { type: 'int64', data: targets, dims: [count, maxLabels] };
    feeds[TRAIN_BATCH_INPUTS.labelLengths] = { type: 'int64', data: targetLengths, dims: [count] };
  }
  return feeds;
}

/**
 * The feeds of a distilling train step: the user's `members` (as `suffixFeeds` packs them) and,
 * padded on their own, the rehearsal utterances `extra` with the base model's posteriors on them
 * (zero on padding frames) and the distillation scale (`distillWeight` over their frames).
 *
 * @example
 * const sizes = { width: cachedWidth(config, split), vocabSize: config.vocabSize, trainSubsampling: false };
 * const feeds = distillationFeeds(batch, [{ utterance, posteriors }], sizes, recipe.distillWeight);
 */
export function distillationFeeds(
  members: readonly HiddenUtterance[],
  extra: readonly { utterance: HiddenUtterance; posteriors: Float32Array }[],
  sizes: { width: number; vocabSize: number; trainSubsampling: boolean },
  distillWeight: number,
): Record<string, TensorValue> {
  if (members.length === 0 || extra.length === 0) {
    throw new HarkError('INTERNAL', 'a distilling batch needs user rows and rehearsal rows');
  }
  const feeds = suffixFeeds(members, sizes.width, { withTargets: true });
  const rehearsal = suffixFeeds(
    extra.map((e) => e.utterance),
    sizes.width,
    { withTargets: false },
  );
  const hidden = rehearsal[SUFFIX_INPUTS.hidden]!;
  feeds[DISTILL_INPUTS.hidden] = hidden;
  feeds[DISTILL_INPUTS.featureLengths] = rehearsal[SUFFIX_INPUTS.featureLengths]!;
  const [count, paddedFrames] = hidden.dims as [number, number, number];
  // The posteriors' frames: the suffix subsamples cached features itself.
  const maxFrames = sizes.trainSubsampling ? subsampledFrames(paddedFrames) : paddedFrames;
  const { vocabSize } = sizes;
  const teacher = new Float32Array(count * maxFrames * vocabSize);
  let teacherFrames = 0;
  extra.forEach(({ utterance, posteriors }, row) => {
    const outputFrames = sizes.trainSubsampling
      ? subsampledFrames(utterance.featureFrames)
      : utterance.frames;
    if (posteriors.length > outputFrames * vocabSize) {
      throw new HarkError('INTERNAL', 'teacher posteriors longer than their utterance');
    }
    teacher.set(posteriors, row * maxFrames * vocabSize);
    teacherFrames += posteriors.length / vocabSize;
  });
  feeds[DISTILL_INPUTS.teacherProbs] = {
    type: 'float32',
    data: teacher,
    dims: [count, maxFrames, vocabSize],
  };
  feeds[DISTILL_INPUTS.distillScale] = {
    type: 'float32',
    data: Float32Array.of(distillWeight / Math.max(1, teacherFrames)),
    dims: [],
  };
  return feeds;
}

/** Refuses a dropout rate outside [0, 1) (INVALID_ARGUMENT). */
export function checkDropoutRate(rate: number): void {
  if (!(rate >= 0 && rate < 1)) {
    throw new HarkError('INVALID_ARGUMENT', `the dropout rate must lie in [0, 1), not ${rate}`);
  }
}

/**
 * Dropout masks for a train step's DROPOUT_INPUT: (sites, rows, frames, width) values, each 0
 * with probability `rate` (to 1/65536) and 1 / (1 − rate) otherwise, drawn from `seed`. Each
 * 32-bit draw decides two values, by its halves: a batch of a reader's sentences takes about
 * 8 million values a step.
 *
 * @example
 * feeds[DROPOUT_INPUT] = dropoutMasks({ sites: 32, rows: 8, frames: 150, width: 144 }, 0.1, 7);
 */
export function dropoutMasks(
  sizes: { sites: number; rows: number; frames: number; width: number },
  rate: number,
  seed: number,
): TensorValue {
  checkDropoutRate(rate);
  const { sites, rows, frames, width } = sizes;
  const data = new Float32Array(sites * rows * frames * width);
  const kept = 1 / (1 - rate);
  const threshold = Math.round(rate * 0x10000);
  const next = seededUint32(seed);
  for (let i = 0; i < data.length; i += 2) {
    const bits = next();
    data[i] = (bits & 0xffff) < threshold ? 0 : kept;
    if (i + 1 < data.length) data[i + 1] = bits >>> 16 < threshold ? 0 : kept;
  }
  return { type: 'float32', data, dims: [sites, rows, frames, width] };
}
