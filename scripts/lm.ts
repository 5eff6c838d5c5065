/**
 * `npm run lm` — builds the English n-gram language model that ships in models/lm-en:
 * public-domain text (../shared/data/text, never the CMU ARCTIC prompts) → normalizeText →
 * interpolated modified Kneser-Ney → count cut-offs and relative-entropy pruning → lm.bin
 * (Hark's binary format), lm.arpa.gz (ARPA, for other tools) and lm.json (the card, with the
 * perplexity on held-out sentences).
 *
 *   npm run lm -- [--text-dir ../shared/data/text] [--out models/lm-en] [--order 4]
 *                 [--min-counts 1,1,1,1] [--prune 1e-8] [--held-out-every 50]
 */
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import {
  buildKneserNey,
  encodeLanguageModel,
  formatArpa,
  loadLanguageModel,
  measurePerplexity,
  pruneByEntropy,
  type PerplexityReport,
} from '../src-main/engine/lm';
import { DEFAULT_LM_WEIGHTS } from '../src-main/engine/decode/beam';
import { readLmCorpus } from './lm/lm-corpus';
import { writeFormattedJson } from './lm/write-json';

const MAX_FOLDER_BYTES = 20 * 1024 * 1024;

const { values } = parseArgs({
  options: {
    'text-dir': { type: 'string', default: '../shared/data/text' },
    out: { type: 'string', default: 'models/lm-en' },
    order: { type: 'string', default: '4' },
    'min-counts': { type: 'string', default: '1,1,1,1' },
    prune: { type: 'string', default: '1e-8' },
    'held-out-every': { type: 'string', default: '50' },
  },
});

const order = Number(values.order);
const minCounts = values['min-counts'].split(',').map(Number);
const pruneThreshold = Number(values.prune);
const heldOutEvery = Number(values['held-out-every']);
const outDir = values.out;

function seconds(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`;
}

function writeAtomic(path: string, data: Uint8Array | string): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

const rounded = (report: PerplexityReport) => ({
  perplexity: Number(report.perplexity.toFixed(1)),
  perplexityWithoutOov: Number(report.perplexityWithoutOov.toFixed(1)),
  outOfVocabularyRate: Number((report.outOfVocabulary / report.words).toFixed(4)),
});

async function main(): Promise<void> {
  let started = performance.now();
  const corpus = readLmCorpus(values['text-dir'], { heldOutEvery });
  console.log(`text: ${JSON.stringify(corpus.report)} (${seconds(started)})`);

  started = performance.now();
  const estimate = buildKneserNey(corpus.training, { order, minCounts });
  console.log(
    `Kneser-Ney ${order}-gram: n-grams ${estimate.ngramCounts.join(' / ')}, after cut-offs ` +
      `${estimate.model.counts.join(' / ')}; discounts ` +
      `${estimate.discounts.map((d) => d.map((x) => x.toFixed(3)).join(' ')).join(' | ')} (${seconds(started)})`,
  );
  const full = measurePerplexity(estimate.model, corpus.heldOut);
  console.log(`held-out perplexity before pruning: ${JSON.stringify(rounded(full))}`);

  started = performance.now();
  const pruned = pruneByEntropy(estimate.model, pruneThreshold);
  const heldOut = measurePerplexity(pruned.model, corpus.heldOut);
  console.log(
    `entropy pruning ${pruneThreshold}: ${pruned.after.join(' / ')} n-grams; held-out ` +
      `${JSON.stringify(rounded(heldOut))} (${seconds(started)})`,
  );

  mkdirSync(outDir, { recursive: true });
  started = performance.now();
  const binary = encodeLanguageModel(pruned.model);
  writeAtomic(join(outDir, 'lm.bin'), binary);
  writeAtomic(join(outDir, 'lm.arpa.gz'), gzipSync(formatArpa(pruned.model), { level: 9 }));
  console.log(`wrote lm.bin (${binary.length} bytes) and lm.arpa.gz (${seconds(started)})`);

  started = performance.now();
  const reloaded = await loadLanguageModel(join(outDir, 'lm.bin'));
  const loadSec = (performance.now() - started) / 1000;
  const reloadedPerplexity = measurePerplexity(reloaded, corpus.heldOut);

  const card = {
    name: 'lm-en',
    description: 'English word n-gram language model for CTC beam search (shallow fusion).',
    files: {
      'lm.bin': "Hark's binary format (float16 log10 probabilities), loaded by loadLanguageModel",
      'lm.arpa.gz': 'the same model as gzipped ARPA text, for other tools',
    },
    data: {
      texts: ['common-voice-en.txt (CC0 1.0)', 'ljspeech-sentences.txt (public domain)'],
      excluded:
        'every sentence equal or close to a CMU ARCTIC prompt (the cathy test set reads them)',
      normalization: 'src-main/engine/text/normalize.ts normalizeText: a-z, apostrophe, spaces',
      ...corpus.report,
    },
    order,
    estimation: 'interpolated modified Kneser-Ney (three discounts per order from count-of-counts)',
    discounts: estimate.discounts.map((d) => d.map((x) => Number(x.toFixed(4)))),
    vocabularySize: pruned.model.vocabulary.length,
    pruning: {
      minCounts,
      entropyThreshold: pruneThreshold,
      ngramsBefore: estimate.ngramCounts,
      ngramsAfterCutoffs: estimate.model.counts,
      ngrams: pruned.after,
    },
    heldOut: {
      sentences: corpus.report.heldOutSentences,
      words: corpus.report.heldOutWords,
      split: `one sentence in ${heldOutEvery} by an FNV-1a hash of its normalised text`,
      unpruned: rounded(full),
      pruned: rounded(heldOut),
      binary: rounded(reloadedPerplexity),
    },
    decoding: {
      ...DEFAULT_LM_WEIGHTS,
      note: 'defaults of beamSearchDecode; see docs in decode/beam',
    },
    loadSec: Number(loadSec.toFixed(3)),
    command: `npm run lm -- --order ${order} --min-counts ${minCounts.join(',')} --prune ${pruneThreshold} --held-out-every ${heldOutEvery}`,
  };
  await writeFormattedJson(join(outDir, 'lm.json'), card);

  let folderBytes = 0;
  for (const name of ['lm.bin', 'lm.arpa.gz', 'lm.json'])
    folderBytes += statSync(join(outDir, name)).size;
  console.log(
    `binary reloads in ${loadSec.toFixed(3)} s, held-out perplexity ${reloadedPerplexity.perplexity.toFixed(1)}; ` +
      `folder ${(folderBytes / 1e6).toFixed(2)} MB`,
  );
  if (folderBytes > MAX_FOLDER_BYTES) {
    console.error(`models/lm-en is over 20 MB: prune harder (--prune, --min-counts)`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
