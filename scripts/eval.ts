/**
 * Word and character error rates of a model on speech sets, with one text normalisation for
 * reference and hypothesis (lower case, punctuation stripped, numbers as words), and the
 * real-time factor of the whole pipeline (WAV reading, resampling, features, model, decoding).
 *
 *   npm run eval -- [MANIFEST|DIR ...] [--model models/base-en] [--device cpu] [--threads 2]
 *                   [--limit N] [--card models/base-en/model.json] [--show 3]
 *
 * A DIR stands for DIR/manifest.jsonl and names the set. Without sets: the held-out synthetic test
 * set (work-data/corpus/test) and ../shared/data/speech/{cathy,fsdd,speech-commands}, those that
 * exist. --card writes the figures into a model card's `metrics` table.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src-main/engine/train/checkpoint';
import { readManifest, type ManifestEntry } from '../src-main/engine/dataset/manifest';
import { Engine } from '../src-main/engine/engine';
import { charErrorRate, wordErrorRate } from '../src-main/engine/text/error-rate';
import { normalizeText } from '../src-main/engine/text/normalize';

const repoRoot = resolve(__dirname, '..');
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string', default: join(repoRoot, 'models', 'base-en') },
    device: { type: 'string', default: 'cpu' },
    threads: { type: 'string', default: '2' },
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

interface SetResult {
  name: string;
  utterances: number;
  audioHours: number;
  wer: number;
  cer: number;
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

async function evaluateSet(
  engine: Engine,
  name: string,
  entries: ManifestEntry[],
): Promise<SetResult> {
  const references: string[] = [];
  const hypotheses: string[] = [];
  let audioSec = 0;
  let wallSec = 0;
  for (const [index, entry] of entries.entries()) {
    const started = performance.now();
    const transcript = await engine.transcribeFile(entry.audioPath);
    wallSec += (performance.now() - started) / 1000;
    audioSec += transcript.audio.durationSec;
    references.push(entry.text);
    hypotheses.push(transcript.text);
    if (process.stderr.isTTY) process.stderr.write(`\r${name}: ${index + 1}/${entries.length}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const show = Number(args.show);
  for (let i = 0; i < Math.min(show, entries.length); i++) {
    console.log(`  ref: ${normalizeText(references[i]!)}\n  hyp: ${normalizeText(hypotheses[i]!)}`);
  }
  return {
    name,
    utterances: entries.length,
    audioHours: audioSec / 3600,
    wer: wordErrorRate(references, hypotheses).rate,
    cer: charErrorRate(references, hypotheses).rate,
    realTimeFactor: wallSec / audioSec,
  };
}

async function main(): Promise<void> {
  const targets =
    positionals.length > 0 ? positionals : DEFAULT_SETS.filter((set) => existsSync(set));
  if (targets.length === 0)
    throw new Error('no speech sets given and none of the default ones exists');
  const engine = await Engine.create({
    modelDir: resolve(args.model!),
    device: args.device as 'cpu',
    threads: Number(args.threads),
  });
  const limit = args.limit === undefined ? undefined : Number(args.limit);
  console.log(
    `model ${engine.model.path} (${engine.model.card.name ?? engine.model.name}), device ${engine.device.provider}, greedy decoding`,
  );
  const results: SetResult[] = [];
  try {
    for (const target of targets) {
      const { name, manifest } = manifestOf(target);
      const entries = spread(await readManifest(manifest), limit);
      results.push(await evaluateSet(engine, name, entries));
    }
  } finally {
    await engine.dispose();
  }
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`.padStart(8);
  console.log('\nset                  utts   hours      WER      CER      RTF');
  for (const r of results) {
    console.log(
      `${r.name.padEnd(18)} ${String(r.utterances).padStart(6)} ${r.audioHours.toFixed(3).padStart(7)} ${pct(r.wer)} ${pct(r.cer)} ${r.realTimeFactor.toFixed(4).padStart(8)}`,
    );
  }
  if (args.card) {
    const card = JSON.parse(await readFile(args.card, 'utf8')) as {
      metrics?: Record<string, unknown>;
    };
    card.metrics ??= {};
    for (const r of results) {
      card.metrics[r.name] = {
        wer: Number(r.wer.toFixed(4)),
        cer: Number(r.cer.toFixed(4)),
        utterances: r.utterances,
        audioHours: Number(r.audioHours.toFixed(3)),
        realTimeFactor: Number(r.realTimeFactor.toFixed(4)),
        decoding: 'greedy',
        command: `npm run eval${limit === undefined ? '' : ` -- --limit ${limit}`}`,
        evaluatedAt: new Date().toISOString(),
      };
    }
    await writeFileAtomic(
      args.card,
      new TextEncoder().encode(JSON.stringify(card, null, 2) + '\n'),
    );
    console.log(`\nmetrics written to ${args.card}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
