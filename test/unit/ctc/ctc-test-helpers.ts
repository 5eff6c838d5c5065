/**
 * Test-side ground truth for CTC: brute-force enumeration of every alignment, plus seeded random
 * inputs. Shared by the unit tests of the reference and the engine tests of the ONNX loss.
 */

export interface BruteForceInput {
  logProbs: ArrayLike<number>;
  frameCount: number;
  vocabSize: number;
  targets: readonly number[];
  blankId: number;
}

export interface BruteForceResult {
  /** Sum of the probabilities of all alignments that collapse to the target. */
  probability: number;
  /** -log(probability); Infinity when no alignment collapses to the target. */
  loss: number;
  /** d loss / d logProbs, row-major (T, V). */
  gradLogProbs: Float64Array;
  /** d loss / d z with logProbs = logSoftmax(z), by the chain rule through the softmax Jacobian. */
  gradLogits: Float64Array;
}

/** Collapses an alignment the CTC way: merge repeats, then drop blanks. */
export function collapseAlignment(alignment: readonly number[], blankId: number): number[] {
  const labels: number[] = [];
  let previous = -1;
  for (const symbol of alignment) {
    if (symbol !== previous && symbol !== blankId) labels.push(symbol);
    previous = symbol;
  }
  return labels;
}

/** Enumerates all vocabSize^frameCount alignments (keep it tiny: T <= 6, V <= 3). */
export function bruteForceCtc(input: BruteForceInput): BruteForceResult {
  const { logProbs, frameCount, vocabSize, targets, blankId } = input;
  const pathMass = new Float64Array(frameCount * vocabSize);
  let probability = 0;
  const alignment = new Array<number>(frameCount).fill(0);
  const alignmentCount = vocabSize ** frameCount;
  for (let index = 0; index < alignmentCount; index++) {
    let rest = index;
    let logPath = 0;
    for (let t = 0; t < frameCount; t++) {
      const symbol = rest % vocabSize;
      rest = Math.floor(rest / vocabSize);
      alignment[t] = symbol;
      logPath += logProbs[t * vocabSize + symbol] ?? Number.NaN;
    }
    const collapsed = collapseAlignment(alignment, blankId);
    if (collapsed.length !== targets.length || collapsed.some((v, i) => v !== targets[i])) {
      continue;
    }
    const pathProbability = Math.exp(logPath);
    probability += pathProbability;
    for (let t = 0; t < frameCount; t++) {
      const cell = t * vocabSize + (alignment[t] ?? 0);
      pathMass[cell] = (pathMass[cell] ?? 0) + pathProbability;
    }
  }

  // d(-log P)/d logProbs(t, k) = -(mass of the paths through (t, k)) / P.
  const gradLogProbs = pathMass.map((mass) => -mass / probability);
  const gradLogits = new Float64Array(frameCount * vocabSize);
  for (let t = 0; t < frameCount; t++) {
    const row = t * vocabSize;
    const softmax = softmaxRow(logProbs, row, vocabSize);
    for (let j = 0; j < vocabSize; j++) {
      let sum = 0;
      for (let k = 0; k < vocabSize; k++) {
        const jacobian = (k === j ? 1 : 0) - (softmax[j] ?? 0);
        sum += (gradLogProbs[row + k] ?? 0) * jacobian;
      }
      gradLogits[row + j] = sum;
    }
  }
  return { probability, loss: -Math.log(probability), gradLogProbs, gradLogits };
}

function softmaxRow(values: ArrayLike<number>, start: number, length: number): Float64Array {
  const row = Float64Array.from({ length }, (_, k) => values[start + k] ?? 0);
  const max = Math.max(...row);
  const exps = row.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / sum);
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random logits, row-major (rows, columns), uniform in [-scale, scale]. */
export function randomLogits(
  random: () => number,
  options: { rows: number; columns: number; scale: number },
): Float64Array {
  return Float64Array.from(
    { length: options.rows * options.columns },
    () => (2 * random() - 1) * options.scale,
  );
}

/** Row-wise log-softmax of a row-major matrix. */
export function logSoftmaxRows(values: ArrayLike<number>, columns: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let row = 0; row < values.length; row += columns) {
    let max = -Infinity;
    for (let k = 0; k < columns; k++) max = Math.max(max, values[row + k] ?? -Infinity);
    let sum = 0;
    for (let k = 0; k < columns; k++) sum += Math.exp((values[row + k] ?? 0) - max);
    const logSum = max + Math.log(sum);
    for (let k = 0; k < columns; k++) out[row + k] = (values[row + k] ?? 0) - logSum;
  }
  return out;
}

/** Random label ids that avoid the blank. */
export function randomTargets(
  random: () => number,
  options: { length: number; vocabSize: number; blankId: number },
): number[] {
  const labels = Array.from({ length: options.vocabSize }, (_, k) => k).filter(
    (k) => k !== options.blankId,
  );
  return Array.from(
    { length: options.length },
    () => labels[Math.floor(random() * labels.length)] ?? 0,
  );
}
