/**
 * Runs render batches on `jobs` worker processes (or in this process for one job). Each worker
 * takes the next batch when it finishes one; a worker that dies is replaced and the rest of its
 * batch is reported as failed (a later run re-creates those files).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HarkError } from '../../src-main/engine/errors';
import type { UtterancePlan } from './plan';
import { renderBatch, type RenderContext, type UtteranceResult } from './render';

export type WorkerRequest =
  | { type: 'render'; batchId: number; utterances: UtterancePlan[]; context: RenderContext }
  | { type: 'exit' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'result'; batchId: number; result: UtteranceResult }
  | { type: 'batch-done'; batchId: number }
  | { type: 'batch-failed'; batchId: number; error: string };

export interface PoolOptions {
  jobs: number;
  /** The corpus folder and sample rate; each worker gets its own `workDir` under `workRoot`. */
  outDir: string;
  workRoot: string;
  sampleRate: number;
}

const WORKER_FILE = join(fileURLToPath(new URL('.', import.meta.url)), 'worker.ts');

/** Node flags that let a child process run TypeScript through tsx. */
function tsxLoaderArguments(): string[] {
  const loader = createRequire(import.meta.url).resolve('tsx');
  return ['--import', pathToFileURL(loader).href];
}

/**
 * Renders all batches, calling `onResult` for every utterance as it is written.
 *
 * @example
 * await runBatches(batches, { jobs: 2, outDir, workRoot: join(outDir, '.work'), sampleRate: 16000 },
 *   (result) => progress.add(result));
 */
export async function runBatches(
  batches: readonly UtterancePlan[][],
  options: PoolOptions,
  onResult: (result: UtteranceResult) => void,
): Promise<void> {
  if (options.jobs <= 1) {
    const context = {
      outDir: options.outDir,
      workDir: join(options.workRoot, 'main'),
      sampleRate: options.sampleRate,
    };
    for (const batch of batches) await renderBatch(batch, context, onResult);
    return;
  }
  const queue = batches.map((utterances, batchId) => ({ batchId, utterances }));
  let next = 0;
  let workerCount = 0;

  await new Promise<void>((resolve, reject) => {
    let running = 0;
    const startWorker = (): void => {
      if (next >= queue.length) {
        if (running === 0) resolve();
        return;
      }
      workerCount += 1;
      const workDir = join(options.workRoot, `worker-${workerCount}`);
      const child: ChildProcess = fork(WORKER_FILE, [], {
        execArgv: tsxLoaderArguments(),
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      running += 1;
      let started = false;
      let current:
        { batchId: number; utterances: UtterancePlan[]; reported: Set<string> } | undefined;
      const giveWork = (): void => {
        const item = queue[next];
        if (!item) {
          current = undefined;
          child.send({ type: 'exit' } satisfies WorkerRequest);
          return;
        }
        next += 1;
        current = { ...item, reported: new Set() };
        const context: RenderContext = {
          outDir: options.outDir,
          workDir,
          sampleRate: options.sampleRate,
        };
        child.send({
          type: 'render',
          batchId: item.batchId,
          utterances: item.utterances,
          context,
        } satisfies WorkerRequest);
      };
      child.on('message', (message: WorkerReply) => {
        if (message.type === 'ready' || message.type === 'batch-done') {
          started = true;
          giveWork();
        } else if (message.type === 'result') {
          current?.reported.add(message.result.id);
          onResult(message.result);
        } else {
          failRest(message.error);
          giveWork();
        }
      });
      const failRest = (why: string): void => {
        if (!current) return;
        for (const utterance of current.utterances) {
          if (current.reported.has(utterance.id)) continue;
          onResult({
            id: utterance.id,
            synthesizer: utterance.voice.synthesizer,
            error: why,
            cleanSec: 0,
            synthesisSec: 0,
            augmentationSec: 0,
          });
        }
        current = undefined;
      };
      child.on('exit', (code, signal) => {
        running -= 1;
        if (!started) {
          reject(new HarkError('INTERNAL', `a corpus worker could not start (${signal ?? code})`));
          return;
        }
        if (current) {
          failRest(`worker exited (${signal ?? code}) during its batch`);
          startWorker();
        } else if (next < queue.length) startWorker();
        else if (running === 0) resolve();
      });
    };
    for (let k = 0; k < Math.min(options.jobs, queue.length); k += 1) startWorker();
    if (queue.length === 0) resolve();
  });
}
