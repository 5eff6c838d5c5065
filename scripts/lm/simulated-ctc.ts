/**
 * CTC output that looks like a trained character model's, made from text: peaky (most frames a
 * near-certain blank, one spike per character), with doubt spread to a letter that sounds alike
 * and, now and then, the wrong letter winning. For benchmarks and for trying LM weights while no
 * acoustic model exists; it measures the decoder, not recognition.
 */
import type { Vocabulary } from '../../src-main/engine/decode';

/** Letters a model tends to mistake for each other. */
const SOUNDS_LIKE: Record<string, string> = {
  a: 'e',
  b: 'p',
  c: 'k',
  d: 't',
  e: 'i',
  f: 'v',
  g: 'k',
  h: 'a',
  i: 'e',
  j: 'g',
  k: 'c',
  l: 'r',
  m: 'n',
  n: 'm',
  o: 'u',
  p: 'b',
  q: 'k',
  r: 'l',
  s: 'z',
  t: 'd',
  u: 'o',
  v: 'f',
  w: 'u',
  x: 's',
  y: 'i',
  z: 's',
  "'": 's',
};

export interface SimulatedCtcOptions {
  /** Chance that a character's spike goes to the sound-alike letter instead. Default 0.08. */
  swapRate?: number;
  /** Chance that a word boundary spike is weak (below the blank). Default 0.05. */
  weakSpaceRate?: number;
}

/** A small LCG returning [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * (numFrames, V) log-probs for `text` (normalised) at 25 frames per second of speech-like pace.
 *
 * @example
 * const { logProbs, numFrames } = simulateCtc('the cat sat', vocab, seededRandom(1));
 */
export function simulateCtc(
  text: string,
  vocab: Vocabulary,
  random: () => number,
  options: SimulatedCtcOptions = {},
): { logProbs: Float32Array; numFrames: number } {
  const swapRate = options.swapRate ?? 0.08;
  const weakSpaceRate = options.weakSpaceRate ?? 0.05;
  const size = vocab.size;
  const blank = vocab.blankId;
  const space = vocab.idOf('\u2581') ?? vocab.idOf(' ');
  const rows: Float64Array[] = [];
  const frame = (masses: [number, number][]): void => {
    const row = new Float64Array(size);
    let given = 0;
    for (const [id, mass] of masses) {
      row[id] = (row[id] ?? 0) + mass;
      given += mass;
    }
    const rest = Math.max(1e-6, 1 - given) / size;
    for (let v = 0; v < size; v++) row[v] = Math.log(row[v]! + rest);
    rows.push(row);
  };
  const blanks = (count: number): void => {
    for (let i = 0; i < count; i++) frame([[blank, 0.97 + 0.029 * random()]]);
  };

  blanks(3 + Math.floor(random() * 5));
  for (const char of text) {
    if (char === ' ') {
      if (space === undefined) continue;
      const weak = random() < weakSpaceRate;
      const p = weak ? 0.2 + 0.2 * random() : 0.5 + 0.45 * random();
      frame([
        [space, p],
        [blank, (1 - p) * 0.95],
      ]);
      blanks(Math.floor(random() * 3));
      continue;
    }
    const id = vocab.idOf(char);
    const alike = vocab.idOf(SOUNDS_LIKE[char] ?? char);
    if (id === undefined) continue;
    const top = 0.55 + 0.44 * random();
    const doubt = (1 - top) * (0.3 + 0.6 * random());
    const swapped = random() < swapRate;
    frame([
      [swapped && alike !== undefined ? alike : id, top],
      [swapped ? id : (alike ?? blank), doubt],
      [blank, (1 - top - doubt) * 0.9],
    ]);
    blanks(Math.floor(random() * 2.5));
  }
  blanks(3 + Math.floor(random() * 5));

  const logProbs = new Float32Array(rows.length * size);
  rows.forEach((row, t) => logProbs.set(row, t * size));
  return { logProbs, numFrames: rows.length };
}
