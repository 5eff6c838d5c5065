/** Command-line arguments of `npm run finetune`, parsed without any I/O. */
import { parseArgs } from 'node:util';
import { DEFAULT_RECIPE } from '../engine/profiles/finetune-recipe';
import { DEVICE_CHOICES, type DeviceChoice } from '../engine/runtime/devices';
import { UsageError } from './transcribe-args';

export type KeepPolicy = 'auto' | 'yes' | 'no';

export interface FinetuneArgs {
  profile: string;
  /** NeMo manifests to import before training. */
  manifests: string[];
  /** Folders of WAV + .txt pairs to import before training. */
  folders: string[];
  create: boolean;
  /** Base model folder for --create; undefined means models/base-en. */
  baseModelDir: string | undefined;
  /** Profiles root; undefined means $HARK_DATA_DIR/profiles or the platform default. */
  root: string | undefined;
  /** Import at most this many utterances of each manifest. */
  limit: number | undefined;
  maxTrainingSec: number;
  /** Recipe overrides. */
  maxEpochs: number | undefined;
  maxSteps: number | undefined;
  patience: number | undefined;
  device: DeviceChoice;
  threads: number | undefined;
  keep: KeepPolicy;
  /** Only throw away a pending or interrupted run. */
  discard: boolean;
  /** Only import, do not train. */
  importOnly: boolean;
  help: boolean;
}

export const FINETUNE_USAGE = `Usage: npm run finetune -- --profile NAME [--data MANIFEST]... [options]

Fine-tunes Hark's model on one voice: imports recordings into the profile, trains on them with
10-20 % held back, prints the word error rate before and after, and keeps the new model when it
is better. A killed or interrupted run resumes when the same command runs again.

Options:
  --profile NAME        the voice profile (required)
  --create              create the profile if it does not exist
  --data MANIFEST       import a NeMo manifest (audio_filepath, duration, text) first
  --folder DIR          import a folder of NAME.wav + NAME.txt pairs first
  --limit N             import at most N utterances of each manifest
  --base DIR            base model for --create (default: models/base-en)
  --root DIR            profiles folder (default: $HARK_DATA_DIR/profiles, else the app's)
  --max-sec N           training time budget in seconds (default: 120; the first
                        epoch always runs whole)
  --max-epochs N        passes over the recordings at most (default: ${DEFAULT_RECIPE.maxEpochs})
  --max-steps N         train steps at most (default: ${DEFAULT_RECIPE.maxSteps}: what a 2-core CPU fits
                        in 120 s; more steps move the profile further from the base model)
  --patience N          stop after N epochs without a better held-back score, the mean of
                        WER and CER (default: ${DEFAULT_RECIPE.patience})
  --keep auto|yes|no    keep the new model: when it is better (auto, default), always, or leave
                        the result waiting (no)
  --discard             throw away the profile's pending or interrupted run and stop
  --import-only         import the data and stop
  --device auto|cpu|cuda|dml|coreml|webgpu
                        execution provider for training (default: cpu)
  --threads N           CPU threads (default: one per core)
  -h, --help            show this help

Exit code 0 on success, 1 on failure (e.g. too little data), 2 for bad arguments, 130 when
interrupted (the run resumes next time).`;

function positiveNumber(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) {
    throw new UsageError(`${option} must be a positive number, got "${value}"`);
  }
  return number;
}

function positiveInteger(option: string, value: string | undefined): number | undefined {
  const number = positiveNumber(option, value);
  if (number !== undefined && !Number.isInteger(number)) {
    throw new UsageError(`${option} must be a whole number, got "${value}"`);
  }
  return number;
}

/**
 * @example
 * parseFinetuneArgs(['--profile', 'Ada', '--data', 'ada/manifest.jsonl', '--create']);
 */
export function parseFinetuneArgs(argv: readonly string[]): FinetuneArgs {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}"`);
  }
  const help = values.help === true;
  if (!help && (values.profile === undefined || values.profile.trim() === '')) {
    throw new UsageError('--profile NAME is required');
  }
  const device = values.device ?? 'cpu';
  if (!(DEVICE_CHOICES as readonly string[]).includes(device)) {
    throw new UsageError(`--device must be one of ${DEVICE_CHOICES.join(', ')}, got "${device}"`);
  }
  const keep = values.keep ?? 'auto';
  if (keep !== 'auto' && keep !== 'yes' && keep !== 'no') {
    throw new UsageError(`--keep must be auto, yes or no, got "${keep}"`);
  }
  return {
    profile: values.profile ?? '',
    manifests: values.data ?? [],
    folders: values.folder ?? [],
    create: values.create === true,
    baseModelDir: values.base,
    root: values.root,
    limit: positiveInteger('--limit', values.limit),
    maxTrainingSec: positiveNumber('--max-sec', values['max-sec']) ?? 120,
    maxEpochs: positiveInteger('--max-epochs', values['max-epochs']),
    maxSteps: positiveInteger('--max-steps', values['max-steps']),
    patience: positiveInteger('--patience', values.patience),
    device: device as DeviceChoice,
    threads: positiveInteger('--threads', values.threads),
    keep,
    discard: values.discard === true,
    importOnly: values['import-only'] === true,
    help,
  };
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      profile: { type: 'string' },
      data: { type: 'string', multiple: true },
      folder: { type: 'string', multiple: true },
      create: { type: 'boolean' },
      base: { type: 'string' },
      root: { type: 'string' },
      limit: { type: 'string' },
      'max-sec': { type: 'string' },
      'max-epochs': { type: 'string' },
      'max-steps': { type: 'string' },
      patience: { type: 'string' },
      device: { type: 'string' },
      threads: { type: 'string' },
      keep: { type: 'string' },
      discard: { type: 'boolean' },
      'import-only': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
