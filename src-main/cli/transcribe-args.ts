/** Command-line arguments of `npm run transcribe`, parsed without any I/O. */
import { DEVICE_CHOICES, type DeviceChoice } from '../engine/runtime/devices';
import { TRANSCRIPT_FORMATS, type TranscriptFormat } from '../engine/output';

export interface TranscribeArgs {
  files: string[];
  format: TranscriptFormat;
  /** Output folder; undefined writes each output beside its input. */
  outDir: string | undefined;
  /** Model folder; undefined means the bundled default. */
  modelDir: string | undefined;
  device: DeviceChoice;
  threads: number | undefined;
  help: boolean;
}

export const TRANSCRIBE_USAGE = `Usage: npm run transcribe -- FILE... [options]

Transcribes WAV files; writes one output per input, named after it.

Options:
  --format txt|json|srt|vtt   output format (default: txt)
  --out DIR                   folder for the outputs (default: beside each input)
  --model DIR                 model folder (default: models/base-en)
  --device auto|cpu|cuda|dml|coreml|webgpu
                              execution provider (default: auto)
  --threads N                 CPU threads for the model (default: one per core)
  -h, --help                  show this help

Exit code 0 when every file was transcribed, 1 when any failed, 2 for bad arguments.`;

/** A usage problem: the CLI prints it with the usage text and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const VALUE_OPTIONS = ['--format', '--out', '--model', '--device', '--threads'] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

function isValueOption(name: string): name is ValueOption {
  return (VALUE_OPTIONS as readonly string[]).includes(name);
}

function oneOf<T extends string>(option: string, value: string, choices: readonly T[]): T {
  const choice = choices.find((c) => c === value);
  if (choice === undefined) {
    throw new UsageError(`${option} must be one of ${choices.join(', ')}, got "${value}"`);
  }
  return choice;
}

/**
 * Parses `FILE... [--format F] [--out DIR] [--model DIR] [--device D] [--threads N]`; options may
 * also be written `--name=value`, and `--` ends the options. Throws UsageError on anything else.
 *
 * @example
 * parseTranscribeArgs(['a.wav', '--format', 'srt', '--out', 'subs']);
 * // { files: ['a.wav'], format: 'srt', outDir: 'subs', device: 'auto', ... }
 */
export function parseTranscribeArgs(argv: readonly string[]): TranscribeArgs {
  const args: TranscribeArgs = {
    files: [],
    format: 'txt',
    outDir: undefined,
    modelDir: undefined,
    device: 'auto',
    threads: undefined,
    help: false,
  };
  const seen = new Set<string>();
  let onlyFiles = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyFiles || !arg.startsWith('-') || arg === '-') {
      args.files.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyFiles = true;
      continue;
    }
    if (arg === '-h' || arg === '--help') {
      args.help = true;
      continue;
    }
    const equals = arg.indexOf('=');
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    if (!isValueOption(name)) throw new UsageError(`unknown option ${name}`);
    let value: string | undefined;
    if (equals > 0) value = arg.slice(equals + 1);
    else value = argv[++i];
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    if (seen.has(name)) throw new UsageError(`${name} is given twice`);
    seen.add(name);
    switch (name) {
      case '--format':
        args.format = oneOf(name, value, TRANSCRIPT_FORMATS);
        break;
      case '--out':
        args.outDir = value;
        break;
      case '--model':
        args.modelDir = value;
        break;
      case '--device':
        args.device = oneOf(name, value, DEVICE_CHOICES);
        break;
      case '--threads': {
        const threads = Number(value);
        if (!/^\d+$/.test(value) || threads < 1 || threads > 256) {
          throw new UsageError(`--threads must be a whole number from 1 to 256, got "${value}"`);
        }
        args.threads = threads;
        break;
      }
    }
  }
  if (!args.help && args.files.length === 0) throw new UsageError('no input files given');
  return args;
}
