import { describe, expect, it } from 'vitest';
import {
  buildPlan,
  DEFAULT_PLAN_SETTINGS,
  isShortUtterance,
  type CorpusPlan,
  type UtterancePlan,
} from '../../../scripts/corpus/plan';
import { selectSentences } from '../../../scripts/corpus/sentences';
import { makeBatches } from '../../../scripts/corpus/batches';
import {
  allListedVoices,
  buildVoiceCatalogue,
  ESPEAK_HELD_OUT_ACCENTS,
  ESPEAK_HELD_OUT_VARIANTS,
  FESTIVAL_HELD_OUT_VOICES,
  FLITE_HELD_OUT_VOICES,
  type Split,
} from '../../../scripts/corpus/voices';

const WORDS =
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa'.split(
    ' ',
  );

/** Distinct made-up sentences of 4-12 words. */
function syntheticLines(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const length = 4 + (i % 9);
    const words = Array.from(
      { length },
      (_, k) => WORDS[(i * 7 + k * 3 + Math.floor(i / 16)) % WORDS.length] as string,
    );
    return `${words.join(' ')} number ${i}.`;
  });
}

const { sentences } = selectSentences({ 'made-up.txt': syntheticLines(3000) }, [], {
  minWords: 3,
  maxWords: 30,
});
const catalogue = buildVoiceCatalogue(allListedVoices());
const hours = { train: 1, dev: 0.1, test: 0.1 };

function plan(seed: number, trainHours = hours.train): CorpusPlan {
  return buildPlan({ seed, hours: { ...hours, train: trainHours }, sentences, catalogue });
}

function fileList(corpus: CorpusPlan): string[] {
  return (['train', 'dev', 'test'] as Split[]).flatMap((split) =>
    corpus.utterances[split].map((u) => `${u.id}\t${u.sentenceId}\t${u.voice.id}`),
  );
}

const DIGITS = 'zero one two three four five six seven eight nine'.split(' ');

const isShort = isShortUtterance;

function shortOnes(corpus: CorpusPlan): UtterancePlan[] {
  return corpus.utterances.train.filter(isShort);
}

function sentenceOnes(corpus: CorpusPlan, split: Split): UtterancePlan[] {
  return corpus.utterances[split].filter((u) => !isShort(u));
}

