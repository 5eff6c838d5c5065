/**
 * `npm run finetune`: imports a voice's recordings into a profile, fine-tunes, prints the result
 * and keeps the new model. The logic is a function of arguments and streams (tests run it);
 * finetune.ts is the process entry.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarkError, isHarkError } from '../engine/errors';
import {
  ProfileStore,
  type FineTuneEvent,
  type FineTuneResult,
  type ImportReport,
} from '../engine/profiles';
import { parseFinetuneArgs, FINETUNE_USAGE, type FinetuneArgs } from './finetune-args';
import { formatDuration } from './progress-line';
import { UsageError } from './transcribe-args';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export interface CliStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Ctrl-C: stop after the current step, save a checkpoint. */
  signal?: AbortSignal;
}

/** models/base-en in the repository. */
export function defaultBaseModelDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', 'models', 'base-en');
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

/**
 * One progress line: bar, share done, step, loss, held-back WER, time; it fits in `columns − 1`
 * characters by narrowing the bar, then shortening "held-back WER" to "WER", then cutting.
 *
 * @example
 * trainingLine({ fraction: 0.4, step: 120, loss: 0.53, wer: 0.231, bestWer: 0.21, elapsedSec: 48 }, 80);
 */
export function trainingLine(
  state: {
    fraction: number;
    step: number;
    loss: number | undefined;
    wer: number | undefined;
    bestWer: number | undefined;
    elapsedSec: number;
  },
  columns: number,
  width = 20,
): string {
  const fraction = Math.min(1, Math.max(0, state.fraction));
  const rest = (werLabel: string) => {
    const parts = [`${String(Math.floor(fraction * 100)).padStart(3)}%`, `step ${state.step}`];
    if (state.loss !== undefined) parts.push(`loss ${state.loss.toFixed(3)}`);
    if (state.wer !== undefined) {
      const best = state.bestWer !== undefined ? ` (best ${percent(state.bestWer)})` : '';
      parts.push(`${werLabel} ${percent(state.wer)}${best}`);
    }
    parts.push(formatDuration(state.elapsedSec));
    return parts.join('  ');
  };
  const MIN_BAR = 10;
  // "[" + bar + "]" + two spaces around the rest; the line stays under `columns`.
  const room = (text: string) => columns - 1 - text.length - 4;
  let text = rest('held-back WER');
  if (room(text) < MIN_BAR) text = rest('WER');
  const barWidth = Math.min(width, room(text));
  const filled = Math.round(fraction * Math.max(barWidth, 0));
  const line =
    barWidth >= MIN_BAR ? `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]  ${text}` : text;
  return line.length > columns - 1 ? line.slice(0, Math.max(0, columns - 1)) : line;
}

class TrainingDisplay {
  private state = {
    fraction: 0,
    step: 0,
    loss: undefined as number | undefined,
    wer: undefined as number | undefined,
    bestWer: undefined as number | undefined,
    elapsedSec: 0,
  };
  private drawn = false;

  constructor(private readonly stderr: CliStreams['stderr']) {}

  update(event: FineTuneEvent): void {
    const tty = this.stderr.isTTY === true;
    switch (event.type) {
      case 'preparing':
        if (tty) this.draw(`preparing the recordings ${Math.round(event.fraction * 100)}%`);
        return;
      case 'resumed':
        this.clear();
        this.stderr.write(
          `resuming the interrupted run at step ${event.step} (${formatDuration(event.elapsedSec)} trained)\n`,
        );
        return;
      case 'step':
        Object.assign(this.state, {
          fraction: event.fraction,
          step: event.step,
          loss: event.loss,
          elapsedSec: event.elapsedSec,
        });
        break;
      case 'validation':
        if (event.best) this.state.bestWer = event.wer;
        Object.assign(this.state, {
          wer: event.wer,
          step: event.step,
          elapsedSec: event.elapsedSec,
        });
        if (!tty) {
          this.stderr.write(
            event.step === 0
              ? `held-back WER of the base model: ${percent(event.wer)}\n`
              : `epoch ${event.epoch}, step ${event.step}: held-back WER ${percent(event.wer)}${event.best ? ' (best)' : ''}, ${formatDuration(event.elapsedSec)}\n`,
          );
        }
        break;
    }
    // A terminal that does not say its width (0, e.g. under `script`) gets 80 columns.
    if (tty) this.draw(trainingLine(this.state, this.stderr.columns || 80));
  }

  private draw(line: string): void {
    this.stderr.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stderr.write('\r\x1b[K');
    this.drawn = false;
  }
}

function reportImport(source: string, report: ImportReport, io: CliStreams): void {
  const duplicates = report.skipped.filter((s) => s.reason === 'already in the profile').length;
  const skipped = report.skipped.filter((s) => s.reason !== 'already in the profile');
  const seconds = report.added.reduce((s, r) => s + r.durationSec, 0);
  const extra = duplicates > 0 ? `, ${duplicates} already there` : '';
  io.stderr.write(
    `${source}: added ${report.added.length} recordings (${formatDuration(seconds)})${extra}, skipped ${skipped.length}\n`,
  );
  for (const item of skipped.slice(0, 10))
    io.stderr.write(`  skipped ${item.source}: ${item.reason}\n`);
  if (skipped.length > 10) io.stderr.write(`  … and ${skipped.length - 10} more\n`);
}

/** How many better-scoring validations were refused for forgetting other voices, as a note. */
function refusedNote(result: FineTuneResult): string {
  const refused = result.history.filter((h) => h.forgot).length;
  const bound = result.otherVoices?.maxRisePoints ?? result.recipe.maxForgettingPoints;
  return refused > 0 && bound !== null
    ? ` (${refused} better-scoring validation${refused === 1 ? '' : 's'} refused: they lost more than ${bound} point${bound === 1 ? '' : 's'} there)`
    : '';
}

