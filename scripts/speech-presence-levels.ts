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
import { seededRandom } from '../src-main/engine/seeded-random';
import { computeLogMel } from '../src-main/engine/features';
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

/** Unit-RMS noise: white, pink (Paul Kellet's filter) or brown (leaky integration). */
function steadyNoise(
  kind: 'white' | 'pink' | 'brown',
  seconds: number,
  seed: number,
): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(seconds * SAMPLE_RATE);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let brown = 0;
  for (let i = 0; i < out.length; i++) {
    const white = random() - 0.5;
    if (kind === 'white') out[i] = white;
    else if (kind === 'pink') {
      b0 = 0.99765 * b0 + white * 0.099046;
      b1 = 0.963 * b1 + white * 0.2965164;
      b2 = 0.57 * b2 + white * 1.0526913;
      out[i] = b0 + b1 + b2 + white * 0.1848;
    } else {
      brown = 0.995 * brown + white * 0.1;
      out[i] = brown;
    }
  }
  const rms = Math.sqrt(out.reduce((sum, v) => sum + v * v, 0) / out.length);
  return out.map((v) => v / rms);
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
