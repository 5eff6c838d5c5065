/** Command-line arguments of `npm run transcribe`, parsed without any I/O. */
import { DEVICE_CHOICES, type DeviceChoice } from '../engine/runtime/devices';
import { TRANSCRIPT_FORMATS, type TranscriptFormat } from '../engine/output';
import {
  BEAM_WIDTH_RANGE,
  DECODING_METHODS,
  DEFAULT_DECODING,
  type DecodingMethod,
} from '../engine/transcribe/decoding-defaults';

export interface TranscribeArgs {
  files: string[];
  format: TranscriptFormat;
  /** Output folder; undefined writes each output beside its input. */
  outDir: string | undefined;
  /** Model folder; undefined means the bundled default (or the profile's model). */
  modelDir: string | undefined;
  /** A voice profile whose kept fine-tuned model transcribes (not with --model). */
  profile: string | undefined;
  device: DeviceChoice;
  threads: number | undefined;
  /** Greedy or beam search (given, implied by a beam-only option, or the default). */
  decoding: DecodingMethod;
  /** Beam search: a language-model folder; null for none (`--lm none`); undefined: the bundled one. */
  lmDir: string | null | undefined;
  /** Beam search: a hotwords file ("phrase" or "phrase :boost" a line). */
  hotwordsFile: string | undefined;
  beamWidth: number | undefined;
  /** LM weight and word bonus; undefined: the LM's tuned values (lm.json). */
  alpha: number | undefined;
  beta: number | undefined;
  /** Run the model on every window, even those the speech gate takes for silence or noise. */
  noSpeechGate: boolean;
  help: boolean;
}

export const TRANSCRIBE_USAGE = `Usage: npm run transcribe -- FILE... [options]

Transcribes WAV files; writes one output per input, named after it.

Options:
  --format txt|json|srt|vtt   output format (default: txt)
  --out DIR                   folder for the outputs (default: beside each input)
  --model DIR                 model folder (default: models/base-en)
  --profile NAME              transcribe with a voice profile's fine-tuned model
                              (npm run finetune makes one; not with --model; profiles
                              live in $HARK_DATA_DIR/profiles, else the app's)
  --device auto|cpu|cuda|dml|coreml|webgpu
                              execution provider (default: auto)
  --threads N                 CPU threads for the model (default: one per core)
  --decoding greedy|beam      best-path decoding, or prefix beam search with a language
                              model (default: ${DEFAULT_DECODING.method}; --lm DIR, --hotwords,
                              --beam-width, --alpha and --beta imply beam)
  --lm DIR|FILE|none          language model for beam search: a folder (lm.bin, lm.arpa or
                              lm.arpa.gz) or a model file, ARPA included (default: models/lm-en)
  --hotwords FILE             words and phrases to favour, one a line, "phrase :boost" to
                              set a boost (beam search)
  --beam-width N              hypotheses kept per frame (default: ${DEFAULT_DECODING.beamWidth})
  --alpha X, --beta X         LM weight and word bonus (default: the LM's tuned values)
  --no-speech-gate            run the model on every window, even stretches it skips as
                              digital silence or steady noise (for very quiet speech or
                              speech under a loud hum)
  -h, --help                  show this help

Exit code 0 when every file was transcribed, 1 when any failed, 2 for bad arguments.`;

/** A usage problem: the CLI prints it with the usage text and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const VALUE_OPTIONS = [
  '--format',
  '--out',
  '--model',
  '--profile',
  '--device',
  '--threads',
  '--decoding',
  '--lm',
  '--hotwords',
  '--beam-width',
  '--alpha',
  '--beta',
] as const;
/** Options that only mean something to beam search. */
const BEAM_OPTIONS = ['--lm', '--hotwords', '--beam-width', '--alpha', '--beta'] as const;
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

function finiteNumber(option: string, value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || value.trim() === '') {
    throw new UsageError(`${option} must be a number, got "${value}"`);
  }
  return number;
}

/**
 * Parses `FILE... [--format F] [--out DIR] [--model DIR] [--device D] [--threads N]
 * [--decoding greedy|beam] [--lm DIR|none] [--hotwords FILE] [--beam-width N] [--alpha X]
 * [--beta X] [--no-speech-gate]`; options may also be written `--name=value`, and `--` ends the options. Throws
 * UsageError on anything else, and for a beam-only option with `--decoding greedy`.
 *
 * @example
 * parseTranscribeArgs(['a.wav', '--format', 'srt', '--out', 'subs', '--hotwords', 'names.txt']);
 * // { files: ['a.wav'], format: 'srt', outDir: 'subs', decoding: 'beam', hotwordsFile: 'names.txt', ... }
 */
export function parseTranscribeArgs(argv: readonly string[]): TranscribeArgs {
  const args: TranscribeArgs = {
    files: [],
    format: 'txt',
    outDir: undefined,
    modelDir: undefined,
    profile: undefined,
    device: 'auto',
    threads: undefined,
    decoding: DEFAULT_DECODING.method,
    lmDir: undefined,
    hotwordsFile: undefined,
    beamWidth: undefined,
    alpha: undefined,
    beta: undefined,
    noSpeechGate: false,
    help: false,
  };
  let decoding: DecodingMethod | undefined;
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
    if (arg === '--no-speech-gate') {
      args.noSpeechGate = true;
      continue;
    }
    if (arg.startsWith('--no-speech-gate=')) {
      throw new UsageError('--no-speech-gate takes no value');
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
      case '--profile':
        args.profile = value;
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
      case '--decoding':
        decoding = oneOf(name, value, DECODING_METHODS);
        break;
      case '--lm':
        args.lmDir = value === 'none' ? null : value;
        break;
      case '--hotwords':
        args.hotwordsFile = value;
        break;
      case '--beam-width': {
        const width = Number(value);
        const { min, max } = BEAM_WIDTH_RANGE;
        if (!/^\d+$/.test(value) || width < min || width > max) {
          throw new UsageError(
            `--beam-width must be a whole number from ${min} to ${max}, got "${value}"`,
          );
        }
        args.beamWidth = width;
        break;
      }
      case '--alpha':
        args.alpha = finiteNumber(name, value);
        break;
      case '--beta':
        args.beta = finiteNumber(name, value);
        break;
    }
  }
  if (seen.has('--model') && seen.has('--profile')) {
    throw new UsageError('--model and --profile both choose the model: give one');
  }
  const beamOnly = BEAM_OPTIONS.filter((option) => seen.has(option));
  // `--lm none` asks for nothing beam-specific, so it is allowed with greedy decoding.
  const needsBeam = beamOnly.filter((option) => option !== '--lm' || args.lmDir !== null);
  if (decoding === 'greedy' && needsBeam.length > 0) {
    throw new UsageError(`${needsBeam.join(', ')} only applies to --decoding beam`);
  }
  args.decoding = decoding ?? (needsBeam.length > 0 ? 'beam' : DEFAULT_DECODING.method);
  if (!args.help && args.files.length === 0) throw new UsageError('no input files given');
  return args;
}
