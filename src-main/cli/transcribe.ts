/**
 * Entry of `npm run transcribe -- FILE... [--format txt|json|srt|vtt] [--out DIR] [--model DIR]
 * [--device auto|cpu|cuda|dml|coreml|webgpu] [--threads N] [--decoding greedy|beam] [--lm DIR|none]
 * [--hotwords FILE] [--beam-width N] [--alpha X] [--beta X]`. See transcribe-cli.ts.
 *
 * The npm script runs `node --import tsx` rather than the `tsx` launcher: the launcher forwards
 * Ctrl-C to its child and kills it outright when the child does not answer within 30 ms, which a
 * process busy in a model run cannot do; a plain Node process handles Ctrl-C itself, finishes the
 * current window and leaves no temporary file behind.
 */
import { removeTemporaryOutputs } from './atomic-output';
import { EXIT_INTERRUPTED, runTranscribeCli } from './transcribe-cli';

// npm runs scripts in the package folder; paths on the command line are the user's.
if (process.env.npm_lifecycle_event === 'transcribe' && process.env.INIT_CWD) {
  process.chdir(process.env.INIT_CWD);
}

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) {
    // Second Ctrl-C: leave now, but never leave a half-written output behind.
    removeTemporaryOutputs();
    process.exit(EXIT_INTERRUPTED);
  }
  process.stderr.write(
    '\ninterrupted: stopping after the current part (Ctrl-C again to quit now)\n',
  );
  controller.abort();
});
process.on('exit', removeTemporaryOutputs);

runTranscribeCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
