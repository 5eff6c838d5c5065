/**
 * Times the ONNX CTC loss (forward + backward) on CPU and checks it against the float64
 * reference on the same batch. A script, not a test: `npx tsx test/engine/train/ctc/ctc-benchmark.ts`
 * Environment: N, T, L, V (batch, frames, labels, vocabulary), THREADS, REPS.
 */
import { GraphBuilder } from '../../../../src-main/engine/onnx';
import { openSession } from '../../../../src-main/engine/runtime/onnx-runtime';
import type { TensorValue } from '../../../../src-main/engine/runtime/onnx-runtime';
import { emitCtcLoss } from '../../../../src-main/engine/train/ctc/ctc-graph';
import { ctcLossReference } from '../../../../src-main/engine/train/ctc/ctc-reference';
import {
  logSoftmaxRows,
  randomLogits,
  randomTargets,
  seededRandom,
} from '../../../unit/ctc/ctc-test-helpers';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const batch = env('N', 16);
const frames = env('T', 250);
const maxLabels = env('L', 120);
const vocabSize = env('V', 30);
const threads = env('THREADS', 1);
const reps = env('REPS', 10);
const blankId = vocabSize - 1;

function buildModel(withGradient: boolean): Uint8Array {
  const g = new GraphBuilder({ name: 'ctc_benchmark' });
  const out = emitCtcLoss(
    g,
    {
      scores: g.input('logits', 'float32', ['N', 'T', vocabSize]),
      targets: g.input('targets', 'int64', ['N', 'L']),
      inputLengths: g.input('input_lengths', 'int64', ['N']),
      targetLengths: g.input('target_lengths', 'int64', ['N']),
    },
    { blankId, withGradient },
  );
  g.output(out.loss, 'loss');
  if (out.gradient) g.output(out.gradient, 'gradient');
  return g.toModelBytes();
}

async function main(): Promise<void> {
  const random = seededRandom(2024);
  const logits = Float32Array.from(
    randomLogits(random, { rows: batch * frames, columns: vocabSize, scale: 3 }),
  );
  const inputLengths = Array.from({ length: batch }, (_, n) =>
    n === 0 ? frames : frames - Math.floor(random() * frames * 0.2),
  );
  const targetLengths = Array.from({ length: batch }, (_, n) =>
    n === 0 ? maxLabels : maxLabels - Math.floor(random() * maxLabels * 0.3),
  );
  const targets = new BigInt64Array(batch * maxLabels);
  const targetLists = targetLengths.map((length, n) => {
    const list = randomTargets(random, { length, vocabSize, blankId });
    list.forEach((label, i) => (targets[n * maxLabels + i] = BigInt(label)));
    return list;
  });
  const feeds: Record<string, TensorValue> = {
    logits: { type: 'float32', data: logits, dims: [batch, frames, vocabSize] },
    targets: { type: 'int64', data: targets, dims: [batch, maxLabels] },
    input_lengths: { type: 'int64', data: BigInt64Array.from(inputLengths, BigInt), dims: [batch] },
    target_lengths: {
      type: 'int64',
      data: BigInt64Array.from(targetLengths, BigInt),
      dims: [batch],
    },
  };

  for (const withGradient of [true, false]) {
    const session = await openSession(buildModel(withGradient), {
      device: 'cpu',
      threads,
      warmUpFeeds: 'skip',
    });
    const outputs = await session.run(feeds);
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let r = 0; r < reps; r++) await session.run(feeds);
    const ms = (performance.now() - start) / reps;
    const cpu = process.cpuUsage(cpuStart);
    const cpuMs = (cpu.user + cpu.system) / 1000 / reps;
    // CPU time is the steadier figure on a shared machine; wall time is what a step waits.
    console.log(
      `${withGradient ? 'forward+backward' : 'forward only    '}: ${ms.toFixed(1)} ms wall, ` +
        `${cpuMs.toFixed(1)} ms CPU ` +
        `(N=${batch}, T=${frames}, L=${maxLabels}, V=${vocabSize}, threads=${threads})`,
    );
    if (withGradient) compareWithReference(outputs, logits, inputLengths, targetLists);
    await session.dispose();
  }
}

function compareWithReference(
  outputs: Record<string, TensorValue>,
  logits: Float32Array,
  inputLengths: number[],
  targetLists: number[][],
): void {
  const loss = outputs.loss?.data as Float32Array;
  const gradient = outputs.gradient?.data as Float32Array;
  let worstLoss = 0;
  let worstGradient = 0;
  const referenceStart = performance.now();
  for (let n = 0; n < batch; n++) {
    const frameCount = inputLengths[n] ?? 0;
    const offset = n * frames * vocabSize;
    const reference = ctcLossReference({
      logProbs: logSoftmaxRows(logits.subarray(offset, offset + frameCount * vocabSize), vocabSize),
      frameCount,
      vocabSize,
      targets: targetLists[n] ?? [],
      blankId,
    });
    if (!reference.feasible) throw new Error(`utterance ${n} is infeasible`);
    worstLoss = Math.max(worstLoss, Math.abs((loss[n] ?? NaN) / reference.loss - 1));
    reference.gradLogits.forEach((value, i) => {
      worstGradient = Math.max(worstGradient, Math.abs(value - (gradient[offset + i] ?? NaN)));
    });
  }
  const referenceMs = performance.now() - referenceStart;
  console.log(
    `vs float64 reference: loss relative error ${worstLoss.toExponential(2)}, ` +
      `gradient max abs error ${worstGradient.toExponential(2)} ` +
      `(reference in TypeScript: ${referenceMs.toFixed(0)} ms)`,
  );
}

void main();
