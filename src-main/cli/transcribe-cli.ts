/**
 * `npm run transcribe`: WAV files in, one transcript file out per input. The logic lives here as
 * a function of arguments and streams (so tests can run it); transcribe.ts is the process entry.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Engine,
  formatTranscript,
  isHarkError,
  loadHotwords,
  probeAudio,
  type DecodingOptions,
  type DecodingReport,
  type Progress,
  type ProviderReport,
} from '../engine';
import { profileOfModelName } from '../engine/profiles/profile-model-name';
import { resolveProfileModel } from '../engine/profiles/resolve-profile-model';
import { writeOutputAtomic } from './atomic-output';
import { outputPathFor } from './output-paths';
import { formatDuration, progressBar, quarterMarksCrossed } from './progress-line';
import {
  parseTranscribeArgs,
  TRANSCRIBE_USAGE,
  UsageError,
  type TranscribeArgs,
} from './transcribe-args';

/** Files at least this long get a progress display. */
const LONG_FILE_SEC = 30;

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export interface CliStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Ctrl-C: stop after the current window, write nothing more. */
  signal?: AbortSignal;
}

/** models/base-en in the repository (two folders above this file). */
export function defaultModelDir(): string {
  return path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    'models',
    'base-en',
  );
}

/** models/lm-en in the repository, beside the base model. */
export function defaultLmDir(): string {
  return path.resolve(defaultModelDir(), '..', 'lm-en');
}

/**
 * The engine's decoding options from the arguments: the bundled LM unless `--lm` says otherwise
 * (none when it is missing, with a note), the hotwords file read and checked.
 */
async function decodingOptions(
  args: TranscribeArgs,
  stderr: CliStreams['stderr'],
): Promise<DecodingOptions> {
  if (args.decoding === 'greedy') return { method: 'greedy' };
  let lmDir = args.lmDir;
  if (lmDir === undefined) {
    lmDir = existsSync(defaultLmDir()) ? defaultLmDir() : null;
    if (lmDir === null) stderr.write(`note: no language model at ${defaultLmDir()}\n`);
  }
  return {
    method: 'beam',
    lmDir,
    ...(args.hotwordsFile === undefined ? {} : { hotwords: await loadHotwords(args.hotwordsFile) }),
    ...(args.beamWidth === undefined ? {} : { beamWidth: args.beamWidth }),
    ...(args.alpha === undefined ? {} : { alpha: args.alpha }),
    ...(args.beta === undefined ? {} : { beta: args.beta }),
  };
}

/** "beam search (width 16) with LM lm-en (α 0.5, β 1.5), 3 hotwords" */
export function describeDecoding(decoding: DecodingReport): string {
  if (decoding.method === 'greedy') return 'greedy';
  const parts = [`beam search (width ${decoding.beamWidth})`];
  parts.push(
    decoding.languageModel
      ? `with LM ${decoding.languageModel.name} (α ${decoding.alpha}, β ${decoding.beta})`
      : 'without LM',
  );
  const text = parts.join(' ');
  return decoding.hotwords ? `${text}, ${decoding.hotwords} hotwords` : text;
}

/** A model as people know it: a profile's by its name, any other by its card's. */
function describeModel(modelName: string): string {
  const profile = profileOfModelName(modelName);
  return profile === undefined ? modelName : `voice profile "${profile}"`;
}

function describeDevice(device: ProviderReport): string {
  const rejected = device.rejected.map((r) => `${r.provider}: ${r.reason}`).join('; ');
  return rejected ? `${device.provider} (not used: ${rejected})` : device.provider;
}

/** One line naming the file and the problem. */
function failureLine(file: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const named = isHarkError(error) && error.file === file ? message : `${file}: ${message}`;
  return `error: ${named.replace(/\s*\n\s*/g, ' ')}\n`;
}

class ProgressDisplay {
  private lastFraction = 0;
  private drawn = false;

  constructor(
    private readonly stderr: CliStreams['stderr'],
    private readonly name: string,
  ) {}

  update(progress: Progress): void {
    if (progress.durationSec < LONG_FILE_SEC || progress.fraction >= 1) return;
    if (this.stderr.isTTY) {
      // A terminal that does not say its width (0, e.g. under `script`) gets 80 columns.
      const columns = this.stderr.columns || 80;
      this.stderr.write(`\r${progressBar(progress, this.name, columns)}\x1b[K`);
      this.drawn = true;
    } else {
      for (const mark of quarterMarksCrossed(this.lastFraction, progress.fraction)) {
        const eta =
          progress.etaSec === undefined ? '' : `, about ${formatDuration(progress.etaSec)} to go`;
        this.stderr.write(`${this.name}: ${mark}%${eta}\n`);
      }
    }
    this.lastFraction = progress.fraction;
  }

