/**
 * Beam search and the language model wired into the engine: WAV → windows → ONNX Runtime → one
 * prefix beam search per file. Checked on models whose output a test controls: letters as tones
 * (beam without an LM must read what greedy reads, with the same times, across window edges) and
 * a fixed table of log-probs where the audio slightly prefers a common word ("gate") to a rare
 * name ("kate") (hotwords per engine and per file, LM weights from the LM's card).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type EngineOptions } from '../../../src-main/engine';
import { writeWav16k } from '../../../src-main/engine/audio';
import { DEFAULT_BEAM_OPTIONS } from '../../../src-main/engine/decode/beam';
import { buildKneserNey, formatArpa } from '../../../src-main/engine/lm';
import { DEFAULT_DECODING } from '../../../src-main/engine/transcribe/decoding-defaults';
import type { Word } from '../../../src-main/engine/types';
import { tokensTxt, writeModelFolder } from '../../helpers/tiny-models';
import { toneAlphabetModel } from './detector-models';
import { mixAt, seededRandom, toneBurst } from './synth-audio';
import {
  spell,
  TABLE_FACTOR,
  TABLE_FRAME_SEC,
  TABLE_TOKENS,
  tableModel,
  tableRows,
} from './table-model';
import { Vocabulary } from '../../../src-main/engine/decode';
import {
  GREEDY_DECODING,
  prepareDecoding,
  type PreparedDecoding,
} from '../../../src-main/engine/transcribe/decoding';
import { createFrameDecoder } from '../../../src-main/engine/transcribe/frame-decoders';

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
const WINDOWING = { windowSec: 4, contextSec: 1 };

let dir: string;
const engines: Engine[] = [];

async function engine(options: Omit<EngineOptions, 'device' | 'threads'>): Promise<Engine> {
  const created = await Engine.create({ ...options, device: 'cpu', threads: 1 });
  engines.push(created);
  return created;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hark-beam-engine-'));
});

afterAll(async () => {
  for (const e of engines) await e.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Random words over the tone letters (no letter twice in a row), with pauses between them. */
function toneWords(seed: number, count: number): { samples: Float32Array; words: string[] } {
  const random = seededRandom(seed);
  const letters = Object.keys(TONES);
  const parts: { startSec: number; samples: Float32Array }[] = [];
  const words: string[] = [];
  let time = 0.5;
  for (let w = 0; w < count; w++) {
    let text = '';
    while (text.length < 2 + Math.floor(random() * 3)) {
      const letter = letters[Math.floor(random() * letters.length)]!;
      if (letter === text.at(-1)) continue;
      text += letter;
      const durationSec = 0.1 + 0.06 * random();
      parts.push({
        startSec: time,
        samples: toneBurst({ frequencyHz: TONES[letter]!, durationSec }),
      });
      time += durationSec;
    }
    words.push(text);
    time += 0.25 + 0.8 * random();
  }
  return { samples: mixAt(time + 0.5, parts, seed), words };
}

const wordsOf = (segments: { words: Word[] }[]): Word[] => segments.flatMap((s) => s.words);

/** A language-model folder: ARPA text and a card with tuned weights. */
function writeLanguageModel(name: string, sentences: string[], card: object): string {
  const lmDir = join(dir, name);
  mkdirSync(lmDir);
  const model = buildKneserNey(
    sentences.map((s) => s.split(' ')),
    { order: 3 },
  ).model;
  writeFileSync(join(lmDir, 'lm.arpa'), formatArpa(model));
  writeFileSync(join(lmDir, 'lm.json'), JSON.stringify(card));
  return lmDir;
}

