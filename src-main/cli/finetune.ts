/**
 * Entry of `npm run finetune -- --profile NAME [--data MANIFEST] [--create] ...`. See
 * finetune-cli.ts. Like transcribe.ts it runs under `node --import tsx`, so Ctrl-C reaches this
 * process: the first one stops after the current step and saves a checkpoint (the next run
 * resumes it); a second one quits at once (the last checkpoint still resumes).
 */
import { EXIT_INTERRUPTED, runFinetuneCli } from './finetune-cli';

// npm runs scripts in the package folder; paths on the command line are the user's.
if (process.env.npm_lifecycle_event === 'finetune' && process.env.INIT_CWD) {
  process.chdir(process.env.INIT_CWD);
}

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
  process.stderr.write(
    '\ninterrupted: saving the run after the current step (Ctrl-C again to quit now)\n',
  );
  controller.abort();
});

runFinetuneCli(process.argv.slice(2), {
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
