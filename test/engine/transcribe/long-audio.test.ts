import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine';
import { writeWav16k } from '../../../src-main/engine/audio';
import type { Progress, Word } from '../../../src-main/engine/types';
import { writeModelFolder } from '../../helpers/tiny-models';
import { speechDetectorModel, toneAlphabetModel } from './detector-models';
import { espeakWord, mixAt, seededRandom, toneBurst } from './synth-audio';

const WINDOWING = { windowSec: 4, contextSec: 1 };
const TONES: Record<string, number> = {
  a: 400,
  b: 700,
  c: 1100,
  d: 1600,
  e: 2300,
  f: 3200,
  g: 4400,
  h: 6000,
};

interface Expected {
  text: string;
  startSec: number;
  endSec: number;
}

/** Words whose span contains a multiple of the core length: cut by a window edge. */
function straddling(words: readonly Expected[], windowSec: number): Expected[] {
  return words.filter(
    (w) => Math.floor(w.startSec / windowSec) !== Math.floor(w.endSec / windowSec),
  );
}

function allWords(segments: { words: Word[] }[]): Word[] {
  return segments.flatMap((segment) => segment.words);
}

/**
 * Random words over letters a-h (no letter twice in a row) as tone runs with pauses between;
 * every other word is centred on the next window edge when it can be, so many words are cut.
 */
function toneScript(seed: number, count: number): { samples: Float32Array; words: Expected[] } {
  const random = seededRandom(seed);
  const letters = Object.keys(TONES);
  const parts: { startSec: number; samples: Float32Array }[] = [];
  const words: Expected[] = [];
  let time = 0.6;
  for (let w = 0; w < count; w++) {
    const length = 2 + Math.floor(random() * 3);
    const letterSec: number[] = [];
    let text = '';
    while (text.length < length) {
      const letter = letters[Math.floor(random() * letters.length)]!;
      if (letter === text.at(-1)) continue;
      text += letter;
      letterSec.push(0.1 + 0.06 * random());
    }
    const wordSec = letterSec.reduce((sum, d) => sum + d, 0);
    const edge = Math.ceil(time / WINDOWING.windowSec) * WINDOWING.windowSec;
    if (w % 2 === 0 && edge - wordSec / 2 >= time) time = edge - wordSec / 2;
    const startSec = time;
    [...text].forEach((letter, i) => {
      const durationSec = letterSec[i]!;
      parts.push({
        startSec: time,
        samples: toneBurst({ frequencyHz: TONES[letter]!, durationSec }),
      });
      time += durationSec;
    });
    words.push({ text, startSec, endSec: time });
    time += 0.25 + random();
  }
  return { samples: mixAt(time + 0.5, parts, seed), words };
}

