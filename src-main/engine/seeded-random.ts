/**
 * Seeded pseudo-randomness for everything that must be reproducible (batching, initialisation,
 * augmentation): the same seed gives the same sequence on every machine.
 */

/**
 * Mulberry32: a small, fast, seeded generator of uniform 32-bit unsigned integers.
 *
 * @example
 * const next = seededUint32(7);
 * next(); // always the same first value for seed 7, in [0, 2³²)
 */
export function seededUint32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Mulberry32's numbers as uniform numbers in [0, 1).
 *
 * @example
 * const random = seededRandom(7);
 * random(); // always the same first value for seed 7
 */
export function seededRandom(seed: number): () => number {
  const next = seededUint32(seed);
  return () => next() / 4294967296;
}

/** Fisher–Yates shuffle driven by `random`; returns `items`. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
