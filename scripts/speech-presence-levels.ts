/**
 * Prints the figures behind the non-speech gate's threshold (src-main/engine/transcribe/
 * speech-presence.ts): the energy spread of the evaluation sets' utterances, lowest first, and of
 * steady noises made on the spot.
 *
 *   node --import tsx scripts/speech-presence-levels.ts [MANIFEST...] [--limit 400]
 *
 * Each utterance is measured alone and again in the middle of 24 s of white noise at its own floor.
 * Default manifests: ../shared/data/speech/{cathy,fsdd,speech-commands} and the synthetic test
 * set in work-data/corpus/test when it exists.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readAudioWhole } from '../src-main/engine/audio';
import { noiseFloor } from '../src-main/engine/dataset/background-padding';
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

const WINDOW_SEC = 24;

interface Measured {
  spread: number;
  text: string;
}

/**
 * The utterance in the middle of a window of white noise at its own floor: a short word alone in
 * a long pause, the hardest case for the loud level.
 */
function inQuietWindow(samples: Float32Array, seed: number): Float32Array {
  const floor = Math.max(noiseFloor(samples), 1e-5);
  const window = whiteNoise(WINDOW_SEC * SAMPLE_RATE, new Random(seed + 1)).map((v) => v * floor);
  const offset = Math.floor((window.length - samples.length) / 2);
  window.set(samples, offset);
  return window;
}

function report(title: string, measured: Measured[]): void {
  measured.sort((a, b) => a.spread - b.spread);
  const below = measured.filter((m) => m.spread < DEFAULT_MIN_EXCESS_DB).length;
  const median = measured[Math.floor(measured.length / 2)]?.spread ?? NaN;
  console.log(
    `${title}: ${measured.length} utterances, lowest ${measured[0]?.spread.toFixed(1)} dB, ` +
      `median ${median.toFixed(1)} dB, ${below} below the threshold`,
  );
  for (const { spread, text } of measured.slice(0, 3))
    console.log(`    ${spread.toFixed(1)} dB  ${text.slice(0, 70)}`);
}

async function main(): Promise<void> {
  const limit = Number(args.limit);
  const sets = positionals.length > 0 ? positionals : DEFAULT_SETS.filter((p) => existsSync(p));
  console.log(
    `threshold: ${DEFAULT_MIN_EXCESS_DB} dB (the largest excess of a band's energy swing over steady noise's)`,
  );
  for (const manifest of sets) {
    const entries = (await readManifest(manifest)).slice(0, limit);
    const alone: Measured[] = [];
    const inWindow: Measured[] = [];
    for (const [index, entry] of entries.entries()) {
      const { samples } = await readAudioWhole(entry.audioPath, { targetSampleRate: SAMPLE_RATE });
      const spread = spreadDb(samples);
      if (spread !== undefined) alone.push({ spread, text: entry.text });
      if (samples.length < WINDOW_SEC * SAMPLE_RATE) {
        const windowSpread = spreadDb(inQuietWindow(samples, index));
        if (windowSpread !== undefined) inWindow.push({ spread: windowSpread, text: entry.text });
      }
    }
    report(manifest, alone);
    report(`  the same, each alone in ${WINDOW_SEC} s of noise at its own floor`, inWindow);
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