describe('long audio in windows', () => {
  let dir: string;
  let toneEngine: Engine;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hark-long-'));
    const modelDir = writeModelFolder(join(dir, 'tones'), toneAlphabetModel(TONES));
    toneEngine = await Engine.create({ modelDir, device: 'cpu', threads: 1, windowing: WINDOWING });
  });

  afterAll(async () => {
    await toneEngine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decodes every word once, in order, with times within 80 ms, across many window edges', async () => {
    const { samples, words } = toneScript(7, 40);
    expect(samples.length / 16000).toBeGreaterThan(8 * WINDOWING.windowSec);
    expect(straddling(words, WINDOWING.windowSec).length).toBeGreaterThanOrEqual(5);
    const file = join(dir, 'tones.wav');
    await writeWav16k(file, samples);

    const transcript = await toneEngine.transcribeFile(file);
    const decoded = allWords(transcript.segments);
    expect(decoded.map((w) => w.text)).toEqual(words.map((w) => w.text));
    decoded.forEach((word, i) => {
      expect(Math.abs(word.startSec - words[i]!.startSec)).toBeLessThan(0.08);
      expect(Math.abs(word.endSec - words[i]!.endSec)).toBeLessThan(0.08);
      expect(word.confidence).toBeGreaterThan(0.5);
      expect(word.confidence).toBeLessThanOrEqual(1);
    });
    expect(transcript.text).toBe(words.map((w) => w.text).join(' '));
    expect(transcript.audio.durationSec).toBeCloseTo(samples.length / 16000, 3);
    expect(transcript.realTimeFactor).toBeGreaterThan(0);
  });

  it('reports monotonic progress with an ETA, ending at exactly 1', async () => {
    const { samples } = toneScript(3, 12);
    const events: Progress[] = [];
    await toneEngine.transcribeSamples(samples, { onProgress: (p) => events.push({ ...p }) });
    const windows = Math.floor(samples.length / 16000 / WINDOWING.windowSec);
    expect(events.length).toBeGreaterThanOrEqual(windows + 1);
    expect(events[0]!.fraction).toBe(0);
    expect(events.at(-1)!.fraction).toBe(1);
    expect(events.at(-1)!.etaSec).toBe(0);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.fraction).toBeGreaterThanOrEqual(events[i - 1]!.fraction);
      expect(events[i]!.processedSec).toBeGreaterThanOrEqual(events[i - 1]!.processedSec);
    }
    for (const event of events.slice(1)) expect(event.etaSec).toBeGreaterThanOrEqual(0);
    expect(events.at(-1)!.processedSec).toBeCloseTo(samples.length / 16000, 2);
  });

  it('stops within one window when aborted and rejects with CANCELLED', async () => {
    const { samples } = toneScript(5, 30);
    const controller = new AbortController();
    let eventsAfterAbort = 0;
    const run = toneEngine.transcribeSamples(samples, {
      signal: controller.signal,
      onProgress: (p) => {
        if (controller.signal.aborted) eventsAfterAbort++;
        // Abort once two windows are done, with most of the file still to go.
        else if (p.processedSec >= 2 * WINDOWING.windowSec) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(controller.signal.aborted).toBe(true);
    expect(eventsAfterAbort).toBe(0);
  });

  it('rejects an already aborted request and empty samples', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      toneEngine.transcribeSamples(new Float32Array(16000), { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(toneEngine.transcribeSamples(new Float32Array(0))).rejects.toMatchObject({
      code: 'WAV_NO_SAMPLES',
    });
  });

  it('hears each espeak-ng word once and in order over several windows, as one pass would', async () => {
    const spoken = [
      'morning',
      'yellow',
      'lemon',
      'window',
      'summer',
      'hollow',
      'melon',
      'rainy',
      'mellow',
      'arrow',
      'lonely',
      'marina',
      'humming',
      'ruler',
      'normal',
      'nylon',
      'willow',
      'airline',
    ];
    const random = seededRandom(11);
    const parts: { startSec: number; samples: Float32Array }[] = [];
    const expected: Expected[] = [];
    let time = 0.5;
    for (const word of spoken) {
      const samples = await espeakWord(word);
      parts.push({ startSec: time, samples });
      expected.push({ text: word, startSec: time, endSec: time + samples.length / 16000 });
      time += samples.length / 16000 + 0.35 + 0.6 * random();
    }
    const audio = mixAt(time + 0.4, parts, 2);
    expect(audio.length / 16000).toBeGreaterThan(4 * WINDOWING.windowSec);
    expect(straddling(expected, WINDOWING.windowSec).length).toBeGreaterThanOrEqual(2);

    const modelDir = writeModelFolder(
      join(dir, 'speech'),
      speechDetectorModel({ threshold: -0.3 }),
    );
    const windowed = await Engine.create({
      modelDir,
      device: 'cpu',
      threads: 1,
      windowing: WINDOWING,
    });
    const onePass = await Engine.create({
      modelDir,
      device: 'cpu',
      threads: 1,
      windowing: { windowSec: 600 },
    });
    try {
      const heard = allWords((await windowed.transcribeSamples(audio)).segments);
      expect(heard).toHaveLength(spoken.length);
      heard.forEach((word, i) => {
        expect(Math.abs(word.startSec - expected[i]!.startSec)).toBeLessThan(0.1);
        expect(Math.abs(word.endSec - expected[i]!.endSec)).toBeLessThan(0.1);
      });
      const whole = allWords((await onePass.transcribeSamples(audio)).segments);
      expect(whole).toHaveLength(heard.length);
      whole.forEach((word, i) => {
        expect(Math.abs(word.startSec - heard[i]!.startSec)).toBeLessThanOrEqual(0.08);
        expect(Math.abs(word.endSec - heard[i]!.endSec)).toBeLessThanOrEqual(0.08);
      });
    } finally {
      await windowed.dispose();
      await onePass.dispose();
    }
  });
});
