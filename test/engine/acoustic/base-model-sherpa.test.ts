import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAudioWhole } from '../../../src-main/engine/audio';
import { Engine } from '../../../src-main/engine/engine';

/** The part of sherpa-onnx-node (untyped CommonJS) this test uses. */
interface SherpaOfflineRecognizer {
  createStream(): { acceptWaveform(wave: { samples: Float32Array; sampleRate: number }): void };
  decode(stream: unknown): void;
  getResult(stream: unknown): { text: string };
}
const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as {
  OfflineRecognizer: new (config: object) => SherpaOfflineRecognizer;
};

const modelDir = resolve(__dirname, '../../../models/base-en');
const dir = mkdtempSync(join(tmpdir(), 'hark-base-sherpa-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SENTENCES = [
  ['en-us', 'the quick brown fox jumps over the lazy dog'],
  ['en', 'please call stella and ask her to bring these things'],
  ['en-gb-scotland', 'we will meet at the station at seven in the evening'],
];

describe('the embedded base model', () => {
  it('gives the same transcripts in sherpa-onnx as in Hark (same layout, same front end)', async () => {
    const recognizer = new sherpa.OfflineRecognizer({
      featConfig: { sampleRate: 16000, featureDim: 80 },
      modelConfig: {
        nemoCtc: { model: join(modelDir, 'model.onnx') },
        tokens: join(modelDir, 'tokens.txt'),
        numThreads: 1,
        provider: 'cpu',
      },
    });
    const engine = await Engine.create({ modelDir, device: 'cpu', threads: 1 });
    try {
      let nonEmpty = 0;
      for (const [index, [voice, text]] of SENTENCES.entries()) {
        const file = join(dir, `sentence-${index}.wav`);
        execFileSync('espeak-ng', ['-v', voice!, '-w', file, text!]);
        const { samples } = await readAudioWhole(file);
        const stream = recognizer.createStream();
        stream.acceptWaveform({ samples, sampleRate: 16000 });
        recognizer.decode(stream);
        const theirs = recognizer.getResult(stream).text.trim();
        const ours = (await engine.transcribeFile(file)).text;
        expect(ours).toBe(theirs);
        if (ours.length > 0) nonEmpty++;
      }
      // The model must actually say something for the comparison to mean anything.
      expect(nonEmpty).toBe(SENTENCES.length);
    } finally {
      await engine.dispose();
    }
  });
});