  clear(): void {
    if (this.drawn) this.stderr.write('\r\x1b[K');
    this.drawn = false;
  }
}

async function transcribeAll(
  engine: Engine,
  args: TranscribeArgs,
  io: CliStreams,
): Promise<number> {
  const started = performance.now();
  const claimed = new Map<string, string>(); // output path → the input that produced it
  let succeeded = 0;
  let failed = 0;
  let interrupted = false;
  for (const file of args.files) {
    if (io.signal?.aborted) {
      interrupted = true;
      break;
    }
    const target = outputPathFor(file, args.format, args.outDir);
    const resolvedTarget = path.resolve(target);
    const earlier = claimed.get(resolvedTarget);
    if (earlier !== undefined || resolvedTarget === path.resolve(file)) {
      const reason = earlier !== undefined ? `the output of ${earlier}` : 'the input itself';
      io.stderr.write(`error: ${file}: its output ${target} would overwrite ${reason}\n`);
      failed++;
      continue;
    }
    claimed.set(resolvedTarget, file);
    const display = new ProgressDisplay(io.stderr, path.basename(file));
    try {
      // The header alone: problems Hark worked around (e.g. a data size past the end) are worth a line.
      for (const warning of (await probeAudio(file)).warnings)
        io.stderr.write(`warning: ${file}: ${warning}\n`);
      const transcript = await engine.transcribeFile(file, {
        ...(io.signal ? { signal: io.signal } : {}),
        onProgress: (p) => display.update(p),
        ...(args.noSpeechGate ? { skipNonSpeech: false } : {}),
      });
      display.clear();
      await writeOutputAtomic(target, formatTranscript(transcript, args.format));
      succeeded++;
      io.stdout.write(`${target}\n`);
      const { durationSec } = transcript.audio;
      io.stderr.write(
        `done: ${file} -> ${target} (${formatDuration(durationSec)} of audio, real-time factor ${transcript.realTimeFactor.toFixed(3)})\n`,
      );
    } catch (error) {
      display.clear();
      if (io.signal?.aborted && isHarkError(error) && error.code === 'CANCELLED') {
        interrupted = true;
        break;
      }
      failed++;
      io.stderr.write(failureLine(file, error));
    }
  }
  const notDone = args.files.length - succeeded - failed;
  const parts = [`${succeeded} of ${args.files.length} files transcribed`];
  if (failed > 0) parts.push(`${failed} failed`);
  if (interrupted) parts.push(`${notDone} not done (interrupted)`);
  io.stderr.write(
    `${parts.join(', ')} in ${formatDuration((performance.now() - started) / 1000)}\n`,
  );
  if (interrupted) return EXIT_INTERRUPTED;
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

/**
 * Runs the transcribe command and returns its exit code: 0 when every file was transcribed, 1 when
 * any failed (or the model could not start), 2 for bad arguments, 130 when interrupted.
 *
 * @example
 * process.exitCode = await runTranscribeCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
 */
export async function runTranscribeCli(argv: readonly string[], io: CliStreams): Promise<number> {
  let args: TranscribeArgs;
  try {
    args = parseTranscribeArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`error: ${error.message}\n\n${TRANSCRIBE_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (args.help) {
    io.stdout.write(`${TRANSCRIBE_USAGE}\n`);
    return EXIT_OK;
  }
  if (args.outDir !== undefined) {
    try {
      await mkdir(args.outDir, { recursive: true });
    } catch (error) {
      io.stderr.write(
        `error: cannot create the output folder ${args.outDir}: ${(error as Error).message}\n`,
      );
      return EXIT_FAILED;
    }
  }
  let decoding: DecodingOptions;
  try {
    decoding = await decodingOptions(args, io.stderr);
  } catch (error) {
    io.stderr.write(failureLine(args.hotwordsFile ?? '', error));
    return EXIT_FAILED;
  }
  let modelDir = args.modelDir ?? defaultModelDir();
  if (args.profile !== undefined) {
    try {
      modelDir = await resolveProfileModel(args.profile);
    } catch (error) {
      io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      // A name that is no profile is a bad argument, as a mistyped option is.
      return isHarkError(error) && error.code === 'PROFILE_NOT_FOUND' ? EXIT_USAGE : EXIT_FAILED;
    }
  }
  let engine: Engine;
  try {
    engine = await Engine.create({
      modelDir,
      device: args.device,
      ...(args.threads === undefined ? {} : { threads: args.threads }),
      decoding,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`error: the model cannot start: ${message}\n`);
    return EXIT_FAILED;
  }
  try {
    io.stderr.write(
      `model ${describeModel(engine.model.name)} on ${describeDevice(engine.device)}; decoding: ${describeDecoding(engine.decodingInfo)}\n`,
    );
    return await transcribeAll(engine, args, io);
  } finally {
    await engine.dispose();
  }
}
