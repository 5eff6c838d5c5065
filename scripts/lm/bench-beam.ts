/**
 * Beam search benchmark: decoding time per second of audio against the acoustic model's, and
 * word error rates of greedy, beam and beam + LM decoding on simulated CTC output for LM
 * held-out sentences (see simulated-ctc.ts: these measure the decoder, not recognition).
 * With `--tune`, α and β are chosen on one half of the sentences (dev) and reported on the other
 * (test). Prints figures; asserts nothing.
 *
 *   npx tsx scripts/lm/bench-beam.ts [--lm models/lm-en] [--model models/base-en]
 *       [--sentences 200] [--tune] [--text-dir ../shared/data/text]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Vocabulary, greedyCtcDecode, tokensToWords } from '../../src-main/engine/decode';
import {
  beamSearchDecode,
  DEFAULT_BEAM_OPTIONS,
  DEFAULT_LM_WEIGHTS,
} from '../../src-main/engine/decode/beam';
import { characterTokensFile } from '../../src-main/engine/dataset/character-tokens';
import { loadLanguageModel, type NgramModel } from '../../src-main/engine/lm';
import { AcousticModel } from '../../src-main/engine/model/acoustic-model';
import { loadModelFolder } from '../../src-main/engine/model/model-folder';
import { wordErrorRate } from '../../src-main/engine/text/error-rate';
import { writeBenchModel } from '../bench-model';
import { readLmCorpus } from './lm-corpus';
import { seededRandom, simulateCtc } from './simulated-ctc';

const FRAME_SEC = 0.04;

const { values } = parseArgs({
  options: {
    lm: { type: 'string', default: 'models/lm-en' },
    model: { type: 'string' },
    sentences: { type: 'string', default: '200' },
    tune: { type: 'boolean', default: false },
    'text-dir': { type: 'string', default: '../shared/data/text' },
  },
});

interface Utterance {
  text: string;
  logProbs: Float32Array;
  numFrames: number;
}

interface Decoded {
  wer: number;
  msPerAudioSec: number;
}

function decodeAll(utterances: readonly Utterance[], decode: (u: Utterance) => string): Decoded {
  const hypotheses: string[] = [];
  const started = performance.now();
  for (const u of utterances) hypotheses.push(decode(u));
  const ms = performance.now() - started;
  const audioSec = utterances.reduce((sum, u) => sum + u.numFrames * FRAME_SEC, 0);
  const wer = wordErrorRate(
    utterances.map((u) => u.text),
    hypotheses,
  ).rate;
  return { wer, msPerAudioSec: ms / audioSec };
}

function beam(
  vocab: Vocabulary,
  options: { beamWidth: number; lm?: NgramModel; alpha?: number; beta?: number },
) {
  return (u: Utterance): string =>
    beamSearchDecode(u.logProbs, { numFrames: u.numFrames, vocab, frameSec: FRAME_SEC, ...options })
      .text;
}

/** Milliseconds the acoustic model spends per second of audio, on a 20 s window. */
async function modelMsPerAudioSec(dir: string): Promise<{ name: string; ms: number }> {
  const folder = await loadModelFolder(dir);
  const model = await AcousticModel.open(folder, { device: 'cpu' });
  const numFrames = 2000;
  const data = Float32Array.from({ length: 80 * numFrames }, (_, i) => Math.sin(i * 0.37));
  const features = { data, numFrames, numBins: 80 };
  await model.logProbs(features);
  const runs = 5;
  const started = performance.now();
  for (let i = 0; i < runs; i++) await model.logProbs(features);
  const ms = (performance.now() - started) / runs / 20;
  await model.dispose();
  return { name: folder.name, ms };
}

