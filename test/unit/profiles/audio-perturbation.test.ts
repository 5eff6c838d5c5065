import { describe, expect, it } from 'vitest';
import { atSpeed } from '../../../src-main/engine/profiles/audio-perturbation';

const RATE = 16_000;

function tone(hz: number, seconds = 1): Float32Array {
  return Float32Array.from({ length: RATE * seconds }, (_, i) =>
    Math.sin((2 * Math.PI * hz * i) / RATE),
  );
}

/** Rising zero crossings per second of the middle half. */
function frequency(samples: Float32Array): number {
  const from = Math.floor(samples.length / 4);
  const to = Math.floor((3 * samples.length) / 4);
  let crossings = 0;
  for (let i = from + 1; i < to; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) crossings++;
  return (crossings * RATE) / (to - from);
}

describe('atSpeed', () => {
  it('plays audio faster and higher, or slower and lower, at the same rate', () => {
    const faster = atSpeed(tone(440), 1.1);
    expect(faster.length).toBeGreaterThan(RATE / 1.1 - 50);
    expect(faster.length).toBeLessThan(RATE / 1.1 + 50);
    expect(frequency(faster)).toBeCloseTo(484, -1);
    const slower = atSpeed(tone(440), 0.9);
    expect(slower.length).toBeGreaterThan(RATE / 0.9 - 50);
    expect(frequency(slower)).toBeCloseTo(396, -1);
  });

  it('leaves audio at speed 1 as it is', () => {
    const audio = tone(300);
    expect(atSpeed(audio, 1)).toBe(audio);
  });
});
