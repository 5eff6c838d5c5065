import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { formatManifest, parseManifest } from '../../../src-main/engine/dataset/manifest';
import { planBatches, seededRandom } from '../../../src-main/engine/dataset/batching';
import { specAugment, DEFAULT_SPEC_AUGMENT } from '../../../src-main/engine/dataset/spec-augment';
import {
  characterTokens,
  characterTokensFile,
  encodeCharacters,
} from '../../../src-main/engine/dataset/character-tokens';
import { packBatch } from '../../../src-main/engine/dataset/feature-batch';
import { Vocabulary } from '../../../src-main/engine/decode/vocabulary';

describe('manifest', () => {
  it('resolves paths against the manifest folder and round-trips', () => {
    const text =
      '{"audio_filepath": "wav/a.wav", "duration": 1.5, "text": "hello"}\n\n' +
      '{"audio_filepath": "/abs/b.wav", "duration": 2, "text": "world", "speaker": "x"}\n';
    const entries = parseManifest(text, '/data/set/manifest.jsonl');
    expect(entries).toEqual([
      { audioPath: resolve('/data/set/wav/a.wav'), durationSec: 1.5, text: 'hello' },
      { audioPath: '/abs/b.wav', durationSec: 2, text: 'world', speaker: 'x' },
    ]);
    const again = parseManifest(formatManifest(entries, '/data/set'), '/data/set/manifest.jsonl');
    expect(again).toEqual(entries);
  });

  it('names the bad line', () => {
    expect(() => parseManifest('{"duration": 1, "text": "x"}\n', 'm.jsonl')).toThrow(
      /m\.jsonl: line 1 has no audio_filepath/,
    );
    expect(() => parseManifest('{}\nnot json\n', 'm.jsonl')).toThrow(/line 1|line 2/);
  });
});

describe('batch planning', () => {
  const durations = Array.from({ length: 200 }, (_, i) => 1 + ((i * 7919) % 97) / 10);

  it('covers every utterance once and respects the audio budget', () => {
    const batches = planBatches(durations, { maxBatchSec: 60, maxUtterances: 16, seed: 3 });
    const seen = batches.flat().sort((a, b) => a - b);
    expect(seen).toEqual(durations.map((_, i) => i));
    for (const batch of batches) {
      const longest = Math.max(...batch.map((i) => durations[i]!));
      expect(batch.length).toBeLessThanOrEqual(16);
      if (batch.length > 1) expect(longest * batch.length).toBeLessThanOrEqual(60);
    }
  });

  it('is reproducible from its seed and differs between seeds', () => {
    const options = { maxBatchSec: 60, maxUtterances: 16 };
    expect(planBatches(durations, { ...options, seed: 1 })).toEqual(
      planBatches(durations, { ...options, seed: 1 }),
    );
    expect(planBatches(durations, { ...options, seed: 1 })).not.toEqual(
      planBatches(durations, { ...options, seed: 2 }),
    );
  });
});

describe('SpecAugment', () => {
  it('zeroes whole bins and whole frames, within the configured widths', () => {
    const numBins = 80;
    const numFrames = 1000;
    const data = new Float32Array(numBins * numFrames).fill(1);
    specAugment({ data, numBins, numFrames }, DEFAULT_SPEC_AUGMENT, seededRandom(5));
    const zeroBins = [...Array(numBins).keys()].filter((bin) =>
      data.subarray(bin * numFrames, (bin + 1) * numFrames).every((v) => v === 0),
    );
    expect(zeroBins.length).toBeLessThanOrEqual(2 * DEFAULT_SPEC_AUGMENT.maxFreqWidth);
    const zeroFrames = [...Array(numFrames).keys()].filter((frame) =>
      [...Array(numBins).keys()].every((bin) => data[bin * numFrames + frame] === 0),
    );
    expect(zeroFrames.length).toBeGreaterThan(0);
    expect(zeroFrames.length).toBeLessThanOrEqual(5 * 40);
    const zeros = data.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
    expect(zeros).toBeLessThan(data.length * 0.5);
  });
});

describe('character tokens', () => {
  it('writes a tokens.txt that the decoder reads, blank last', () => {
    const vocab = Vocabulary.parse(characterTokensFile(), 'tokens.txt');
    expect(vocab.size).toBe(characterTokens().length);
    expect(vocab.blankId).toBe(vocab.size - 1);
  });

  it('encodes normalised text', () => {
    const tokens = characterTokens();
    const decoded = [...encodeCharacters('Hi, 2 cats!')].map((id) => tokens[id]).join('');
    expect(decoded).toBe('hi▁two▁cats');
  });
});

describe('packBatch', () => {
  it('pads features feature-major and labels', () => {
    const a = { data: Float32Array.from([1, 2, 3, 4]), numBins: 2, numFrames: 2 };
    const b = { data: Float32Array.from([5, 6, 7, 8, 9, 10]), numBins: 2, numFrames: 3 };
    const batch = packBatch(
      [
        { features: a, labels: Int32Array.from([1]) },
        { features: b, labels: Int32Array.from([2, 3]) },
      ],
      { maxFramesMultiple: 4 },
    );
    expect(batch.maxFrames).toBe(4);
    expect([...batch.features]).toEqual([1, 2, 0, 0, 3, 4, 0, 0, 5, 6, 7, 0, 8, 9, 10, 0]);
    expect([...batch.featureLengths]).toEqual([2n, 3n]);
    expect([...batch.labels]).toEqual([1n, 0n, 2n, 3n]);
    expect([...batch.labelLengths]).toEqual([1n, 2n]);
  });
});
