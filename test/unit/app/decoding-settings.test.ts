import { describe, expect, it } from 'vitest';
import { checkParams } from '../../../src-main/api/contract';
import { SchemaError } from '../../../src-main/api/schema';

describe('updateSettings decoding params', () => {
  it('accepts a method, a beam width and custom words, each alone', () => {
    expect(
      checkParams('updateSettings', {
        decoding: { method: 'beam', beamWidth: 32, hotwords: ['Siobhan', 'new york :3'] },
      }),
    ).toEqual({
      decoding: { method: 'beam', beamWidth: 32, hotwords: ['Siobhan', 'new york :3'] },
    });
    expect(checkParams('updateSettings', { decoding: { hotwords: [] } })).toEqual({
      decoding: { hotwords: [] },
    });
  });

  it.each([
    [{ decoding: { method: 'viterbi' } }, /decoding\.method must be one of "greedy", "beam"/],
    [{ decoding: { beamWidth: 0 } }, /decoding\.beamWidth must be between 1 and 128/],
    [{ decoding: { beamWidth: 4.5 } }, /decoding\.beamWidth must be an integer/],
    [{ decoding: { hotwords: ['ok', ''] } }, /decoding\.hotwords\[1\] must have at least 1/],
    [{ decoding: { hotwords: ['x'.repeat(101)] } }, /hotwords\[0\] must have at most 100/],
    [{ decoding: { hotwords: Array(1001).fill('a') } }, /hotwords must have at most 1000 items/],
    [{ decoding: { lmDir: '/tmp/evil' } }, /decoding\.lmDir is not a known field/],
  ])('refuses %j', (params, message) => {
    expect(() => checkParams('updateSettings', params)).toThrow(SchemaError);
    expect(() => checkParams('updateSettings', params)).toThrow(message);
  });
});
