import { describe, expect, it } from 'vitest';
import { buildInferenceModel } from '../../../src-main/engine/acoustic/model-export';
import {
  buildPrefixModel,
  buildSuffixScorer,
  isTrainable,
  SCORER_OUTPUT,
} from '../../../src-main/engine/profiles/finetune-graphs';
import {
  cachedWidth,
  PREFIX_OUTPUT,
  type ModelSplit,
} from '../../../src-main/engine/profiles/split-model';
import { isHarkError } from '../../../src-main/engine/errors';
import { openSession, type TensorValue } from '../../../src-main/engine/runtime/onnx-runtime';
import { randomParameters, TINY_CONFIG } from './profile-fixtures';

const config = { ...TINY_CONFIG, blocks: 3 };

/** Two utterances of different lengths, so padding is exercised. */
function batch(): Record<string, TensorValue> {
  const frames = 57;
  const data = new Float32Array(2 * 80 * frames);
  let seed = 7;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    data[i] = (seed / 2 ** 32) * 2 - 1;
  }
  return {
    audio_signal: { type: 'float32', data, dims: [2, 80, frames] },
    length: { type: 'int64', data: new BigInt64Array([57n, 38n]), dims: [2] },
  };
}

describe('the acoustic model split for fine-tuning', () => {
  it.each<[string, ModelSplit]>([
    ['the subsampling', { frozenBlocks: 0 }],
    ['the subsampling and 1 block', { frozenBlocks: 1 }],
    ['the subsampling and 3 blocks', { frozenBlocks: 3 }],
    ['nothing (the subsampling trains)', { frozenBlocks: 0, trainSubsampling: true }],
  ])(
    'a prefix freezing %s, then the suffix, computes what the whole model computes',
    async (_, split) => {
      const parameters = randomParameters(config, 3);
      const feeds = batch();
      const whole = await openSession(buildInferenceModel(parameters, config), {
        device: 'cpu',
        threads: 1,
        warmUpFeeds: 'skip',
      });
      const prefix = await openSession(buildPrefixModel(parameters, config, split), {
        device: 'cpu',
        threads: 1,
        warmUpFeeds: 'skip',
      });
      const scorer = await openSession(buildSuffixScorer(parameters, config, split), {
        device: 'cpu',
        threads: 1,
        warmUpFeeds: 'skip',
      });
      try {
        const expected = (await whole.run(feeds)).logprobs!;
        const hidden = (await prefix.run(feeds))[PREFIX_OUTPUT]!;
        // The features pass through, time first, when the subsampling trains.
        const cached = split.trainSubsampling ? 57 : 15;
        expect(hidden.dims).toEqual([2, cached, cachedWidth(config, split)]);
        const weights: Record<string, TensorValue> = {};
        for (const name of parameters.names) {
          if (isTrainable(name, split)) {
            weights[name] = {
              type: 'float32',
              data: parameters.get(name),
              dims: parameters.spec(name).dims,
            };
          }
        }
        const actual = (await scorer.run({ hidden, length: feeds.length!, ...weights }))[
          SCORER_OUTPUT
        ]!;
        expect(actual.dims).toEqual(expected.dims);
        const [, frames, vocab] = expected.dims as [number, number, number];
        // Compare the frames each utterance reads: ⌊57/4⌋ = 14 and ⌊38/4⌋ = 9.
        let worst = 0;
        for (const [b, valid] of [
          [0, 14],
          [1, 9],
        ] as const) {
          for (let i = 0; i < valid * vocab; i++) {
            const at = b * frames * vocab + i;
            worst = Math.max(worst, Math.abs(Number(actual.data[at]) - Number(expected.data[at])));
          }
        }
        expect(worst).toBeLessThan(1e-4);
      } finally {
        await Promise.all([whole.dispose(), prefix.dispose(), scorer.dispose()]);
      }
    },
  );

  it('trains the subsampling only under trainable blocks', () => {
    const parameters = randomParameters(config, 3);
    expect(isTrainable('subsampling.conv1.weight', { frozenBlocks: 0 })).toBe(false);
    expect(
      isTrainable('subsampling.conv1.weight', { frozenBlocks: 0, trainSubsampling: true }),
    ).toBe(true);
    let error: unknown;
    try {
      buildPrefixModel(parameters, config, { frozenBlocks: 1, trainSubsampling: true });
    } catch (e) {
      error = e;
    }
    expect(isHarkError(error) && error.code).toBe('INVALID_ARGUMENT');
  });
});