describe('beam search in the engine', () => {
  it('reads what greedy reads, with the same times and confidences, across window edges, from one model run', async () => {
    const modelDir = writeModelFolder(join(dir, 'tones'), toneAlphabetModel(TONES));
    const beam = await engine({ modelDir, windowing: WINDOWING, decoding: { method: 'beam' } });
    const { samples, words } = toneWords(5, 30);
    expect(samples.length / 16000).toBeGreaterThan(6 * WINDOWING.windowSec);
    const file = join(dir, 'tones.wav');
    await writeWav16k(file, samples);

    const transcript = await beam.transcribeFile(file, { compareWith: ['greedy'] });
    expect(transcript.decoding).toEqual({
      method: 'beam',
      beamWidth: DEFAULT_DECODING.beamWidth,
      languageModel: null,
      hotwords: 0,
    });
    expect(transcript.text).toBe(words.join(' '));
    const greedy = transcript.alternatives?.[0];
    expect(greedy?.decoding).toEqual({ method: 'greedy' });
    expect(greedy?.text).toBe(words.join(' '));
    expect(greedy!.decodingSec).toBeGreaterThan(0);
    expect(transcript.timings.decodingSec).toBeGreaterThan(0);

    const beamWords = wordsOf(transcript.segments);
    const greedyWords = wordsOf(greedy!.segments);
    expect(beamWords).toHaveLength(greedyWords.length);
    beamWords.forEach((word, i) => {
      const other = greedyWords[i]!;
      expect(Math.abs(word.startSec - other.startSec)).toBeLessThanOrEqual(0.04 + 1e-9);
      expect(Math.abs(word.endSec - other.endSec)).toBeLessThanOrEqual(0.04 + 1e-9);
      expect(Math.abs(word.confidence - other.confidence)).toBeLessThan(0.05);
    });

    // The same engine decoding alone gives the same transcript as with a comparison.
    expect((await beam.transcribeFile(file)).text).toBe(transcript.text);
  });

  it('keeps its default beam width equal to the search default', () => {
    expect(DEFAULT_DECODING.beamWidth).toBe(DEFAULT_BEAM_OPTIONS.beamWidth);
  });

  it('refuses bad decoding options with errors that say what is wrong', async () => {
    const modelDir = writeModelFolder(join(dir, 'tones-2'), toneAlphabetModel(TONES));
    await expect(
      Engine.create({ modelDir, decoding: { method: 'beam', beamWidth: 0 } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: /beam width/ });
    await expect(
      Engine.create({ modelDir, decoding: { method: 'greedy', hotwords: ['kate'] } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: /hotwords need beam/ });
    await expect(
      Engine.create({ modelDir, decoding: { method: 'beam', lmDir: join(dir, 'no-lm') } }),
    ).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', file: join(dir, 'no-lm') });
    const badCard = writeLanguageModel('bad-card', ['a b'], { decoding: { alpha: 'high' } });
    await expect(
      Engine.create({ modelDir, decoding: { method: 'beam', lmDir: badCard } }),
    ).rejects.toMatchObject({ code: 'MODEL_INVALID', file: join(badCard, 'lm.json') });
    const greedy = await engine({ modelDir });
    await expect(
      greedy.transcribeSamples(new Float32Array(16000), { hotwords: ['kate'] }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('frame decoders', () => {
  it('keep a gap in the frame numbers on the time line, beam as greedy', async () => {
    const vocabulary = Vocabulary.parse(tokensTxt(TABLE_TOKENS), 'tokens.txt');
    const first = tableRows([{ '.': 0.9 }, ...spell('ab ')]);
    const second = tableRows([...spell('cd'), { '.': 0.9 }]);
    const words = (decoding: PreparedDecoding) => {
      const decoder = createFrameDecoder(decoding, { vocabulary, frameSec: TABLE_FRAME_SEC });
      decoder.push(first, 7, 0);
      decoder.push(second, 5, 20); // frames 7..19 never came
      return decoder.finish();
    };
    const greedy = words(GREEDY_DECODING);
    expect(greedy.map((w) => [w.text, w.startSec])).toEqual([
      ['ab', 1 * TABLE_FRAME_SEC],
      ['cd', 20 * TABLE_FRAME_SEC],
    ]);
    expect(words(await prepareDecoding({ method: 'beam' }))).toEqual(greedy);
  });

  it('let only the best maxTokensPerFrame tokens of a frame start prefixes', async () => {
    // P("b") = .33·.5 + .33·.5 + .33·.5 = .495 beats "a" and "ab" (.17 each), but in the first
    // frame "b" is only the second most likely token.
    const rows = tableRows([
      { a: 0.34, b: 0.33, '.': 0.33 },
      { b: 0.5, '.': 0.5 },
    ]);
    const vocabulary = Vocabulary.parse(tokensTxt(TABLE_TOKENS), 'tokens.txt');
    const text = async (maxTokensPerFrame?: number) => {
      const decoding = await prepareDecoding({ method: 'beam', maxTokensPerFrame });
      const decoder = createFrameDecoder(decoding, { vocabulary, frameSec: TABLE_FRAME_SEC });
      decoder.push(rows, 2, 0);
      return decoder.finish().map((w) => w.text);
    };
    expect((await prepareDecoding({ method: 'beam' })).maxTokensPerFrame).toBe(
      DEFAULT_DECODING.maxTokensPerFrame,
    );
    expect(await text()).toEqual(['b']);
    expect(await text(2)).toEqual(['b']);
    expect(await text(1)).not.toEqual(['b']);
    await expect(prepareDecoding({ method: 'beam', maxTokensPerFrame: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: /maxTokensPerFrame/,
    });
  });
});

describe('a rare name, a language model and hotwords through the engine', () => {
  // The audio slightly prefers "gate" (0.5) to "kate" (0.44) after "open the".
  const frames = [{ '.': 0.9 }, ...spell('open the '), { g: 0.5, k: 0.44 }, ...spell('ate')];
  // The table model ignores its input: the audio only has to pass the non-speech gate (a tone
  // burst over quiet noise; digital silence would be skipped).
  const samples = mixAt((frames.length + 4) * TABLE_FACTOR * 0.01, [
    { startSec: 0.05, samples: toneBurst({ frequencyHz: 700, durationSec: 0.1 }) },
  ]);
  let modelDir: string;
  let lmDir: string;

  beforeAll(() => {
    modelDir = writeModelFolder(join(dir, 'table'), tableModel(frames));
    lmDir = writeLanguageModel(
      'tiny-lm',
      ['open the gate', 'the gate is open', 'open the door', 'close the gate'],
      { name: 'tiny-lm', decoding: { alpha: 0.7, beta: 2.5 } },
    );
  });

  it('takes α and β from the LM card unless given, and reports them', async () => {
    const tuned = await engine({ modelDir, decoding: { method: 'beam', lmDir, beamWidth: 8 } });
    expect(tuned.decodingInfo).toEqual({
      method: 'beam',
      beamWidth: 8,
      languageModel: { name: 'tiny-lm', path: lmDir },
      alpha: 0.7,
      beta: 2.5,
      hotwords: 0,
    });
    const given = await engine({ modelDir, decoding: { method: 'beam', lmDir, alpha: 0.2 } });
    expect(given.decodingInfo).toMatchObject({ alpha: 0.2, beta: 2.5 });
    expect((await given.transcribeSamples(samples)).decoding).toEqual(given.decodingInfo);
  });

  it('gives the rare name with the hotword, per file or per engine, and the common word without', async () => {
    const greedy = await engine({ modelDir });
    expect((await greedy.transcribeSamples(samples)).text).toBe('open the gate');

    const withLm = await engine({ modelDir, decoding: { method: 'beam', lmDir } });
    expect((await withLm.transcribeSamples(samples)).text).toBe('open the gate');
    const boosted = await withLm.transcribeSamples(samples, { hotwords: ['Kate'] });
    expect(boosted.text).toBe('open the kate');
    expect(boosted.decoding?.hotwords).toBe(1);
    // The file's hotwords do not stay with the engine.
    expect((await withLm.transcribeSamples(samples)).text).toBe('open the gate');

    const named = await engine({
      modelDir,
      decoding: { method: 'beam', lmDir, hotwords: [{ phrase: 'kate', boost: 2 }] },
    });
    const result = await named.transcribeSamples(samples, { compareWith: ['greedy'] });
    expect(result.text).toBe('open the kate');
    expect(result.alternatives?.[0]?.text).toBe('open the gate');

    // Words keep start, end and confidence through the beam: "kate" spans its four letters.
    const kate = wordsOf(result.segments)[2]!;
    expect(kate.text).toBe('kate');
    expect(kate.startSec).toBeCloseTo(19 * TABLE_FRAME_SEC, 6);
    expect(kate.endSec).toBeCloseTo(25 * TABLE_FRAME_SEC, 6);
    expect(kate.confidence).toBeCloseTo((0.44 + 0.85 * 3) / 4, 4);
    const gate = wordsOf(result.alternatives![0]!.segments)[2]!;
    expect([gate.startSec, gate.endSec]).toEqual([kate.startSec, kate.endSec]);
  });
});
