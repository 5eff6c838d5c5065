/** Scales and paths for the training chart (plain SVG, no chart library). */

export interface ChartPoint {
  x: number;
  y: number;
}

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** A linear map from [d0, d1] to [r0, r1]; a zero-width domain maps to the range's middle. */
export function linearScale(
  [d0, d1]: readonly [number, number],
  [r0, r1]: readonly [number, number],
): (value: number) => number {
  const span = d1 - d0;
  if (span === 0 || !Number.isFinite(span)) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

/** A round upper bound for an axis: 0.83 → 1, 3.2 → 4, 27 → 30, 0 → 1. */
export function niceMax(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const steps = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
  const step = steps.find((s) => s * magnitude >= value * 0.999) ?? 10;
  return step * magnitude;
}

/** `count + 1` evenly spaced ticks from 0 to max. */
export function ticks(max: number, count = 4): number[] {
  return Array.from({ length: count + 1 }, (_, i) => (max * i) / count);
}

/** An SVG path through the points (x and y already in the chart's data units). */
export function linePath(
  points: readonly ChartPoint[],
  xDomain: readonly [number, number],
  yDomain: readonly [number, number],
  box: Box,
): string {
  const x = linearScale(xDomain, [box.left, box.left + box.width]);
  const y = linearScale(yDomain, [box.top + box.height, box.top]);
  return points
    .filter((point) => Number.isFinite(point.x) && Number.isFinite(point.y))
    .map((point, i) => `${i === 0 ? 'M' : 'L'}${x(point.x).toFixed(1)},${y(point.y).toFixed(1)}`)
    .join(' ');
}
