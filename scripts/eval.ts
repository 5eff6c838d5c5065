/**
 * Word and character error rates of a model on speech sets, greedy AND beam search + LM in one
 * run, with one text normalisation for reference and hypothesis (lower case, punctuation stripped,
 * numbers as words). The model runs once per file; both decoders read the same log-probs
 * (Engine `compareWith`). Also reports the real-time factor of the whole pipeline (WAV reading,
 * resampling, features, model, beam decoding) and each decoder's time as a fraction of the
 * model's, after a few warm-up files that are not counted.
 *
 *   npm run eval -- [MANIFEST|DIR ...] [--model models/base-en] [--device cpu] [--threads 1]
 *                   [--lm models/lm-en|none] [--beam-width 16] [--max-tokens 3] [--alpha A]
 *                   [--beta B] [--limit N] [--card models/base-en/model.json] [--show 3]
 *
 * A DIR stands for DIR/manifest.jsonl and names the set. Without sets: the held-out synthetic test
 * set (work-data/corpus/test) and ../shared/data/speech/{cathy,fsdd,speech-commands}, those that
 * exist. α and β default to the LM's tuned values (lm.json, tuned on the synthetic dev set, never
 * on these). --card writes the figures into a model card's `metrics` table: metrics[set] holds
 * the greedy figures as before, metrics[set].beamLm the beam search + LM ones.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFormattedJson } from './lm/write-json';
import { readManifest, type ManifestEntry } from '../src-main/engine/dataset/manifest';
import { Engine } from '../src-main/engine/engine';
import { charErrorRate, wordErrorRate } from '../src-main/engine/text/error-rate';
import { normalizeText } from '../src-main/engine/text/normalize';
import { DEFAULT_DECODING } from '../src-main/engine/transcribe/decoding-defaults';
import type { DecodingReport } from '../src-main/engine/types';

const repoRoot = resolve(__dirname, '..');
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string', default: join(repoRoot, 'models', 'base-en') },
    device: { type: 'string', default: 'cpu' },
    threads: { type: 'string', default: '2' },
    lm: { type: 'string', default: join(repoRoot, 'models', 'lm-en') },
    'beam-width': { type: 'string' },
    'max-tokens': { type: 'string' },
    alpha: { type: 'string' },
    beta: { type: 'string' },
    limit: { type: 'string' },
    card: { type: 'string' },
    show: { type: 'string', default: '0' },
  },
});

const DEFAULT_SETS = [
  join(repoRoot, 'work-data', 'corpus', 'test'),
  join(repoRoot, '..', 'shared', 'data', 'speech', 'cathy'),
  join(repoRoot, '..', 'shared', 'data', 'speech', 'fsdd'),
  join(repoRoot, '..', 'shared', 'data', 'speech', 'speech-commands'),
];

/** Error rates of one decoder on one set, and its time as a fraction of the model's. */
interface DecoderFigures {
  wer: number;
  cer: number;
  decodingSec: number;
  /** Decoding time / model time. */
  fractionOfModel: number;
}

interface SetResult {
  name: string;
  utterances: number;
  audioHours: number;
  modelSec: number;
  greedy: DecoderFigures;
  beamLm: DecoderFigures;
  /** Wall time of the pipeline with beam decoding (the greedy pass excluded) / audio time. */
  realTimeFactor: number;
}

function manifestOf(target: string): { name: string; manifest: string } {
  const path = resolve(target);
  if (existsSync(path) && statSync(path).isDirectory()) {
    return { name: basename(path), manifest: join(path, 'manifest.jsonl') };
  }
  return { name: basename(dirname(path)), manifest: path };
}

/** Every k-th entry, so a limited run still spans the whole set (speakers, words). */
function spread(entries: ManifestEntry[], limit: number | undefined): ManifestEntry[] {
  if (limit === undefined || entries.length <= limit) return entries;
  const stride = entries.length / limit;
  return Array.from({ length: limit }, (_, i) => entries[Math.floor(i * stride)]!);
}

function figures(
  references: string[],
  hypotheses: string[],
  decodingSec: number,
  modelSec: number,
): DecoderFigures {
  return {
    wer: wordErrorRate(references, hypotheses).rate,
    cer: charErrorRate(references, hypotheses).rate,
    decodingSec,
    fractionOfModel: modelSec > 0 ? decodingSec / modelSec : 0,
  };
}

