/**
 * The running count of a corpus run: what was written and failed, how fast each synthesizer and
 * the augmentation went, and the progress line with its ETA.
 */
import type { UtteranceResult } from './render';
import type { SynthesizerName } from './voices';

export interface Throughput {
  audioSec: number;
  wallSec: number;
  /** Seconds of audio per wall second. */
  ratio: number;
}

export const SYNTHESIZERS: readonly SynthesizerName[] = ['espeak', 'flite', 'festival'];

export function formatDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds)) return '?';
  const seconds = Math.round(totalSeconds);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return hours > 0
    ? `${hours}h${String(minutes).padStart(2, '0')}m`
    : `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
}

function throughput(audioSec: number, wallSec: number): Throughput {
  return {
    audioSec: Math.round(audioSec * 10) / 10,
    wallSec: Math.round(wallSec * 10) / 10,
    ratio: wallSec > 0 ? Math.round((audioSec / wallSec) * 10) / 10 : 0,
  };
}

export class RunTally {
  rendered = 0;
  writtenSec = 0;
  failureCount = 0;
  readonly failures: { id: string; error: string }[] = [];
  private readonly started = Date.now();
  private doneEstimatedSec = 0;
  private readonly synthesis = new Map<SynthesizerName, { audioSec: number; wallSec: number }>(
    SYNTHESIZERS.map((name) => [name, { audioSec: 0, wallSec: 0 }]),
  );
  private augmentationWallSec = 0;

  /**
   * @param pendingCount utterances this run is to make
   * @param totalEstimatedSec their planned audio seconds (for the ETA)
   */
  constructor(
    private readonly pendingCount: number,
    private readonly totalEstimatedSec: number,
  ) {}

  /** Counts one result; `estimatedSec` is the utterance's planned duration. */
  add(result: UtteranceResult, estimatedSec: number): void {
    this.doneEstimatedSec += estimatedSec;
    const synthesis = this.synthesis.get(result.synthesizer);
    if (synthesis) {
      synthesis.audioSec += result.cleanSec;
      synthesis.wallSec += result.synthesisSec;
    }
    if (result.durationSec !== undefined) {
      this.rendered += 1;
      this.writtenSec += result.durationSec;
      this.augmentationWallSec += result.augmentationSec;
    } else {
      this.failureCount += 1;
      if (this.failures.length < 100) {
        this.failures.push({ id: result.id, error: result.error ?? 'unknown' });
      }
    }
  }

  elapsedSec(): number {
    return (Date.now() - this.started) / 1000;
  }

  /** `[corpus] 120/45132 utterances · 0.11 h written · 6.0× real time · elapsed … · ETA …` */
  progressLine(): string {
    const elapsed = Math.max(this.elapsedSec(), 1e-3);
    const rate = this.doneEstimatedSec / elapsed;
    const eta = rate > 0 ? (this.totalEstimatedSec - this.doneEstimatedSec) / rate : Infinity;
    return (
      `[corpus] ${this.rendered + this.failureCount}/${this.pendingCount} utterances · ` +
      `${(this.writtenSec / 3600).toFixed(2)} h written · ${(this.writtenSec / elapsed).toFixed(1)}× real time · ` +
      `elapsed ${formatDuration(elapsed)} · ETA ${formatDuration(eta)}` +
      (this.failureCount ? ` · ${this.failureCount} failed` : '')
    );
  }

  /** Audio seconds per wall second: per synthesizer (clean speech), augmentation, overall. */
  throughput(): {
    bySynthesizer: Record<SynthesizerName, Throughput>;
    augmentation: Throughput;
    overall: Throughput;
  } {
    const bySynthesizer = Object.fromEntries(
      SYNTHESIZERS.map((name) => {
        const { audioSec, wallSec } = this.synthesis.get(name) ?? { audioSec: 0, wallSec: 0 };
        return [name, throughput(audioSec, wallSec)];
      }),
    ) as Record<SynthesizerName, Throughput>;
    return {
      bySynthesizer,
      augmentation: throughput(this.writtenSec, this.augmentationWallSec),
      overall: throughput(this.writtenSec, this.elapsedSec()),
    };
  }
}
