/**
 * Tunes the LM weight α and the word bonus β of beam search on a development set of real audio:
 * runs the acoustic model once per utterance, then decodes the cached log-probs over a grid and
 * reports WER per (α, β) against greedy decoding. Tune on a set that is never reported (e.g. a
 * held-out synthetic dev manifest); `--write` stores the best pair in the LM's lm.json, where
 * callers read their defaults (readLanguageModelCard).
 *
 *   npx tsx scripts/lm/tune.ts [--model models/base-en]
 *       [--manifest work-data/corpus/dev/manifest.jsonl] [--lm models/lm-en]
 *       [--alphas 0.2,0.3,0.5,0.8,1.2] [--betas 0,1,2,3,4] [--beam 16] [--max-tokens 4]
 *       [--limit 300] [--threads 1] [--write]
 *
 * `--beam` and `--max-tokens` (tokens per frame that may start new prefixes) default to what the
 * engine decodes with (transcribe/decoding-defaults.ts). After a new acoustic model lands:
 *
 *   npx tsx scripts/lm/tune.ts --write    # → models/lm-en/lm.json "decoding"

 *
 * A manifest of a set that eval reports (the synthetic test set, cathy, fsdd, speech-commands) is
 * refused: weights tuned on it would flatter the figures.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readAudioWhole } from '../../src-main/engine/audio';
import { greedyCtcDecode, tokensToWords } from '../../src-main/engine/decode';
import { beamSearchDecode } from '../../src-main/engine/decode/beam';
import { readManifest } from '../../src-main/engine/dataset/manifest';
import {
  computeLogMel,
  DEFAULT_FEATURE_OPTIONS,
  normalizePerFeature,
} from '../../src-main/engine/features';
import { loadLanguageModel } from '../../src-main/engine/lm';
import { AcousticModel } from '../../src-main/engine/model/acoustic-model';
import { loadModelFolder } from '../../src-main/engine/model/model-folder';
import { wordErrorRate } from '../../src-main/engine/text/error-rate';
import { DEFAULT_DECODING } from '../../src-main/engine/transcribe/decoding-defaults';
import { writeFormattedJson } from './write-json';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/base-en' },
    manifest: { type: 'string', default: 'work-data/corpus/dev/manifest.jsonl' },
    threads: { type: 'string', default: '1' },
    lm: { type: 'string', default: 'models/lm-en' },
    alphas: { type: 'string', default: '0.2,0.3,0.5,0.8,1.2' },
    betas: { type: 'string', default: '0,1,2,3,4' },
    beam: { type: 'string', default: String(DEFAULT_DECODING.beamWidth) },
    'max-tokens': { type: 'string', default: String(DEFAULT_DECODING.maxTokensPerFrame) },
    limit: { type: 'string', default: '300' },
    write: { type: 'boolean', default: false },
  },
});

/** Sets that scripts/eval.ts reports: never tune on them. */
const REPORTED_SETS = new Set(['test', 'cathy', 'fsdd', 'speech-commands']);

/** Every k-th entry, so a limited run still spans the whole set (voices, augmentations). */
function spread<T>(entries: T[], limit: number): T[] {
  if (entries.length <= limit) return entries;
  const stride = entries.length / limit;
  return Array.from({ length: limit }, (_, i) => entries[Math.floor(i * stride)]!);
}

async function main(): Promise<void> {
  const setName = basename(dirname(resolve(values.manifest)));
  if (REPORTED_SETS.has(setName)) {
    throw new Error(
      `${values.manifest} is the "${setName}" set, which eval reports; tune on a development set`,
    );
  }
  const folder = await loadModelFolder(values.model);
  const model = await AcousticModel.open(folder, {
    device: 'cpu',
    threads: Number(values.threads),
  });
  const lm = await loadLanguageModel(values.lm);
  const entries = spread(await readManifest(values.manifest), Number(values.limit));
  const frameSec = (DEFAULT_FEATURE_OPTIONS.hopMs / 1000) * folder.subsamplingFactor;
  const beamWidth = Number(values.beam);
  const maxTokensPerFrame = Number(values['max-tokens']);

  let modelMs = 0;
  const utterances: { text: string; logProbs: Float32Array; numFrames: number }[] = [];
  for (const entry of entries) {
    const { samples } = await readAudioWhole(entry.audioPath, { targetSampleRate: 16000 });
    const features = computeLogMel(samples);
    if (folder.normalizeType === 'per_feature') normalizePerFeature(features);
    const started = performance.now();
    const output = await model.logProbs(features);
    modelMs += performance.now() - started;
    utterances.push({
      text: entry.text,
      logProbs: output.data.slice(),
      numFrames: output.numFrames,
    });
  }
  await model.dispose();
  const audioSec = utterances.reduce((sum, u) => sum + u.numFrames * frameSec, 0);
  const references = utterances.map((u) => u.text);

  const greedy = utterances.map((u) =>
    tokensToWords(
      greedyCtcDecode(u.logProbs, {
        numFrames: u.numFrames,
        vocabSize: folder.vocabSize,
        blankId: folder.vocabulary.blankId,
      }),
      folder.vocabulary,
      { frameSec },
    )
      .map((w) => w.text)
      .join(' '),
  );
  const greedyWer = wordErrorRate(references, greedy).rate;
  console.log(
    `${utterances.length} utterances, ${(audioSec / 60).toFixed(1)} min; model ` +
      `${(modelMs / audioSec).toFixed(2)} ms per audio s; greedy WER ` +
      `${(100 * greedyWer).toFixed(2)} %`,
  );

  const results: { alpha: number; beta: number; wer: number; msPerAudioSec: number }[] = [];
  for (const alpha of values.alphas.split(',').map(Number)) {
    for (const beta of values.betas.split(',').map(Number)) {
      const started = performance.now();
      const hypotheses = utterances.map(
        (u) =>
          beamSearchDecode(u.logProbs, {
            numFrames: u.numFrames,
            vocab: folder.vocabulary,
            frameSec,
            beamWidth,
            maxTokensPerFrame,
            lm,
            alpha,
            beta,
          }).text,
      );
      const msPerAudioSec = (performance.now() - started) / audioSec;
      const wer = wordErrorRate(references, hypotheses).rate;
      results.push({ alpha, beta, wer, msPerAudioSec });
      console.log(
        `α ${alpha} β ${beta}: WER ${(100 * wer).toFixed(2)} %, ` +
          `${msPerAudioSec.toFixed(2)} ms per audio s (${((100 * msPerAudioSec * audioSec) / modelMs).toFixed(1)} % of the model)`,
      );
    }
  }
  results.sort((a, b) => a.wer - b.wer);
  const best = results[0]!;
  console.log(`best: α ${best.alpha} β ${best.beta}, WER ${(100 * best.wer).toFixed(2)} %`);

  if (values.write) {
    const cardPath = join(values.lm, 'lm.json');
    const card = JSON.parse(readFileSync(cardPath, 'utf8')) as Record<string, unknown>;
    card.decoding = {
      alpha: best.alpha,
      beta: best.beta,
      beamWidth,
      maxTokensPerFrame,
      tunedOn: {
        model: folder.name,
        globalStep: (folder.card.training as { globalStep?: number } | undefined)?.globalStep,
        manifest: values.manifest,
        utterances: utterances.length,
      },
      wer: Number(best.wer.toFixed(4)),
      greedyWer: Number(greedyWer.toFixed(4)),
      tunedAt: new Date().toISOString(),
    };
    await writeFormattedJson(cardPath, card);
    console.log(`wrote the weights into ${cardPath}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
