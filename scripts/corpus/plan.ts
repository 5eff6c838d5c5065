/**
 * The corpus plan: every utterance of every split with its sentence, voice, rate, pitch and
 * augmentation, drawn from seeded random streams. The same seed and options give the same plan
 * (and so the same file list); utterance `k` of a split draws from its own stream, and the
 * training split's short utterances from streams of their own, so a plan for fewer hours holds a
 * prefix of each: the same first sentence utterances, and the same first short utterances.
 */
import { hashSeed, Random } from './random';
import type { Sentence } from './sentences';
import {
  buildShortTextSource,
  drawShortText,
  type ShortTextSource,
  type ShortUtteranceSettings,
} from './short-utterances';
import type { Split, SynthesizerName, Voice, VoiceCatalogue, VoicePool } from './voices';

/** The random streams and the id prefix of the training split's short utterances. */
const SHORT_STREAM = 'train-short';

export type NoiseKind = 'white' | 'pink' | 'brown' | 'babble';

/**
 * One voice of a babble noise: espeak speech of another sentence. Talkers come from a small
 * per-split bank, so that a worker synthesizes each once and reuses it.
 */
export interface BabbleTalker {
  voice: Voice;
  spoken: string;
  tempo: number;
  pitchSemitones: number;
}

export interface AugmentationPlan {
  /** Speed perturbation by resampling (tempo and pitch together); 1 = none. */
  speedFactor: number;
  reverb?: { rt60Sec: number; directToReverbDb: number };
  noise?: { kind: NoiseKind; snrDb: number; talkers: BabbleTalker[] };
  /** 300-3400 Hz band, 8 kHz μ-law round trip. */
  telephone: boolean;
  /** The final peak level (random gain). */
  peakDbfs: number;
}

export interface UtterancePlan {
  /** `train-000042`: also the WAV's file name. */
  id: string;
  split: Split;
  index: number;
  sentenceId: string;
  /** The normalised label. */
  text: string;
  /** What the synthesizer reads. */
  spoken: string;
  voice: Voice;
  /** Synthesizer speaking-rate factor: 1 = the voice's default, above 1 faster. */
  tempo: number;
  /** Pitch offset from the voice's default, in semitones. */
  pitchSemitones: number;
  augmentation: AugmentationPlan;
  /** Seed of this utterance's noise and impulse-response draws. */
  renderSeed: number;
  /** Planned duration estimate (the real one is measured). */
  estimatedSec: number;
}

export interface PlanSettings {
  /** Synthesizer rate factor bands of train/dev; the test draws from `testTempo`, between them. */
  trainTempoBands: [low: number, high: number][];
  testTempo: [low: number, high: number];
  pitchSemitones: [low: number, high: number];
  synthesizerWeights: {
    train: Record<SynthesizerName, number>;
    test: Record<SynthesizerName, number>;
  };
  speedPerturbation: { probability: number; range: [number, number] };
  reverb: { probability: number; rt60Sec: [number, number]; directToReverbDb: [number, number] };
  noise: { probability: number; snrDb: [number, number]; kinds: Record<NoiseKind, number> };
  babbleTalkers: [number, number];
  /** Talker clips per bank (one bank for train and dev, one for test). */
  babbleBankSize: number;
  telephoneProbability: number;
  peakDbfs: [number, number];
  /** Spoken words per second at tempo 1, silences included, for the duration estimate. */
  wordsPerSecond: number;
  /** Lone words, digits and runs of two or three words, planned beside the training sentences. */
  shortUtterances: ShortUtteranceSettings;
}

