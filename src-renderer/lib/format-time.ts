/** 83.4 → "1:23.4"; 3723 → "1:02:03.0" (tenths shown when `tenths`). */
export function formatClock(seconds: number, options: { tenths?: boolean } = {}): string {
  const safe = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
  const whole = Math.floor(safe);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = whole % 60;
  const mm = hours > 0 ? String(minutes).padStart(2, '0') : String(minutes);
  const ss = String(secs).padStart(2, '0');
  const tail = options.tenths ? `.${Math.floor((safe - whole) * 10)}` : '';
  return hours > 0 ? `${hours}:${mm}:${ss}${tail}` : `${mm}:${ss}${tail}`;
}

/** A human ETA: "less than 5 s left", "about 40 s left", "about 3 min left". */
export function formatEta(etaSec: number | undefined): string {
  if (etaSec === undefined || !Number.isFinite(etaSec)) return 'estimating…';
  if (etaSec < 5) return 'a few seconds left';
  if (etaSec < 90) return `about ${Math.round(etaSec / 5) * 5} s left`;
  if (etaSec < 3600) return `about ${Math.round(etaSec / 60)} min left`;
  const hours = Math.floor(etaSec / 3600);
  return `about ${hours} h ${Math.round((etaSec % 3600) / 60)} min left`;
}

/** 754 → "12 min 34 s". */
export function formatDuration(seconds: number): string {
  // Under a second a whole number would say 0 s of a clip that has sound.
  if (seconds > 0 && seconds < 0.95) return `${seconds.toFixed(1)} s`;
  const safe = Math.max(0, Math.round(seconds));
  if (safe < 60) return `${safe} s`;
  const minutes = Math.floor(safe / 60);
  if (minutes < 60) return `${minutes} min ${safe % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** An ISO date as a short local date and time. */
export function formatWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
