import { describe, expect, it } from 'vitest';
import {
  blankOffsetFor,
  BLANK_OFFSET_LIMIT,
  greedyEmissions,
  totalEmissions,
  withBlankOffset,
  type LogProbRows,
} from '../../../src-main/engine/profiles/blank-calibration';
import { seededRandom } from '../../../src-main/engine/seeded-random';

const V = 4; // three characters and the blank (the last)
const BLANK = V - 1;

/** Log-softmax rows from logits, frame by frame. */
function rows(logits: number[][]): LogProbRows {
  const data = new Float32Array(logits.length * V);
  logits.forEach((frame, t) => {
    const max = Math.max(...frame);
    const log = Math.log(frame.reduce((s, x) => s + Math.exp(x - max), 0)) + max;
    frame.forEach((x, v) => (data[t * V + v] = x - log));
  });
  return { rows: data, numFrames: logits.length };
}

/** Frames where the blank leads a character by `margin` in the logits. */
function utterance(random: () => number, frames: number): number[][] {
  return Array.from({ length: frames }, () => {
    const logits = Array.from({ length: V }, () => random());
    logits[BLANK] = logits[Math.floor(random() * BLANK)]! + random() * 1.5 - 0.3;
    return logits;
  });
}

/** The same frames with the blank's logit raised by `by`: what fine-tuning did to a profile. */
function blankRaised(logits: number[][], by: number): number[][] {
  return logits.map((frame) => frame.map((x, v) => (v === BLANK ? x + by : x)));
}

describe('greedyEmissions', () => {
  it('counts the characters greedy decoding writes: repeats merged, blanks dropped', () => {
    const hi = 5;
    // a a _ a b b _ _ c  → "a a b c" = 4 tokens; c is the runner-up on the blank's frames.
    const frames = [0, 0, BLANK, 0, 1, 1, BLANK, BLANK, 2].map((k) =>
      Array.from({ length: V }, (_, v) => (v === k ? hi : k === BLANK && v === 2 ? 1 : 0)),
    );
    expect(greedyEmissions(rows(frames), V)).toBe(4);
    expect(greedyEmissions(rows(frames), V, hi - 1.5)).toBe(4);
    // Lowered far enough, the blank's frames go to the runner-up: a a c a b b c c c = 5 tokens.
    expect(greedyEmissions(rows(frames), V, hi - 0.5)).toBe(5);
  });

  it('reads only the frames it is given', () => {
    const frames = [
      [5, 0, 0, 0],
      [0, 5, 0, 0],
    ];
    const r = rows(frames);
    expect(greedyEmissions({ rows: r.rows, numFrames: 1 }, V)).toBe(1);
  });
});

describe('blankOffsetFor', () => {
  const random = seededRandom(7);
  const base = Array.from({ length: 40 }, () => utterance(random, 30));
  const target = totalEmissions(
    base.map((u) => rows(u)),
    V,
  );

  it('finds the offset that undoes a raised blank', () => {
    for (const raised of [0.3, -0.4]) {
      const profile = base.map((u) => rows(blankRaised(u, raised)));
      expect(totalEmissions(profile, V)).not.toBe(target);
      const offset = blankOffsetFor(profile, target, V);
      expect(offset).toBeCloseTo(raised, 1);
      expect(Math.abs(totalEmissions(profile, V, offset) - target)).toBeLessThanOrEqual(
        Math.abs(totalEmissions(profile, V, raised) - target),
      );
    }
  });

  it('leaves a profile that already writes as much alone, and an empty set too', () => {
    expect(
      blankOffsetFor(
        base.map((u) => rows(u)),
        target,
        V,
      ),
    ).toBe(0);
    expect(blankOffsetFor([], 123, V)).toBe(0);
  });

  it('stays within the limit however far off the target is', () => {
    const profile = base.map((u) => rows(blankRaised(u, 2)));
    expect(blankOffsetFor(profile, target, V)).toBe(BLANK_OFFSET_LIMIT);
    expect(
      blankOffsetFor(
        base.map((u) => rows(u)),
        0,
        V,
      ),
    ).toBe(-BLANK_OFFSET_LIMIT);
  });
});

describe('withBlankOffset', () => {
  it("lowers the blank's bias (the last entry) and copies the rest", () => {
    const bias = Float32Array.of(0.5, -1, 2, 3);
    const shifted = withBlankOffset(bias, 0.25);
    expect([...shifted]).toEqual([0.5, -1, 2, 2.75]);
    expect([...bias]).toEqual([0.5, -1, 2, 3]);
  });
});