export const DEFAULT_PLAN_SETTINGS: PlanSettings = {
  trainTempoBands: [
    [0.8, 0.94],
    [1.06, 1.3],
  ],
  testTempo: [0.94, 1.06],
  pitchSemitones: [-3, 3],
  synthesizerWeights: {
    train: { espeak: 0.45, flite: 0.35, festival: 0.2 },
    test: { espeak: 0.5, flite: 0.3, festival: 0.2 },
  },
  speedPerturbation: { probability: 0.5, range: [0.9, 1.1] },
  reverb: { probability: 0.2, rt60Sec: [0.2, 0.9], directToReverbDb: [-3, 12] },
  noise: {
    probability: 0.55,
    snrDb: [5, 30],
    kinds: { white: 0.2, pink: 0.25, brown: 0.2, babble: 0.35 },
  },
  babbleTalkers: [3, 6],
  babbleBankSize: 160,
  telephoneProbability: 0.1,
  peakDbfs: [-24, -1],
  wordsPerSecond: 2.8,
  shortUtterances: {
    shareOfTrain: 0.08,
    kindWeights: { word: 0.55, twoWords: 0.2, threeWords: 0.15, digits: 0.1 },
    frequencyExponent: 0.5,
    paddingSec: 0.5,
  },
};

export interface PlanOptions {
  seed: number;
  hours: Record<Split, number>;
  sentences: readonly Sentence[];
  catalogue: VoiceCatalogue;
  settings?: PlanSettings;
}

export interface CorpusPlan {
  seed: number;
  /** Babble talkers: `train` serves train and dev. */
  babbleBanks: { train: BabbleTalker[]; test: BabbleTalker[] };
  utterances: Record<Split, UtterancePlan[]>;
  /** How many sentences each split drew from (train reuses its pool when it runs out). */
  sentencePools: Record<Split, number>;
  settings: PlanSettings;
}

function drawTempo(random: Random, split: Split, settings: PlanSettings): number {
  if (split === 'test') return random.uniform(...settings.testTempo);
  const widths = settings.trainTempoBands.map(([low, high]) => high - low);
  let target = random.next() * widths.reduce((sum, width) => sum + width, 0);
  for (const [low, high] of settings.trainTempoBands) {
    if (target < high - low) return low + target;
    target -= high - low;
  }
  const last = settings.trainTempoBands[settings.trainTempoBands.length - 1] as [number, number];
  return last[1];
}

function drawVoice(
  random: Random,
  pool: VoicePool,
  weights: Record<SynthesizerName, number>,
): Voice {
  const available = {
    espeak: pool.espeak.length > 0 ? weights.espeak : 0,
    flite: pool.flite.length > 0 ? weights.flite : 0,
    festival: pool.festival.length > 0 ? weights.festival : 0,
  };
  if (available.espeak + available.flite + available.festival === 0) {
    throw new RangeError('no voice is available for this split');
  }
  return random.pick(pool[random.weighted(available)]);
}

function drawAugmentation(
  random: Random,
  split: Split,
  pool: VoicePool,
  babble: { bank: readonly BabbleTalker[]; avoid: Sentence },
  settings: PlanSettings,
): AugmentationPlan {
  const augmentation: AugmentationPlan = {
    // In steps of 0.01, which keeps the resampling ratio small.
    speedFactor: random.chance(settings.speedPerturbation.probability)
      ? Math.round(random.uniform(...settings.speedPerturbation.range) * 100) / 100
      : 1,
    telephone: false,
    peakDbfs: 0,
  };
  if (random.chance(settings.reverb.probability)) {
    augmentation.reverb = {
      rt60Sec: random.uniform(...settings.reverb.rt60Sec),
      directToReverbDb: random.uniform(...settings.reverb.directToReverbDb),
    };
  }
  if (random.chance(settings.noise.probability)) {
    const kinds = { ...settings.noise.kinds };
    if (babble.bank.length === 0) kinds.babble = 0;
    const kind = random.weighted(kinds);
    const talkers: BabbleTalker[] = [];
    if (kind === 'babble') {
      const count = random.integer(...settings.babbleTalkers);
      for (let k = 0; k < count; k += 1) {
        const talker = random.pick(babble.bank);
        // The background must not say the words of the label.
        if (talker.spoken !== babble.avoid.spoken) talkers.push(talker);
      }
    }
    augmentation.noise = { kind, snrDb: random.uniform(...settings.noise.snrDb), talkers };
  }
  augmentation.telephone = random.chance(settings.telephoneProbability);
  augmentation.peakDbfs = random.uniform(...settings.peakDbfs);
  return augmentation;
}

