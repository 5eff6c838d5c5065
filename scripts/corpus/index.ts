/**
 * `npm run corpus -- [--out DIR] [--hours H] [--dev-hours H] [--test-hours H] [--seed S]
 *   [--jobs N] [--test-only] [--text DIR]`
 *
 * Makes the synthetic speech corpus for the base model: train/dev/test WAVs with NeMo manifests
 * and a corpus.json summary. Run it again with the same options to continue a stopped run.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { HarkError, isHarkError } from '../../src-main/engine/errors';
import { runCorpus } from './run';

const USAGE = `usage: npm run corpus -- [options]
  --out DIR          output folder (default work-data/corpus)
  --hours H          hours of training audio (default 40)
  --dev-hours H      hours of dev audio (default 0.5)
  --test-hours H     hours of held-out test audio (default 0.5)
  --seed S           random seed (default 1)
  --jobs N           worker processes (default 2)
  --test-only        make only the test split
  --text DIR         folder with the text sources (default ../shared/data/text)`;

function positiveNumber(name: string, value: string, allowZero = true): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || (!allowZero && number === 0)) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, not "${value}"`,
    );
  }
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'work-data/corpus' },
      hours: { type: 'string', default: '40' },
      'dev-hours': { type: 'string', default: '0.5' },
      'test-hours': { type: 'string', default: '0.5' },
      seed: { type: 'string', default: '1' },
      jobs: { type: 'string', default: '2' },
      'test-only': { type: 'boolean', default: false },
      text: { type: 'string', default: '../shared/data/text' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const seed = positiveNumber('seed', values.seed);
  const jobs = positiveNumber('jobs', values.jobs, false);
  if (!Number.isInteger(seed) || !Number.isInteger(jobs)) {
    throw new HarkError('INVALID_ARGUMENT', '--seed and --jobs must be whole numbers');
  }
  const summary = await runCorpus({
    outDir: resolve(values.out),
    textDir: resolve(values.text),
    seed,
    jobs,
    testOnly: values['test-only'],
    hours: {
      train: positiveNumber('hours', values.hours),
      dev: positiveNumber('dev-hours', values['dev-hours']),
      test: positiveNumber('test-hours', values['test-hours']),
    },
  });
  if (summary.status !== 'complete') process.exitCode = 2;
}

main().catch((error: unknown) => {
  if (isHarkError(error)) process.stderr.write(`corpus: ${error.message}\n`);
  else if (
    error instanceof TypeError &&
    'code' in error &&
    String(error.code).startsWith('ERR_PARSE_ARGS')
  ) {
    process.stderr.write(`corpus: ${error.message}\n${USAGE}\n`);
  } else
    process.stderr.write(
      `corpus: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  process.exitCode = 1;
});
