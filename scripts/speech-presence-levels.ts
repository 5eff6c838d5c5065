/**
 * Prints the figures behind the non-speech gate's threshold (src-main/engine/transcribe/
 * speech-presence.ts): the energy spread of the evaluation sets' utterances, lowest first, and of
 * steady noises made on the spot.
 *
 *   node --import tsx scripts/speech-presence-levels.ts [MANIFEST...] [--limit 400]
 *
 * Default manifests: ../shared/data/speech/{cathy,fsdd,speech-commands} and the synthetic test
 * set in work-data/corpus/test when it exists.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readAudioWhole } from '../src-main/engine/audio';
import { readManifest } from '../src-main/engine/dataset/manifest';
import { computeLogMel } from '../src-main/engine/features';
import { brownNoise, pinkNoise, whiteNoise } from './corpus/augment';
import { Random } from './corpus/random';
import {
  DEFAULT_MIN_EXCESS_DB,
  excessSwingsDb,
} from '../src-main/engine/transcribe/speech-presence';

/** The largest excess of a band's swing over steady noise's: what the gate compares. */
function spreadDb(samples: Float32Array): number | undefined {
  const excess = excessSwingsDb(computeLogMel(samples));
  return excess === undefined ? undefined : Math.max(...excess);
}

const { values: args, positionals } = parseArgs({
  options: { limit: { type: 'string', default: '400' } },
  allowPositionals: true,
});
const SAMPLE_RATE = 16000;
const DEFAULT_SETS = [
  '../shared/data/speech/cathy/manifest.jsonl',
  '../shared/data/speech/fsdd/manifest.jsonl',
  '../shared/data/speech/speech-commands/manifest.jsonl',
  'work-data/corpus/test/manifest.jsonl',
];

/** Unit-power noise of a colour, made as the corpus makes its noise. */
function steadyNoise(
  kind: 'white' | 'pink' | 'brown',
  seconds: number,
  seed: number,
): Float32Array {
  const make = { white: whiteNoise, pink: pinkNoise, brown: brownNoise }[kind];
  return make(seconds * SAMPLE_RATE, new Random(seed));
}

async function main(): Promise<void> {
  const limit = Number(args.limit);
  const sets = positionals.length > 0 ? positionals : DEFAULT_SETS.filter((p) => existsSync(p));
  console.log(
    `threshold: ${DEFAULT_MIN_EXCESS_DB} dB (the largest excess of a band's energy swing over steady noise's)`,
  );
  for (const manifest of sets) {
    const entries = (await readManifest(manifest)).slice(0, limit);
    const spreads: { spread: number; text: string }[] = [];
    for (const entry of entries) {
      const { samples } = await readAudioWhole(entry.audioPath, { targetSampleRate: SAMPLE_RATE });
      const spread = spreadDb(samples);
      if (spread !== undefined) spreads.push({ spread, text: entry.text });
    }
    spreads.sort((a, b) => a.spread - b.spread);
    const below = spreads.filter((s) => s.spread < DEFAULT_MIN_EXCESS_DB).length;
    const median = spreads[Math.floor(spreads.length / 2)]?.spread ?? NaN;
    console.log(
      `${manifest}: ${spreads.length} utterances, lowest ${spreads[0]?.spread.toFixed(1)} dB, ` +
        `median ${median.toFixed(1)} dB, ${below} below the threshold`,
    );
    for (const { spread, text } of spreads.slice(0, 3))
      console.log(`  ${spread.toFixed(1)} dB  ${text.slice(0, 70)}`);
  }
  for (const kind of ['white', 'pink', 'brown'] as const) {
    for (const seconds of [1, 24]) {
      for (const level of [1e-4, 1e-3, 0.1]) {
        const noise = steadyNoise(kind, seconds, 7).map((v) => v * level);
        const spread = spreadDb(noise)!;
        console.log(`${kind} noise, ${seconds} s at ${level} RMS: ${spread.toFixed(1)} dB`);
      }
    }
  }
}

void main();