/** A bank of babble talkers: espeak voices of the pool speaking random sentences. */
function buildBabbleBank(
  seed: number,
  bank: 'train' | 'test',
  pool: VoicePool,
  sentences: readonly Sentence[],
  settings: PlanSettings,
): BabbleTalker[] {
  if (pool.espeak.length === 0 || sentences.length === 0) return [];
  const random = new Random(hashSeed(seed, 'babble', bank));
  return Array.from({ length: settings.babbleBankSize }, () => ({
    voice: random.pick(pool.espeak),
    spoken: random.pick(sentences).spoken,
    tempo: drawTempo(random, bank, settings),
    pitchSemitones: random.uniform(...settings.pitchSemitones),
  }));
}

function planUtterance(
  seed: number,
  split: Split,
  index: number,
  sentence: Sentence,
  pool: VoicePool,
  babbleBank: readonly BabbleTalker[],
  settings: PlanSettings,
): UtterancePlan {
  return planSpoken(new Random(hashSeed(seed, split, index)), {
    seed,
    split,
    stream: split,
    index,
    id: `${split}-${String(index).padStart(6, '0')}`,
    sentence,
    pool,
    babbleBank,
    settings,
  });
}

/**
 * Short utterance `index` of the training split (`train-short-000042`): its own random stream,
 * so the sentence utterances are the same with or without them, and fewer is a prefix of more.
 */
function planShortUtterance(
  seed: number,
  index: number,
  source: ShortTextSource,
  pool: VoicePool,
  babbleBank: readonly BabbleTalker[],
  settings: PlanSettings,
): UtterancePlan {
  const stream = SHORT_STREAM;
  const random = new Random(hashSeed(seed, stream, index));
  const short = drawShortText(random, source, settings.shortUtterances);
  const utterance = planSpoken(random, {
    seed,
    split: 'train',
    stream,
    index,
    id: `${SHORT_STREAM}-${String(index).padStart(6, '0')}`,
    sentence: {
      id: short.sourceId,
      spoken: short.text,
      text: short.text,
      wordCount: short.wordCount,
    },
    pool,
    babbleBank,
    settings,
  });
  utterance.estimatedSec += settings.shortUtterances.paddingSec;
  return utterance;
}

function planSpoken(
  random: Random,
  what: {
    seed: number;
    split: Split;
    /** The name of the random streams: the split, or `train-short`. */
    stream: string;
    index: number;
    id: string;
    sentence: Sentence;
    pool: VoicePool;
    babbleBank: readonly BabbleTalker[];
    settings: PlanSettings;
  },
): UtterancePlan {
  const { seed, split, index, sentence, pool, babbleBank, settings } = what;
  const voice = drawVoice(
    random,
    pool,
    settings.synthesizerWeights[split === 'test' ? 'test' : 'train'],
  );
  const tempo = drawTempo(random, split, settings);
  const pitchSemitones = random.uniform(...settings.pitchSemitones);
  const augmentation = drawAugmentation(
    random,
    split,
    pool,
    { bank: babbleBank, avoid: sentence },
    settings,
  );
  const speechRate = settings.wordsPerSecond * tempo * augmentation.speedFactor;
  return {
    id: what.id,
    split,
    index,
    sentenceId: sentence.id,
    text: sentence.text,
    spoken: sentence.spoken,
    voice,
    tempo,
    pitchSemitones,
    augmentation,
    renderSeed: hashSeed(seed, what.stream, index, 'render'),
    estimatedSec: sentence.wordCount / speechRate,
  };
}

/** Plans `planAt(0)`, `planAt(1)`, ... until their estimated durations reach `seconds`. */
function planUntil(seconds: number, planAt: (index: number) => UtterancePlan): UtterancePlan[] {
  const planned: UtterancePlan[] = [];
  let plannedSec = 0;
  while (plannedSec < seconds) {
    const utterance = planAt(planned.length);
    planned.push(utterance);
    plannedSec += utterance.estimatedSec;
  }
  return planned;
}

