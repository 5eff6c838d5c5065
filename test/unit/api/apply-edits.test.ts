import { describe, expect, it } from 'vitest';
import { applyEdits, cleanCorrection, wordKey } from '../../../src-main/api/apply-edits';
import type { Transcript } from '../../../src-main/api/contract';

function transcript(segments: string[][]): Transcript {
  let time = 0;
  return {
    text: segments.map((words) => words.join(' ')).join(' '),
    segments: segments.map((words) => {
      const timed = words.map((text) => ({
        text,
        startSec: time,
        endSec: (time += 0.5),
        confidence: 0.9,
      }));
      return {
        text: words.join(' '),
        startSec: timed[0]?.startSec ?? 0,
        endSec: time,
        confidence: 0.9,
        words: timed,
      };
    }),
    model: { name: 'm', path: '/m' },
    device: { provider: 'cpu', rejected: [] },
    audio: { path: '/a.wav', durationSec: time, sampleRate: 16000, channels: 1, format: 'pcm16' },
    realTimeFactor: 0.1,
    timings: { audioSec: 0, featuresSec: 0, modelSec: 0, decodingSec: 0, totalSec: 0 },
  };
}

describe('applyEdits', () => {
  const original = transcript([
    ['hello', 'wold'],
    ['this', 'is', 'hark'],
  ]);

  it('replaces corrected words, rebuilds the texts, and keeps times', () => {
    const edited = applyEdits(original, { [wordKey(0, 1)]: 'world', [wordKey(1, 2)]: '  Hark ' });
    expect(edited.text).toBe('hello world this is Hark');
    expect(edited.segments[0]?.text).toBe('hello world');
    expect(edited.segments[1]?.words[2]).toEqual({
      ...original.segments[1]?.words[2],
      text: 'Hark',
    });
  });

  it('removes a word corrected to nothing', () => {
    const edited = applyEdits(original, { '1:1': '' });
    expect(edited.segments[1]?.words.map((word) => word.text)).toEqual(['this', 'hark']);
    expect(edited.text).toBe('hello wold this hark');
  });

  it('never changes the model output it was given', () => {
    const before = JSON.stringify(original);
    applyEdits(original, { '0:0': 'HELLO' });
    expect(JSON.stringify(original)).toBe(before);
    expect(applyEdits(original, {})).toBe(original);
  });

  it('cleans typed corrections to one line', () => {
    expect(cleanCorrection('  New \n  York\t')).toBe('New York');
  });
});
