import { join } from 'node:path';
import {
  DEVICE_CHOICES,
  type DeviceChoice,
  type ModelChoice,
  type Settings,
} from '../api/contract';
import { readJsonOrUndefined, writeJsonAtomic } from './atomic-file';

function isDeviceChoice(value: unknown): value is DeviceChoice {
  return (DEVICE_CHOICES as readonly unknown[]).includes(value);
}

/** Keeps what is valid in a stored settings file and falls back to defaults for the rest. */
export function sanitizeSettings(value: unknown, bundledModelDir: string): Settings {
  const stored = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const model = stored.model as Partial<Extract<ModelChoice, { kind: 'imported' }>> | undefined;
  const threads = stored.threads;
  return {
    model:
      model?.kind === 'imported' && typeof model.dir === 'string' && typeof model.name === 'string'
        ? { kind: 'imported', dir: model.dir, name: model.name }
        : { kind: 'bundled', dir: bundledModelDir },
    device: isDeviceChoice(stored.device) ? stored.device : 'auto',
    threads:
      typeof threads === 'number' && Number.isInteger(threads) && threads >= 0 && threads <= 256
        ? threads
        : 0,
  };
}

/**
 * The user's settings (`settings.json` in the user-data folder), written atomically.
 *
 * @example
 * const settings = await SettingsStore.open({ userDataDir, bundledModelDir });
 * await settings.update({ device: 'cpu' });
 */
export class SettingsStore {
  private readonly path: string;
  private readonly bundledModelDir: string;
  private current: Settings;

  private constructor(path: string, bundledModelDir: string, current: Settings) {
    this.path = path;
    this.bundledModelDir = bundledModelDir;
    this.current = current;
  }

  static async open(options: {
    userDataDir: string;
    bundledModelDir: string;
  }): Promise<SettingsStore> {
    const path = join(options.userDataDir, 'settings.json');
    const stored = await readJsonOrUndefined(path);
    return new SettingsStore(
      path,
      options.bundledModelDir,
      sanitizeSettings(stored, options.bundledModelDir),
    );
  }

  get(): Settings {
    return structuredClone(this.current);
  }

  async update(change: Partial<Settings>): Promise<Settings> {
    const next: Settings = { ...this.current };
    if (change.device !== undefined) next.device = change.device;
    if (change.threads !== undefined) next.threads = change.threads;
    if (change.model !== undefined) {
      next.model =
        change.model.kind === 'bundled'
          ? { kind: 'bundled', dir: this.bundledModelDir }
          : change.model;
    }
    await writeJsonAtomic(this.path, next);
    this.current = next;
    return this.get();
  }
}