async function main(): Promise<void> {
  const vocab = Vocabulary.parse(characterTokensFile(), 'character tokens');
  const started = performance.now();
  const lm = await loadLanguageModel(values.lm);
  console.log(
    `LM ${values.lm}: ${lm.counts.join(' / ')} n-grams, loaded in ${(performance.now() - started).toFixed(0)} ms`,
  );

  const count = Number(values.sentences);
  const heldOut = readLmCorpus(values['text-dir'], { heldOutEvery: 50 }).heldOut;
  const simulate = (sentences: string[][], seed: number): Utterance[] => {
    const random = seededRandom(seed);
    return sentences.slice(0, count).map((words) => {
      const text = words.join(' ');
      return { text, ...simulateCtc(text, vocab, random) };
    });
  };
  const dev = simulate(
    heldOut.filter((_, i) => i % 2 === 0),
    11,
  );
  const test = simulate(
    heldOut.filter((_, i) => i % 2 === 1),
    23,
  );
  const audioMin = test.reduce((s, u) => s + u.numFrames * FRAME_SEC, 0) / 60;
  console.log(
    `simulated CTC: ${test.length} test sentences (${audioMin.toFixed(1)} min), ${dev.length} dev`,
  );

  let alpha: number = DEFAULT_LM_WEIGHTS.alpha;
  let beta: number = DEFAULT_LM_WEIGHTS.beta;
  if (values.tune) {
    const grid: { alpha: number; beta: number; wer: number }[] = [];
    for (const a of [0.1, 0.2, 0.3, 0.5, 0.8]) {
      for (const b of [0, 1, 2, 3, 4, 6]) {
        const { wer } = decodeAll(dev, beam(vocab, { beamWidth: 16, lm, alpha: a, beta: b }));
        grid.push({ alpha: a, beta: b, wer });
      }
    }
    grid.sort((x, y) => x.wer - y.wer);
    ({ alpha, beta } = grid[0]!);
    console.log(
      `dev grid (beam 16), best first: ${grid
        .slice(0, 5)
        .map((g) => `α ${g.alpha} β ${g.beta}: ${(100 * g.wer).toFixed(2)} %`)
        .join('; ')}`,
    );
  }

  // Warm up the JIT and the LM caches' code paths (not their contents: dev is other text).
  decodeAll(dev, beam(vocab, { beamWidth: 16, lm, alpha, beta }));

  const rows: [string, Decoded][] = [];
  rows.push([
    'greedy',
    decodeAll(test, (u) => {
      const tokens = greedyCtcDecode(u.logProbs, {
        numFrames: u.numFrames,
        vocabSize: vocab.size,
        blankId: vocab.blankId,
      });
      return tokensToWords(tokens, vocab, { frameSec: FRAME_SEC })
        .map((w) => w.text)
        .join(' ');
    }),
  ]);
  rows.push(['beam 16, no LM', decodeAll(test, beam(vocab, { beamWidth: 16 }))]);
  for (const beamWidth of [4, 8, 16, 32]) {
    rows.push([
      `beam ${beamWidth} + LM (α ${alpha}, β ${beta})`,
      decodeAll(test, beam(vocab, { beamWidth, lm, alpha, beta })),
    ]);
  }

  const modelDir = values.model ?? mkdtempSync(join(tmpdir(), 'hark-bench-model-'));
  if (!values.model) writeBenchModel(modelDir);
  const model = await modelMsPerAudioSec(modelDir);
  if (!values.model) rmSync(modelDir, { recursive: true, force: true });

  console.log(`\nacoustic model "${model.name}": ${model.ms.toFixed(2)} ms per audio second (CPU)`);
  console.log(`default beam width: ${DEFAULT_BEAM_OPTIONS.beamWidth}\n`);
  console.log(
    `${'decoder'.padEnd(34)}${'WER %'.padStart(8)}${'ms/audio s'.padStart(12)}${'% of model'.padStart(12)}`,
  );
  for (const [label, { wer, msPerAudioSec }] of rows) {
    console.log(
      `${label.padEnd(34)}${(100 * wer).toFixed(2).padStart(8)}${msPerAudioSec.toFixed(2).padStart(12)}${((100 * msPerAudioSec) / model.ms).toFixed(1).padStart(12)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
