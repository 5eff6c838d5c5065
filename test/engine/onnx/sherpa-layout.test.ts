import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSpellingModel, writeModelFolder } from '../../helpers/tiny-models';

/** The part of sherpa-onnx-node (untyped CommonJS) this test uses. */
interface SherpaOfflineRecognizer {
  createStream(): { acceptWaveform(wave: { samples: Float32Array; sampleRate: number }): void };
  decode(stream: unknown): void;
  getResult(stream: unknown): { text: string; tokens: string[]; timestamps: number[] };
}
interface SherpaModule {
  OfflineRecognizer: new (config: object) => SherpaOfflineRecognizer;
}

const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as SherpaModule;
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe("models built with Hark's GraphBuilder load in sherpa-onnx as NeMo CTC", () => {
  it('sherpa-onnx spells what the spelling model spells, truncated by the audio length', () => {
    const model = buildSpellingModel({ text: 'hello world', framesPerToken: 2 });
    const dir = writeModelFolder(mkdtempSync(join(tmpdir(), 'hark-sherpa-')), model);
    dirs.push(dir);
    const recognizer = new sherpa.OfflineRecognizer({
      featConfig: { sampleRate: 16000, featureDim: 80 },
      modelConfig: {
        nemoCtc: { model: join(dir, 'model.onnx') },
        tokens: join(dir, 'tokens.txt'),
        numThreads: 1,
        provider: 'cpu',
      },
    });
    const transcribe = (seconds: number) => {
      const stream = recognizer.createStream();
      const samples = Float32Array.from(
        { length: 16000 * seconds },
        (_, i) => 0.1 * Math.sin(i / 9),
      );
      stream.acceptWaveform({ samples, sampleRate: 16000 });
      recognizer.decode(stream);
      return recognizer.getResult(stream);
    };

    const full = transcribe(1.5);
    expect(full.text).toBe('hello world');
    // One token every 2 output frames of 4 × 10 ms.
    full.timestamps.forEach((t, i) => expect(t).toBeCloseTo(i * 0.08, 5));
    // ~0.5 s = ~48 feature frames = 12 output frames = 6 tokens.
    expect(transcribe(0.5).tokens).toEqual(['h', 'e', 'l', 'l', 'o', ' ']);
  });
});