/**
 * Plans the corpus. Sentences are shuffled by the seed; the test split takes the first ones, dev
 * the next, train the rest (cycling through them again if the hours ask for more). Babble noise
 * speaks other sentences (any), always with espeak voices of the utterance's own split. Train and dev
 * use the catalogue's train voices and tempo bands, test its held-out voices and tempo band.
 *
 * @example
 * const plan = buildPlan({ seed: 1, hours: { train: 40, dev: 0.5, test: 0.5 }, sentences, catalogue });
 * plan.utterances.test[0].voice.id; // e.g. 'flite:awb'
 */
export function buildPlan(options: PlanOptions): CorpusPlan {
  const settings = options.settings ?? DEFAULT_PLAN_SETTINGS;
  const { seed, catalogue } = options;
  const shuffled = new Random(hashSeed(seed, 'sentences')).shuffle(options.sentences);
  const babbleBanks = {
    train: buildBabbleBank(seed, 'train', catalogue.train, shuffled, settings),
    test: buildBabbleBank(seed, 'test', catalogue.test, shuffled, settings),
  };
  const utterances: Record<Split, UtterancePlan[]> = { train: [], dev: [], test: [] };
  const sentencePools: Record<Split, number> = { train: 0, dev: 0, test: 0 };
  let next = 0;
  // Test and dev take fresh sentences until their hours are reached.
  for (const split of ['test', 'dev'] as const) {
    const pool = split === 'test' ? catalogue.test : catalogue.train;
    const start = next;
    let plannedSec = 0;
    while (plannedSec < options.hours[split] * 3600 && next < shuffled.length) {
      const sentence = shuffled[next] as Sentence;
      next += 1;
      const utterance = planUtterance(
        seed,
        split,
        utterances[split].length,
        sentence,
        pool,
        babbleBanks[split === 'test' ? 'test' : 'train'],
        settings,
      );
      utterances[split].push(utterance);
      plannedSec += utterance.estimatedSec;
    }
    sentencePools[split] = next - start;
  }
  const trainSentences = shuffled.slice(next);
  sentencePools.train = trainSentences.length;
  if (options.hours.train > 0 && trainSentences.length === 0) {
    throw new RangeError('no sentences are left for training after the test and dev splits');
  }
  utterances.train = planUntil(options.hours.train * 3600, (index) =>
    planUtterance(
      seed,
      'train',
      index,
      trainSentences[index % trainSentences.length] as Sentence,
      catalogue.train,
      babbleBanks.train,
      settings,
    ),
  );
  const shortSec = options.hours.train * 3600 * settings.shortUtterances.shareOfTrain;
  if (shortSec > 0) {
    const heldOut = new Set([...utterances.test, ...utterances.dev].map((u) => u.text));
    const source = buildShortTextSource(trainSentences, settings.shortUtterances, heldOut);
    const short = planUntil(shortSec, (index) =>
      planShortUtterance(seed, index, source, catalogue.train, babbleBanks.train, settings),
    );
    utterances.train.push(...short);
  }
  return { seed, babbleBanks, utterances, sentencePools, settings };
}

/** Whether an utterance is one of the training split's short utterances (`train-short-000042`). */
export function isShortUtterance(utterance: UtterancePlan): boolean {
  return utterance.id.startsWith(`${SHORT_STREAM}-`);
}

/** Short labels of what an augmentation plan does, for summaries ("speed", "noise-pink", ...). */
export function augmentationLabels(augmentation: AugmentationPlan): string[] {
  const labels: string[] = [];
  if (augmentation.speedFactor !== 1) labels.push('speed');
  if (augmentation.reverb) labels.push('reverb');
  if (augmentation.noise) labels.push(`noise-${augmentation.noise.kind}`);
  if (augmentation.telephone) labels.push('telephone');
  if (!augmentation.reverb && !augmentation.noise && !augmentation.telephone) {
    labels.push('clean-channel');
  }
  return labels;
}
