import { join } from 'node:path';
import { readJsonOrUndefined, writeJsonAtomic } from '../engine-host/atomic-file';

export interface WindowBounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: WindowBounds;
  maximized: boolean;
}

export const DEFAULT_WINDOW: WindowState = {
  bounds: { x: 0, y: 0, width: 1200, height: 800 },
  maximized: false,
};
const MIN_SIZE = { width: 640, height: 440 };

function isBounds(value: unknown): value is WindowBounds {
  if (typeof value !== 'object' || value === null) return false;
  const bounds = value as Record<string, unknown>;
  return ['x', 'y', 'width', 'height'].every(
    (key) => typeof bounds[key] === 'number' && Number.isFinite(bounds[key]),
  );
}

/**
 * The saved window state made safe to use: a size at least the minimum, and a position on one of
 * today's displays (a monitor unplugged since must not leave the window off screen). undefined
 * position means "let the OS centre it".
 *
 * @example
 * const { bounds } = restoreWindowState(saved, screen.getAllDisplays().map((d) => d.workArea));
 */
export function restoreWindowState(
  saved: unknown,
  workAreas: WindowBounds[],
): { bounds: Partial<WindowBounds> & { width: number; height: number }; maximized: boolean } {
  const state = saved as Partial<WindowState> | undefined;
  if (!state || !isBounds(state.bounds)) {
    return {
      bounds: { width: DEFAULT_WINDOW.bounds.width, height: DEFAULT_WINDOW.bounds.height },
      maximized: false,
    };
  }
  const width = Math.max(MIN_SIZE.width, Math.round(state.bounds.width));
  const height = Math.max(MIN_SIZE.height, Math.round(state.bounds.height));
  const { x, y } = state.bounds;
  // Visible enough: the title bar's top-left 100×40 lies on some display.
  const visible = workAreas.some(
    (area) =>
      x + 100 > area.x &&
      x < area.x + area.width - 40 &&
      y >= area.y - 10 &&
      y < area.y + area.height - 40,
  );
  return {
    bounds: visible ? { x: Math.round(x), y: Math.round(y), width, height } : { width, height },
    maximized: state.maximized === true,
  };
}

export function windowStatePath(userDataDir: string): string {
  return join(userDataDir, 'window-state.json');
}

export function loadWindowState(userDataDir: string): Promise<unknown> {
  return readJsonOrUndefined(windowStatePath(userDataDir));
}

export function saveWindowState(userDataDir: string, state: WindowState): Promise<void> {
  return writeJsonAtomic(windowStatePath(userDataDir), state);
}