/** The result as the summary prints it. */
export function formatSummary(name: string, result: FineTuneResult): string {
  const reduction =
    result.werBefore > 0 ? ((result.werBefore - result.werAfter) / result.werBefore) * 100 : 0;
  const why = {
    converged: 'stopped early: no better on the held-back recordings',
    time: 'stopped at the time budget',
    epochs: 'ran every planned epoch',
    steps: 'ran every planned step',
  }[result.stoppedBecause];
  return [
    `profile "${name}": word error rate on ${result.validationUtterances} held-back recordings`,
    `  before ${percent(result.werBefore)}  after ${percent(result.werAfter)}  (${reduction >= 0 ? '-' : '+'}${Math.abs(reduction).toFixed(1)}% relative)`,
    `  character error rate ${percent(result.cerBefore)} -> ${percent(result.cerAfter)}`,
    ...(result.otherVoices
      ? [
          `  other voices (${result.otherVoices.utterances} held-out recordings of the base model's): word error rate ${percent(result.otherVoices.werBefore)} -> ${percent(result.otherVoices.werAfter)}${refusedNote(result)}`,
        ]
      : []),
    `  trained on ${result.trainingUtterances} recordings (${formatDuration(result.trainingAudioSec)} of audio) in ${formatDuration(result.trainingSec)}: ${result.steps} steps, ${result.epochs} epochs, best at step ${result.bestStep}; ${why}`,
  ].join('\n');
}

async function openProfile(store: ProfileStore, args: FinetuneArgs, io: CliStreams) {
  try {
    return await store.get(args.profile);
  } catch (error) {
    if (!(isHarkError(error) && error.code === 'PROFILE_NOT_FOUND')) throw error;
    if (!args.create) {
      throw new HarkError('PROFILE_NOT_FOUND', `${error.detail}; add --create to make it`, {
        ...(error.file === undefined ? {} : { file: error.file }),
      });
    }
    const created = await store.create(args.profile, {
      baseModelDir: args.baseModelDir ?? defaultBaseModelDir(),
    });
    io.stderr.write(`created profile "${created.name}" in ${created.folder}\n`);
    return created;
  }
}

async function run(args: FinetuneArgs, io: CliStreams): Promise<number> {
  const store = await ProfileStore.open(args.root === undefined ? {} : { root: args.root });
  const profile = await openProfile(store, args, io);
  if (args.discard) {
    await store.discardResult(profile.name);
    io.stderr.write(`discarded the pending run of "${profile.name}"\n`);
    return EXIT_OK;
  }
  const imports = { ...(io.signal ? { signal: io.signal } : {}) };
  for (const manifest of args.manifests) {
    const report = await store.importManifest(profile.name, manifest, {
      ...imports,
      ...(args.limit === undefined ? {} : { limit: args.limit }),
    });
    reportImport(manifest, report, io);
  }
  for (const folder of args.folders) {
    reportImport(folder, await store.importFolder(profile.name, folder, imports), io);
  }
  if (args.importOnly) return EXIT_OK;

  const display = new TrainingDisplay(io.stderr);
  let result: FineTuneResult;
  try {
    result = await store.fineTune(profile.name, {
      maxTrainingSec: args.maxTrainingSec,
      recipe: {
        ...(args.maxEpochs === undefined ? {} : { maxEpochs: args.maxEpochs }),
        ...(args.maxSteps === undefined ? {} : { maxSteps: args.maxSteps }),
        ...(args.patience === undefined ? {} : { patience: args.patience }),
      },
      device: args.device,
      ...(args.threads === undefined ? {} : { threads: args.threads }),
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: (event) => display.update(event),
    });
  } finally {
    display.clear();
  }
  io.stdout.write(`${formatSummary(profile.name, result)}\n`);
  const better = result.werAfter < result.werBefore;
  if (args.keep === 'yes' || (args.keep === 'auto' && better)) {
    const kept = await store.keepResult(profile.name);
    io.stdout.write(`kept: "${kept.name}" now transcribes with ${kept.modelDir}\n`);
  } else if (args.keep === 'auto') {
    await store.discardResult(profile.name);
    io.stdout.write('discarded: the new model is no better on the held-back recordings\n');
  } else {
    io.stdout.write(
      'the result waits: run again with --keep yes to keep it, or --discard to throw it away\n',
    );
  }
  return EXIT_OK;
}

/**
 * Runs the finetune command; returns 0 on success, 1 on failure, 2 for bad arguments, 130 when
 * interrupted.
 *
 * @example
 * process.exitCode = await runFinetuneCli(['--profile', 'Ada', '--data', 'm.jsonl', '--create'], { stdout: process.stdout, stderr: process.stderr });
 */
export async function runFinetuneCli(argv: readonly string[], io: CliStreams): Promise<number> {
  let args: FinetuneArgs;
  try {
    args = parseFinetuneArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`error: ${error.message}\n\n${FINETUNE_USAGE}\n`);
    return EXIT_USAGE;
  }
  if (args.help) {
    io.stdout.write(`${FINETUNE_USAGE}\n`);
    return EXIT_OK;
  }
  try {
    return await run(args, io);
  } catch (error) {
    if (isHarkError(error) && error.code === 'CANCELLED') {
      io.stderr.write('interrupted: the run is saved; the same command resumes it\n');
      return EXIT_INTERRUPTED;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`error: ${message}\n`);
    return EXIT_FAILED;
  }
}
