/**
 * Levels of microphone audio for the meter and the take's warnings: RMS and peak in dBFS, a peak
 * hold, and the checks a take must pass before it is kept (the engine checks again when it is
 * added; these thresholds are the engine's defaults).
 */

/** Below this the meter shows nothing (dBFS). */
export const METER_FLOOR_DB = -60;
/** A take whose speech level stays under this is silent (the engine's silence floor). */
export const SILENCE_FLOOR_DB = -45;
/** A take with more than this fraction of samples at full scale is clipped. */
export const MAX_CLIPPED_FRACTION = 0.001;
/** |sample| at or above this counts as full scale. */
export const FULL_SCALE = 0.999;

export function toDb(amplitude: number): number {
  return amplitude > 0 ? 20 * Math.log10(amplitude) : -Infinity;
}

export interface ChunkLevel {
  rms: number;
  peak: number;
  /** Samples at full scale. */
  clipped: number;
}

/** RMS, peak and full-scale samples of one block of samples. */
export function chunkLevel(samples: Float32Array): ChunkLevel {
  let sum = 0;
  let peak = 0;
  let clipped = 0;
  for (const value of samples) {
    const magnitude = Math.abs(value);
    sum += value * value;
    if (magnitude > peak) peak = magnitude;
    if (magnitude >= FULL_SCALE) clipped++;
  }
  return { rms: samples.length > 0 ? Math.sqrt(sum / samples.length) : 0, peak, clipped };
}

/**
 * The meter's peak marker: it holds the highest peak for `holdMs`, then falls at `fallDbPerSec`.
 *
 * @example
 * const hold = new PeakHold();
 * hold.update(-6, now); // -6 until now + 1500 ms, then falling
 */
export class PeakHold {
  private valueDb = -Infinity;
  private heldAt = 0;

  constructor(
    private readonly holdMs = 1500,
    private readonly fallDbPerSec = 20,
  ) {}

  /** Feeds a peak (dBFS) seen at `nowMs`; returns the marker's level. */
  update(peakDb: number, nowMs: number): number {
    const current = this.level(nowMs);
    if (peakDb >= current) {
      this.valueDb = peakDb;
      this.heldAt = nowMs;
      return peakDb;
    }
    return current;
  }

  level(nowMs: number): number {
    const fallingFor = nowMs - this.heldAt - this.holdMs;
    if (fallingFor <= 0) return this.valueDb;
    return this.valueDb - (fallingFor / 1000) * this.fallDbPerSec;
  }

  reset(): void {
    this.valueDb = -Infinity;
    this.heldAt = 0;
  }
}

export type TakeWarning = 'silent' | 'clipped' | 'too-short';

export interface TakeSummary {
  durationSec: number;
  /** RMS of the loudest 10 % of 20 ms frames (dBFS), as the engine measures speech level. */
  speechLevelDb: number;
  peakDb: number;
  clippedFraction: number;
  warnings: TakeWarning[];
}

/** Accumulates a take's statistics chunk by chunk, so nothing is recomputed at the end. */
export class TakeStats {
  private readonly frameLength: number;
  private frameSum = 0;
  private frameFill = 0;
  private readonly frameMeanSquares: number[] = [];
  private samples = 0;
  private peak = 0;
  private clipped = 0;
  private nativeFrames = 0;

  constructor(readonly sampleRate: number) {
    this.frameLength = Math.max(1, Math.round(sampleRate * 0.02));
  }

  /**
   * Adds a block. `native`: the peak and full-scale count measured before resampling (the
   * low-pass blunts clipping), in place of those of `samples`.
   */
  add(samples: Float32Array, native?: { peak: number; clipped: number; frames: number }): void {
    if (native) {
      this.peak = Math.max(this.peak, native.peak);
      this.clipped += native.clipped;
      this.nativeFrames += native.frames;
    }
    for (const value of samples) {
      const magnitude = Math.abs(value);
      if (!native) {
        if (magnitude > this.peak) this.peak = magnitude;
        if (magnitude >= FULL_SCALE) this.clipped++;
        this.nativeFrames++;
      }
      this.frameSum += value * value;
      this.frameFill++;
      if (this.frameFill === this.frameLength) {
        this.frameMeanSquares.push(this.frameSum / this.frameLength);
        this.frameSum = 0;
        this.frameFill = 0;
      }
    }
    this.samples += samples.length;
  }

  summary(minDurationSec = 0.5): TakeSummary {
    const frames = [...this.frameMeanSquares];
    if (this.frameFill > 0) frames.push(this.frameSum / this.frameFill);
    frames.sort((a, b) => b - a);
    const loudest = frames.slice(0, Math.max(1, Math.ceil(frames.length * 0.1)));
    const meanSquare = loudest.reduce((sum, value) => sum + value, 0) / loudest.length;
    const speechLevelDb = this.samples === 0 ? -Infinity : toDb(Math.sqrt(meanSquare));
    const durationSec = this.samples / this.sampleRate;
    const clippedFraction = this.nativeFrames === 0 ? 0 : this.clipped / this.nativeFrames;
    const warnings: TakeWarning[] = [];
    if (durationSec < minDurationSec) warnings.push('too-short');
    if (!(speechLevelDb >= SILENCE_FLOOR_DB)) warnings.push('silent');
    if (clippedFraction > MAX_CLIPPED_FRACTION) warnings.push('clipped');
    return { durationSec, speechLevelDb, peakDb: toDb(this.peak), clippedFraction, warnings };
  }
}

/** What each warning tells the user. */
export const TAKE_WARNING_TEXT: Record<TakeWarning, string> = {
  silent: 'Hark heard almost nothing: check the microphone is on and speak closer to it.',
  clipped: 'The recording is clipped (too loud): move back a little or lower the input volume.',
  'too-short': 'The take is too short: read the whole sentence.',
};

/** A level in dBFS as the meter's fraction in [0, 1]. */
export function meterFraction(db: number): number {
  if (!(db > METER_FLOOR_DB)) return 0;
  return Math.min(1, (db - METER_FLOOR_DB) / -METER_FLOOR_DB);
}
