/**
 * `npm run rehearsal-set -- [--corpus work-data/corpus] [--out models/base-en] [--count 128]
 * [--min-sec 0.8] [--max-sec 6] [--seed 1] [--kind rehearsal|rehearsal-short|forgetting-check]`:
 * picks the speech of other voices a base model carries for fine-tuning
 * (src-main/engine/profiles/rehearsal-set.ts): `count` sentences between `min-sec` and `max-sec`
 * (for `rehearsal-short`, short utterances of any length instead), taken in turn from every voice
 * so no voice dominates, copied with a NeMo manifest into OUT/<kind> (replacing what was there).
 * - `rehearsal` (default) comes from the corpus's training split, the speech the base model was
 *   trained on: fine-tuning distils the base model's posteriors on it so a voice profile does not
 *   forget other voices.
 * - `rehearsal-short` comes from the same split's short utterances (a lone word, two or three
 *   words, digits): a profile of single words distils on them too, so it does not learn that
 *   every short utterance is one of its user's few words.
 * - `forgetting-check` comes from the held-out test split (voices and sentences the base model
 *   never trained on, and that distillation never sees): fine-tuning measures on it how much a
 *   profile has forgotten, and refuses weights that forgot too much.
 */
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom, shuffleInPlace } from '../src-main/engine/dataset/batching';
import {
  formatManifest,
  readManifest,
  type ManifestEntry,
} from '../src-main/engine/dataset/manifest';
import { readUtteranceVoices } from './corpus/store';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', default: 'work-data/corpus' },
    out: { type: 'string', default: 'models/base-en' },
    count: { type: 'string', default: '128' },
    'min-sec': { type: 'string', default: '0.8' },
    'max-sec': { type: 'string', default: '6' },
    seed: { type: 'string', default: '1' },
    kind: { type: 'string', default: 'rehearsal' },
  },
});

/** Each kind of set: the corpus split it comes from. */
const SPLIT_OF_KIND: Record<string, 'train' | 'test'> = {
  rehearsal: 'train',
  'rehearsal-short': 'train',
  'forgetting-check': 'test',
};

async function main(): Promise<void> {
  const kind = args.kind!;
  const splitName = Object.hasOwn(SPLIT_OF_KIND, kind) ? SPLIT_OF_KIND[kind] : undefined;
  if (!splitName) throw new Error(`--kind must be one of ${Object.keys(SPLIT_OF_KIND).join(', ')}`);
  const split = join(resolve(args.corpus!), splitName);
  const count = Number(args.count);
  const [minSec, maxSec] = [Number(args['min-sec']), Number(args['max-sec'])];
  const entries = await readManifest(join(split, 'manifest.jsonl'));
  const voiceOf = new Map(
    [...readUtteranceVoices(resolve(args.corpus!), splitName)].map(([path, voice]) => [
      resolve(split, path),
      voice,
    ]),
  );
  // Sentences, or the short utterances (corpus/short-utterances.ts: a lone word, two or three
  // words, digits) for `rehearsal-short`, taken in turn from every voice.
  const wantShort = kind === 'rehearsal-short';
  const byVoice = new Map<string, ManifestEntry[]>();
  for (const entry of entries) {
    if (basename(entry.audioPath).startsWith('train-short-') !== wantShort) continue;
    if (!wantShort && (entry.durationSec < minSec || entry.durationSec > maxSec)) continue;
    const voice = voiceOf.get(entry.audioPath) ?? 'unknown';
    byVoice.set(voice, [...(byVoice.get(voice) ?? []), entry]);
  }
  const what = wantShort ? 'short utterances' : `utterances of ${minSec}–${maxSec} s`;
  const chosen = pickInTurn(byVoice, count, seededRandom(Number(args.seed)), `${what} in ${split}`);

  // Written beside the target and swapped in, so an interrupted run leaves the old set whole.
  const target = join(resolve(args.out!), kind);
  const staging = `${target}.partial`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'wav'), { recursive: true });
  const copied: ManifestEntry[] = [];
  for (const [i, entry] of chosen.entries()) {
    const audioPath = join(staging, 'wav', `${kind}-${String(i).padStart(3, '0')}.wav`);
    await copyFile(entry.audioPath, audioPath);
    copied.push({ ...entry, audioPath });
  }
  await writeFile(join(staging, 'manifest.jsonl'), formatManifest(copied, staging));
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
  const seconds = copied.reduce((s, e) => s + e.durationSec, 0);
  const voices = new Set(chosen.map((entry) => voiceOf.get(entry.audioPath) ?? 'unknown')).size;
  console.log(
    `${copied.length} utterances (${(seconds / 60).toFixed(1)} min) from ${voices} voices → ${target}`,
  );
}

/**
 * `count` entries taken in turn from every voice (in a seeded order, each voice's own entries
 * shuffled), so no voice dominates.
 */
function pickInTurn(
  byVoice: Map<string, ManifestEntry[]>,
  count: number,
  random: () => number,
  what: string,
): ManifestEntry[] {
  const voices = [...byVoice.keys()].sort();
  for (const voice of voices) shuffleInPlace(byVoice.get(voice)!, random);
  shuffleInPlace(voices, random);
  const chosen: ManifestEntry[] = [];
  for (let round = 0; chosen.length < count; round++) {
    const before = chosen.length;
    for (const voice of voices) {
      const entry = byVoice.get(voice)![round];
      if (entry && chosen.length < count) chosen.push(entry);
    }
    if (chosen.length === before) break;
  }
  if (chosen.length < count) throw new Error(`only ${chosen.length} ${what}`);
  return chosen;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