async function evaluateSet(
  engine: Engine,
  name: string,
  entries: ManifestEntry[],
): Promise<SetResult> {
  const references: string[] = [];
  const greedy: string[] = [];
  const beam: string[] = [];
  let audioSec = 0;
  let wallSec = 0;
  let modelSec = 0;
  let beamSec = 0;
  let greedySec = 0;
  for (const [index, entry] of entries.entries()) {
    const started = performance.now();
    const transcript = await engine.transcribeFile(entry.audioPath, { compareWith: ['greedy'] });
    const greedyReading = transcript.alternatives?.[0];
    if (!greedyReading) throw new Error('the engine gave no greedy reading');
    wallSec += (performance.now() - started) / 1000 - greedyReading.decodingSec;
    audioSec += transcript.audio.durationSec;
    modelSec += transcript.timings.modelSec;
    beamSec += transcript.timings.decodingSec;
    greedySec += greedyReading.decodingSec;
    references.push(entry.text);
    beam.push(transcript.text);
    greedy.push(greedyReading.text);
    if (process.stderr.isTTY) process.stderr.write(`\r${name}: ${index + 1}/${entries.length}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const show = Number(args.show);
  for (let i = 0; i < Math.min(show, entries.length); i++) {
    console.log(
      `  ref:    ${normalizeText(references[i]!)}\n  greedy: ${normalizeText(greedy[i]!)}\n  beam:   ${normalizeText(beam[i]!)}`,
    );
  }
  return {
    name,
    utterances: entries.length,
    audioHours: audioSec / 3600,
    modelSec,
    greedy: figures(references, greedy, greedySec, modelSec),
    beamLm: figures(references, beam, beamSec, modelSec),
    realTimeFactor: wallSec / audioSec,
  };
}

function describeBeam(decoding: DecodingReport, maxTokensPerFrame: number): string {
  const lm = decoding.languageModel
    ? `LM ${decoding.languageModel.name} (α ${decoding.alpha}, β ${decoding.beta})`
    : 'no LM';
  return `beam ${decoding.beamWidth} (≤ ${maxTokensPerFrame} new tokens a frame), ${lm}`;
}

function optionalNumber(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

async function main(): Promise<void> {
  const targets =
    positionals.length > 0 ? positionals : DEFAULT_SETS.filter((set) => existsSync(set));
  if (targets.length === 0)
    throw new Error('no speech sets given and none of the default ones exists');
  const alpha = optionalNumber(args.alpha);
  const beta = optionalNumber(args.beta);
  const beamWidth = optionalNumber(args['beam-width']);
  const maxTokensPerFrame =
    optionalNumber(args['max-tokens']) ?? DEFAULT_DECODING.maxTokensPerFrame;
  const engine = await Engine.create({
    modelDir: resolve(args.model!),
    device: args.device as 'cpu',
    threads: Number(args.threads),
    decoding: {
      method: 'beam',
      lmDir: args.lm === 'none' ? null : resolve(args.lm!),
      ...(alpha === undefined ? {} : { alpha }),
      ...(beta === undefined ? {} : { beta }),
      ...(beamWidth === undefined ? {} : { beamWidth }),
      maxTokensPerFrame,
    },
  });
  const limit = args.limit === undefined ? undefined : Number(args.limit);
  const training = engine.model.card.training as { globalStep?: number } | undefined;
  const beamDecoding = engine.decodingInfo;
  console.log(
    `model ${engine.model.path} (${String(engine.model.card.name ?? engine.model.name)}, ` +
      `global step ${training?.globalStep ?? '?'}), device ${engine.device.provider}; ` +
      `greedy and ${describeBeam(beamDecoding, maxTokensPerFrame)} on the same model output`,
  );
  const results: SetResult[] = [];
  try {
    const sets = await Promise.all(
      targets.map(async (target) => {
        const { name, manifest } = manifestOf(target);
        return { name, entries: spread(await readManifest(manifest), limit) };
      }),
    );
    // Warm-up, not counted: the first files would otherwise time V8 compiling the decoders.
    const warmUp = sets.flatMap((set) => set.entries).slice(0, 5);
    for (const entry of warmUp) {
      await engine.transcribeFile(entry.audioPath, { compareWith: ['greedy'] });
    }
    for (const { name, entries } of sets) results.push(await evaluateSet(engine, name, entries));
  } finally {
    await engine.dispose();
  }
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`.padStart(8);
  console.log(
    '\n                                  greedy            beam + LM          decoding / model',
  );
  console.log(
    'set                  utts   hours      WER      CER      WER      CER      RTF   greedy     beam',
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(18)} ${String(r.utterances).padStart(6)} ${r.audioHours.toFixed(3).padStart(7)} ` +
        `${pct(r.greedy.wer)} ${pct(r.greedy.cer)} ${pct(r.beamLm.wer)} ${pct(r.beamLm.cer)} ` +
        `${r.realTimeFactor.toFixed(4).padStart(8)} ${pct(r.greedy.fractionOfModel)} ${pct(r.beamLm.fractionOfModel)}`,
    );
  }
  if (args.card) {
    const card = JSON.parse(await readFile(args.card, 'utf8')) as {
      metrics?: Record<string, unknown>;
    };
    card.metrics ??= {};
    const argv = process.argv.slice(2).join(' ');
    const round = (x: number) => Number(x.toFixed(4));
    for (const r of results) {
      card.metrics[r.name] = {
        wer: round(r.greedy.wer),
        cer: round(r.greedy.cer),
        utterances: r.utterances,
        audioHours: Number(r.audioHours.toFixed(3)),
        realTimeFactor: round(r.realTimeFactor),
        decoding: 'greedy',
        beamLm: {
          wer: round(r.beamLm.wer),
          cer: round(r.beamLm.cer),
          decoding: {
            ...beamDecoding,
            maxTokensPerFrame,
            // Repository-relative: the card travels with the model.
            ...(beamDecoding.languageModel
              ? {
                  languageModel: {
                    ...beamDecoding.languageModel,
                    path: relative(repoRoot, beamDecoding.languageModel.path),
                  },
                }
              : {}),
          },
          decodingFractionOfModel: round(r.beamLm.fractionOfModel),
        },
        globalStep: training?.globalStep,
        command: `npm run eval${argv === '' ? '' : ` -- ${argv}`}`,
        evaluatedAt: new Date().toISOString(),
      };
    }
    // As Prettier formats it, so the committed card passes `npm run lint` as written.
    await writeFormattedJson(args.card, card);
    console.log(`\nmetrics written to ${args.card}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
