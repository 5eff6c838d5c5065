import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../../src-main/engine/engine';
import type { LogMelFeatures } from '../../../src-main/engine/features';
import { AcousticModel } from '../../../src-main/engine/model/acoustic-model';
import { loadModelFolder } from '../../../src-main/engine/model/model-folder';
import { GREEDY_DECODING, prepareDecoding } from '../../../src-main/engine/transcribe/decoding';
import { transcribeStream } from '../../../src-main/engine/transcribe/transcribe-stream';
import { writeModelFolder } from '../../helpers/tiny-models';
import { toneAlphabetModel } from './detector-models';
import { mixAt, toneBurst } from './synth-audio';

const TONES = { a: 500, b: 1200, c: 2500 };
const WINDOWING = { windowSec: 20, contextSec: 2 };

async function* chunks(samples: Float32Array): AsyncGenerator<Float32Array> {
  for (let i = 0; i < samples.length; i += 16000) yield samples.slice(i, i + 16000);
}

/** Letters as 0.3 s tones, each at its time, over quiet white noise (about −60 dBFS). */
function tones(totalSec: number, letters: { letter: keyof typeof TONES; atSec: number }[]) {
  return mixAt(
    totalSec,
    letters.map(({ letter, atSec }) => ({
      startSec: atSec,
      samples: toneBurst({ frequencyHz: TONES[letter], durationSec: 0.3 }),
    })),
  );
}

/** The model, counting the windows it is run on. */
async function countingModel(modelDir: string): Promise<{ model: AcousticModel; runs: number[] }> {
  const model = await AcousticModel.open(await loadModelFolder(modelDir), {
    device: 'cpu',
    threads: 1,
  });
  const runs: number[] = [];
  const logProbs = model.logProbs.bind(model);
  model.logProbs = (features: LogMelFeatures) => {
    runs.push(features.numFrames);
    return logProbs(features);
  };
  return { model, runs };
}

describe('windows without speech', () => {
  let dir: string;
  let wordStartModel: { model: AcousticModel; runs: number[] };
  let blankModel: { model: AcousticModel; runs: number[] };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hark-non-speech-'));
    wordStartModel = await countingModel(
      writeModelFolder(join(dir, 'word-start'), toneAlphabetModel(TONES)),
    );
    blankModel = await countingModel(
      writeModelFolder(join(dir, 'blank'), toneAlphabetModel(TONES, -9, 'blank')),
    );
  });

  afterAll(async () => {
    await wordStartModel.model.dispose();
    await blankModel.model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are not run through the model, and the words around them keep their times', async () => {
    // Windows: cores 0–20, 20–40, 40–61 s; the second (18–42 s with context) is only noise.
    const samples = tones(61, [
      { letter: 'a', atSec: 2 },
      { letter: 'b', atSec: 2.3 },
      { letter: 'c', atSec: 50 },
    ]);
    const { model, runs } = wordStartModel;
    runs.length = 0;
    const gated = await transcribeStream(chunks(samples), {
      model,
      durationSec: 61,
      windowing: WINDOWING,
    });
    expect(gated.windows).toBe(3);
    expect(gated.skippedWindows).toBe(1);
    expect(runs).toHaveLength(2);
    expect(gated.text).toBe('ab c');
    const words = gated.segments.flatMap((s) => s.words);
    expect(words.map((w) => w.text)).toEqual(['ab', 'c']);
    expect(words[0]!.startSec).toBeCloseTo(2, 1);
    expect(words[1]!.startSec).toBeCloseTo(50, 1);
    expect(words[1]!.endSec).toBeCloseTo(50.3, 1);

    runs.length = 0;
    const ungated = await transcribeStream(chunks(samples), {
      model,
      durationSec: 61,
      windowing: WINDOWING,
      skipNonSpeech: false,
    });
    expect(ungated.skippedWindows).toBe(0);
    expect(runs).toHaveLength(3);
    expect(ungated.segments).toEqual(gated.segments);
  });

  it('give nothing for a file of digital silence or of steady noise, without running the model', async () => {
    const { model, runs } = wordStartModel;
    runs.length = 0;
    for (const samples of [new Float32Array(16000 * 45), mixAt(45, [])]) {
      const result = await transcribeStream(chunks(samples), {
        model,
        durationSec: 45,
        windowing: WINDOWING,
      });
      expect(result.text).toBe('');
      expect(result.segments).toEqual([]);
      expect(result.skippedWindows).toBe(result.windows);
      expect(result.processedSec).toBeCloseTo(45, 3);
    }
    expect(runs).toHaveLength(0);
  });

  it('are run through the model by an engine asked not to skip them', async () => {
    const modelDir = writeModelFolder(join(dir, 'engine'), toneAlphabetModel(TONES));
    const engine = await Engine.create({ modelDir, device: 'cpu', threads: 1 });
    const runs = vi.spyOn(AcousticModel.prototype, 'logProbs');
    try {
      const noise = mixAt(30, []);
      const gated = await engine.transcribeSamples(noise);
      expect(gated.text).toBe('');
      expect(runs).not.toHaveBeenCalled();
      await engine.transcribeSamples(noise, { skipNonSpeech: false });
      expect(runs).toHaveBeenCalledTimes(2);
    } finally {
      runs.mockRestore();
      await engine.dispose();
    }
  });

  it('end a word the speech before them left open, for greedy and beam decoding alike', async () => {
    // A model that writes blanks, never a boundary, in the quiet: "a" at 17 s and "b" at 45 s
    // would read as one word "ab" if nothing ended the first at the pause.
    const samples = tones(50, [
      { letter: 'a', atSec: 17 },
      { letter: 'b', atSec: 45 },
    ]);
    const { model } = blankModel;
    const beam = await prepareDecoding({ method: 'beam', lmDir: null });
    const read = async (skipNonSpeech: boolean) =>
      transcribeStream(chunks(samples), {
        model,
        durationSec: 50,
        windowing: WINDOWING,
        decodings: [GREEDY_DECODING, beam],
        skipNonSpeech,
      });
    const gated = await read(true);
    expect(gated.skippedWindows).toBe(1);
    for (const decoded of gated.decoded) {
      const words = decoded.segments.flatMap((s) => s.words);
      expect(words.map((w) => w.text)).toEqual(['a', 'b']);
      expect(words[0]!.endSec).toBeLessThan(17.5);
      expect(words[1]!.startSec).toBeGreaterThan(44.9);
    }
    const ungated = await read(false);
    for (const decoded of ungated.decoded) expect(decoded.text).toBe('ab');
  });
});
