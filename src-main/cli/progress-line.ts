/** What the CLI prints about a file's progress, as pure functions of the numbers. */
import type { Progress } from '../engine/types';

function clock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/**
 * One terminal line: a bar, the percentage, audio done of total, the ETA and the file's name,
 * cut to `columns` characters.
 *
 * @example
 * progressBar({ fraction: 0.5, etaSec: 30, processedSec: 60, durationSec: 120 }, 'talk.wav', 80);
 * // '[##########..........]  50%  1:00/2:00  ETA 0:30  talk.wav'
 */
export function progressBar(progress: Progress, name: string, columns: number, width = 20): string {
  const fraction = Math.min(1, Math.max(0, progress.fraction));
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const percent = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  const audio = `${clock(progress.processedSec)}/${clock(progress.durationSec)}`;
  const eta = progress.etaSec === undefined ? 'ETA --:--' : `ETA ${clock(progress.etaSec)}`;
  const line = `${bar} ${percent}  ${audio}  ${eta}  ${name}`;
  return line.length > columns ? line.slice(0, Math.max(0, columns - 1)) : line;
}

/**
 * Which quarter marks (25, 50, 75) a non-terminal log should print when progress moves from
 * `previous` to `current`.
 *
 * @example
 * quarterMarksCrossed(0.2, 0.55); // [25, 50]
 */
export function quarterMarksCrossed(previous: number, current: number): number[] {
  return [25, 50, 75].filter((mark) => previous * 100 < mark && current * 100 >= mark);
}

/** "12.3 s" or "2:05" for a duration in the summary. */
export function formatDuration(seconds: number): string {
  return seconds < 60 ? `${seconds.toFixed(1)} s` : clock(seconds);
}
