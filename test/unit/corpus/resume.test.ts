import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCorpus, type CorpusOptions } from '../../../scripts/corpus/run';
import { selectSentences } from '../../../scripts/corpus/sentences';
import { verifyManifest } from '../../../scripts/corpus/store';
import { decodePcm16Wav } from '../../../scripts/corpus/wav';
import { HarkError } from '../../../src-main/engine/errors';

const lines = [
  'The little boat drifted slowly across the quiet lake.',
  'She opened the window and listened to the rain.',
  'Seven green bottles stood on the kitchen shelf.',
  'We walked home together after the long meeting.',
  'A cold wind blew through the empty streets at night.',
  'He painted the old fence a bright shade of blue.',
];

const outDir = mkdtempSync(join(tmpdir(), 'hark-corpus-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const options: CorpusOptions = {
  outDir,
  textDir: '(unused)',
  seed: 3,
  // About three train utterances and one test utterance.
  hours: { train: 0.003, dev: 0, test: 0.0008 },
  jobs: 2,
  testOnly: false,
  sentences: selectSentences({ 'lines.txt': lines }, [], { minWords: 3, maxWords: 30 }),
  // espeak-ng only, so the test is quick: m3 and f2 for training, f3 and klatt3 held out.
  installedVoices: {
    espeakVariants: new Set(['m3', 'f2', 'f3', 'klatt3']),
    flite: new Set(),
    festival: new Set(),
  },
  log: () => undefined,
};

/** The files the manifests list (verified against the disk). */
function wavFiles() {
  return (['train', 'test'] as const).flatMap((split) =>
    verifyManifest(outDir, split, 16000).map((entry) => ({
      path: join(outDir, split, entry.audio_filepath),
      entry,
    })),
  );
}

describe('corpus run (espeak-ng, real pipeline)', () => {
  it('makes a verified corpus, and a second run re-creates only what was lost', async () => {
    const first = await runCorpus(options);
    expect(first.status).toBe('complete');
    expect(first.failures.count).toBe(0);
    const files = wavFiles();
    expect(files.length).toBe(first.thisRun.rendered);
    expect(first.splits.train.written).toBeGreaterThanOrEqual(2);
    expect(first.splits.test.written).toBeGreaterThanOrEqual(1);
    // 8 % of the train hours: one short utterance beside the sentences, counted apart.
    const short = files.filter(({ entry }) => entry.audio_filepath.includes('train-short-'));
    expect(short.length).toBeGreaterThanOrEqual(1);
    expect(first.splits.train.shortUtterances.utterances).toBe(short.length);
    expect(first.splits.train.shortUtterances.hours).toBeCloseTo(
      short.reduce((sum, { entry }) => sum + entry.duration, 0) / 3600,
      6,
    );

    // Plausible speech: words per second, not silent, not clipped.
    for (const { path, entry } of files) {
      const audio = decodePcm16Wav(readFileSync(path), path);
      expect(audio.sampleRate).toBe(16000);
      const words = entry.text.split(' ').length;
      if (entry.audio_filepath.includes('train-short-')) {
        // A word or a few with the synthesizer's silence around them.
        expect(entry.duration).toBeGreaterThan(0.2 * words);
        expect(entry.duration).toBeLessThan(1.2 * words + 1);
      } else {
        expect(words / entry.duration).toBeGreaterThan(1.2);
        expect(words / entry.duration).toBeLessThan(5);
      }
      const peak = audio.samples.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
      expect(peak).toBeGreaterThan(0.05);
      expect(peak).toBeLessThan(0.9999);
    }
    const summaryFile = JSON.parse(
      readFileSync(join(outDir, 'corpus.json'), 'utf8'),
    ) as typeof first;
    expect(summaryFile.voices.heldOut.espeakVariants).toEqual(['f3', 'klatt3']);

    // Lose one file, damage another, leave a partial write behind.
    const [lost, damaged, kept] = files as [
      (typeof files)[0],
      (typeof files)[0],
      (typeof files)[0] | undefined,
    ];
    const lostBytes = readFileSync(lost.path);
    const damagedBytes = readFileSync(damaged.path);
    unlinkSync(lost.path);
    truncateSync(damaged.path, 100);
    const partial = `${lost.path}.partial-12345`;
    writeFileSync(partial, 'half a file');
    const keptMtime = kept ? statSync(kept.path).mtimeMs : 0;

    const second = await runCorpus({ ...options, jobs: 1 });
    expect(second.status).toBe('complete');
    expect(second.thisRun).toMatchObject({
      rendered: 2,
      skippedExisting: files.length - 2,
      partialRemoved: 1,
      invalidRemoved: 1,
    });
    expect(existsSync(partial)).toBe(false);
    // The same seed renders the same audio, byte for byte.
    expect(readFileSync(lost.path).equals(lostBytes)).toBe(true);
    expect(readFileSync(damaged.path).equals(damagedBytes)).toBe(true);
    if (kept) expect(statSync(kept.path).mtimeMs).toBe(keptMtime);
    expect(wavFiles().map((f) => f.entry)).toEqual(files.map((f) => f.entry));
  }, 60_000);

  it('refuses to work on a folder another live run holds', async () => {
    writeFileSync(join(outDir, '.lock'), `${process.ppid}\n`);
    try {
      await expect(runCorpus(options)).rejects.toThrow(/another corpus run/);
    } finally {
      rmSync(join(outDir, '.lock'), { force: true });
    }
  });

  it('refuses to mix a corpus of another seed into the folder', async () => {
    await expect(runCorpus({ ...options, seed: 4 })).rejects.toThrow(HarkError);
    await expect(runCorpus({ ...options, seed: 4 })).rejects.toThrow(/another seed/);
  });
});
