/**
 * A corpus worker process: receives batches from `pool.ts` over the IPC channel, renders them
 * and reports every utterance. It exits when told to, or when its parent goes away.
 */
import { renderBatch } from './render';
import type { WorkerReply, WorkerRequest } from './pool';

function send(message: WorkerReply): void {
  process.send?.(message);
}

process.on('disconnect', () => process.exit(0));

process.on('message', (message: WorkerRequest) => {
  if (message.type === 'exit') {
    process.disconnect();
    return;
  }
  renderBatch(message.utterances, message.context, (result) =>
    send({ type: 'result', batchId: message.batchId, result }),
  ).then(
    () => send({ type: 'batch-done', batchId: message.batchId }),
    (error: unknown) =>
      send({
        type: 'batch-failed',
        batchId: message.batchId,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
});

send({ type: 'ready' });