describe('corpus plan', () => {
  it('is the same for the same seed and different for another', () => {
    const first = plan(11);
    expect(plan(11)).toEqual(first);
    expect(fileList(plan(12))).not.toEqual(fileList(first));
  });

  it('reaches the requested hours, with the short utterances beside the training sentences', () => {
    const corpus = plan(3);
    const { shareOfTrain } = DEFAULT_PLAN_SETTINGS.shortUtterances;
    const shortHours = shortOnes(corpus).reduce((sum, u) => sum + u.estimatedSec, 0) / 3600;
    expect(shortHours).toBeGreaterThanOrEqual(hours.train * shareOfTrain);
    expect(shortHours).toBeLessThan(hours.train * shareOfTrain + 0.01);
    for (const split of ['train', 'dev', 'test'] as Split[]) {
      const planned =
        sentenceOnes(corpus, split).reduce((sum, u) => sum + u.estimatedSec, 0) / 3600;
      expect(planned).toBeGreaterThanOrEqual(hours[split]);
      expect(planned).toBeLessThan(hours[split] + 0.01);
    }
  });

  it('plans fewer hours as a prefix of more hours', () => {
    const small = plan(5, 0.3);
    const large = plan(5, 1);
    const smallSentences = sentenceOnes(small, 'train');
    expect(sentenceOnes(large, 'train').slice(0, smallSentences.length)).toEqual(smallSentences);
    const smallShort = shortOnes(small);
    expect(smallShort.length).toBeGreaterThan(10);
    expect(shortOnes(large).slice(0, smallShort.length)).toEqual(smallShort);
    expect(large.utterances.test).toEqual(small.utterances.test);
    expect(large.utterances.dev).toEqual(small.utterances.dev);
  });

  it('keeps held-out voices and the held-out tempo band out of train and dev', () => {
    const corpus = plan(21);
    const testVoices = new Set(corpus.utterances.test.map((u) => u.voice.id));
    const heldOutFlite = new Set<string>(FLITE_HELD_OUT_VOICES);
    const heldOutFestival = new Set<string>(FESTIVAL_HELD_OUT_VOICES);
    for (const split of ['train', 'dev'] as const) {
      for (const utterance of corpus.utterances[split]) {
        const { voice } = utterance;
        expect(testVoices.has(voice.id)).toBe(false);
        expect(heldOutFlite.has(voice.name) && voice.synthesizer === 'flite').toBe(false);
        expect(heldOutFestival.has(voice.name) && voice.synthesizer === 'festival').toBe(false);
        if (voice.synthesizer === 'espeak') {
          expect(ESPEAK_HELD_OUT_ACCENTS as readonly string[]).not.toContain(voice.name);
          expect(ESPEAK_HELD_OUT_VARIANTS as readonly string[]).not.toContain(voice.variant);
        }
        const [low, high] = DEFAULT_PLAN_SETTINGS.testTempo;
        expect(utterance.tempo < low || utterance.tempo > high).toBe(true);
        for (const talker of utterance.augmentation.noise?.talkers ?? []) {
          expect(catalogue.train.espeak.map((v) => v.id)).toContain(talker.voice.id);
        }
      }
    }
    for (const utterance of corpus.utterances.test) {
      const { voice } = utterance;
      if (voice.synthesizer === 'espeak') {
        const heldAccent = (ESPEAK_HELD_OUT_ACCENTS as readonly string[]).includes(voice.name);
        const heldVariant = (ESPEAK_HELD_OUT_VARIANTS as readonly string[]).includes(
          voice.variant ?? '',
        );
        expect(heldAccent || heldVariant).toBe(true);
      } else if (voice.synthesizer === 'flite') expect(heldOutFlite.has(voice.name)).toBe(true);
      else expect(heldOutFestival.has(voice.name)).toBe(true);
      const [low, high] = DEFAULT_PLAN_SETTINGS.testTempo;
      expect(utterance.tempo).toBeGreaterThanOrEqual(low);
      expect(utterance.tempo).toBeLessThanOrEqual(high);
      for (const talker of utterance.augmentation.noise?.talkers ?? []) {
        expect(catalogue.test.espeak.map((v) => v.id)).toContain(talker.voice.id);
      }
    }
    // All three synthesizers take part in both.
    for (const split of ['train', 'test'] as const) {
      const synthesizers = new Set(corpus.utterances[split].map((u) => u.voice.synthesizer));
      expect([...synthesizers].sort()).toEqual(['espeak', 'festival', 'flite']);
    }
  });

  it('picks the same test and dev sentences whichever voices are installed', () => {
    const espeakOnly = buildVoiceCatalogue({
      espeakVariants: new Set(['m3', 'f3']),
      flite: new Set(),
      festival: new Set(),
    });
    const full = plan(6);
    const reduced = buildPlan({ seed: 6, hours, sentences, catalogue: espeakOnly });
    for (const split of ['test', 'dev'] as const) {
      expect(reduced.utterances[split].map((u) => u.sentenceId)).toEqual(
        full.utterances[split].map((u) => u.sentenceId),
      );
    }
    expect(reduced.utterances.test.every((u) => u.voice.synthesizer === 'espeak')).toBe(true);
  });

  it('gives test, dev and train disjoint sentences', () => {
    const corpus = plan(8);
    const sets = (['train', 'dev', 'test'] as Split[]).map(
      (split) => new Set(corpus.utterances[split].map((u) => u.text)),
    );
    const [train, dev, test] = sets as [Set<string>, Set<string>, Set<string>];
    for (const text of test) expect(train.has(text) || dev.has(text)).toBe(false);
    for (const text of dev) expect(train.has(text)).toBe(false);
  });

  it('mixes clean and augmented utterances with noise inside the SNR range', () => {
    const corpus = plan(4);
    const utterances = corpus.utterances.train;
    const bank = new Set(corpus.babbleBanks.train.map((talker) => JSON.stringify(talker)));
    expect(bank.size).toBe(DEFAULT_PLAN_SETTINGS.babbleBankSize);
    const clean = utterances.filter(
      (u) => !u.augmentation.noise && !u.augmentation.reverb && !u.augmentation.telephone,
    );
    expect(clean.length / utterances.length).toBeGreaterThan(0.15);
    expect(clean.length / utterances.length).toBeLessThan(0.6);
    const kinds = new Set(utterances.map((u) => u.augmentation.noise?.kind).filter(Boolean));
    expect([...kinds].sort()).toEqual(['babble', 'brown', 'pink', 'white']);
    for (const utterance of utterances) {
      const { noise, speedFactor } = utterance.augmentation;
      if (noise) {
        expect(noise.snrDb).toBeGreaterThanOrEqual(5);
        expect(noise.snrDb).toBeLessThanOrEqual(30);
        for (const talker of noise.talkers) {
          expect(talker.spoken).not.toBe(utterance.spoken);
          expect(bank.has(JSON.stringify(talker))).toBe(true);
        }
      }
      expect(speedFactor).toBeGreaterThanOrEqual(0.9);
      expect(speedFactor).toBeLessThanOrEqual(1.1);
    }
  });

  it('batches festival utterances by voice and the test split first', () => {
    const corpus = plan(2, 0.2);
    const batches = makeBatches([...corpus.utterances.train, ...corpus.utterances.test], 10);
    expect(batches[0]?.[0]?.split).toBe('test');
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(10);
      const festival = batch.filter((u) => u.voice.synthesizer === 'festival');
      if (festival.length > 0) {
        expect(festival).toHaveLength(batch.length);
        expect(new Set(batch.map((u) => u.voice.id)).size).toBe(1);
      }
    }
    expect(batches.flat()).toHaveLength(
      corpus.utterances.train.length + corpus.utterances.test.length,
    );
  });
  it('leaves the sentence utterances as they were when short utterances are added', () => {
    const without = buildPlan({
      seed: 9,
      hours,
      sentences,
      catalogue,
      settings: {
        ...DEFAULT_PLAN_SETTINGS,
        shortUtterances: { ...DEFAULT_PLAN_SETTINGS.shortUtterances, shareOfTrain: 0 },
      },
    });
    const withShort = plan(9);
    expect(shortOnes(without)).toEqual([]);
    for (const split of ['train', 'dev', 'test'] as Split[]) {
      expect(sentenceOnes(withShort, split)).toEqual(without.utterances[split]);
    }
    expect(withShort.utterances.dev.some(isShort)).toBe(false);
    expect(withShort.utterances.test.some(isShort)).toBe(false);
  });

  it('plans lone words, digits, and runs of two or three words of the training sentences only', () => {
    const corpus = plan(13);
    const short = shortOnes(corpus);
    const trainTexts = sentenceOnes(corpus, 'train').map((u) => u.text);
    const trainById = new Map(sentences.map((sentence) => [sentence.id, sentence.text]));
    const heldOut = new Set(
      [...corpus.utterances.dev, ...corpus.utterances.test].map((u) => u.sentenceId),
    );
    const byKind = { word: 0, twoWords: 0, threeWords: 0, digits: 0 };
    for (const utterance of short) {
      const words = utterance.text.split(' ');
      expect(words.length).toBeGreaterThanOrEqual(1);
      expect(words.length).toBeLessThanOrEqual(utterance.sentenceId === 'digits' ? 4 : 3);
      expect(utterance.spoken).toBe(utterance.text);
      // A letter alone may be read as its name.
      for (const edge of [words[0], words[words.length - 1]]) {
        expect(edge === 'i' || (edge ?? '').length >= 2).toBe(true);
      }
      if (utterance.sentenceId === 'digits') {
        for (const word of words) expect(DIGITS).toContain(word);
        byKind.digits += 1;
      } else if (words.length === 1) {
        expect(utterance.sentenceId).toBe(`word:${utterance.text}`);
        expect(trainTexts.some((text) => ` ${text} `.includes(` ${utterance.text} `))).toBe(true);
        byKind.word += 1;
      } else {
        const [sentenceId, stretch] = utterance.sentenceId.split('@') as [string, string];
        expect(heldOut.has(sentenceId)).toBe(false);
        const [first, count] = stretch.split('+').map(Number) as [number, number];
        const source = (trainById.get(sentenceId) ?? '').split(' ');
        expect(source.slice(first, first + count).join(' ')).toBe(utterance.text);
        byKind[count === 2 ? 'twoWords' : 'threeWords'] += 1;
      }
    }
    // Roughly the weights 0.55 / 0.2 / 0.15 / 0.1 (a stretch that cannot be said falls back to a
    // word).
    const total = short.length;
    expect(byKind.word / total).toBeGreaterThan(0.5);
    expect(byKind.twoWords / total).toBeGreaterThan(0.12);
    expect(byKind.threeWords / total).toBeGreaterThan(0.08);
    expect(byKind.digits / total).toBeGreaterThan(0.05);
    // Not all the most frequent words: many different ones.
    const lone = short.filter((u) => !u.text.includes(' ')).map((u) => u.text);
    expect(new Set(lone).size).toBeGreaterThan(lone.length / 4);
  });
});
