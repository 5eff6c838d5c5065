import { join } from 'node:path';
import {
  type ActiveModel,
  DECODING_METHODS,
  DEVICE_CHOICES,
  type DecodingMethod,
  type DecodingSettings,
  type DeviceChoice,
  type ModelChoice,
  type Settings,
} from '../api/contract';
import {
  BEAM_WIDTH_RANGE,
  DEFAULT_DECODING,
  HOTWORD_LIMITS,
} from '../engine/transcribe/decoding-defaults';
import { readJsonOrUndefined, writeJsonAtomic } from './atomic-file';

/** A settings change: any top-level field, and any part of the decoding settings. */
export type SettingsChange = Partial<Omit<Settings, 'decoding'>> & {
  decoding?: Partial<DecodingSettings>;
};

function isDeviceChoice(value: unknown): value is DeviceChoice {
  return (DEVICE_CHOICES as readonly unknown[]).includes(value);
}

function isDecodingMethod(value: unknown): value is DecodingMethod {
  return (DECODING_METHODS as readonly unknown[]).includes(value);
}

/** The stored decoding settings, each field kept if valid, else its default. */
export function sanitizeDecoding(value: unknown): DecodingSettings {
  const stored = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const { beamWidth, hotwords } = stored;
  return {
    method: isDecodingMethod(stored.method) ? stored.method : DEFAULT_DECODING.method,
    beamWidth:
      typeof beamWidth === 'number' &&
      Number.isInteger(beamWidth) &&
      beamWidth >= BEAM_WIDTH_RANGE.min &&
      beamWidth <= BEAM_WIDTH_RANGE.max
        ? beamWidth
        : DEFAULT_DECODING.beamWidth,
    hotwords: Array.isArray(hotwords)
      ? hotwords
          .filter(
            (phrase): phrase is string =>
              typeof phrase === 'string' &&
              phrase.trim() !== '' &&
              phrase.length <= HOTWORD_LIMITS.maxPhraseLength,
          )
          .slice(0, HOTWORD_LIMITS.maxPhrases)
      : [],
  };
}

/** The stored active model, or the base model when it is not a valid choice. */
export function sanitizeActiveModel(value: unknown): ActiveModel {
  const stored = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  return stored.kind === 'profile' && typeof stored.name === 'string' && stored.name !== ''
    ? { kind: 'profile', name: stored.name }
    : { kind: 'base' };
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
    activeModel: sanitizeActiveModel(stored.activeModel),
    device: isDeviceChoice(stored.device) ? stored.device : 'auto',
    threads:
      typeof threads === 'number' && Number.isInteger(threads) && threads >= 0 && threads <= 256
        ? threads
        : 0,
    decoding: sanitizeDecoding(stored.decoding),
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

  async update(change: SettingsChange): Promise<Settings> {
    const next: Settings = { ...this.current };
    if (change.device !== undefined) next.device = change.device;
    if (change.threads !== undefined) next.threads = change.threads;
    if (change.activeModel !== undefined) next.activeModel = change.activeModel;
    if (change.decoding !== undefined) {
      const { method, beamWidth, hotwords } = change.decoding;
      next.decoding = {
        method: method ?? next.decoding.method,
        beamWidth: beamWidth ?? next.decoding.beamWidth,
        hotwords: hotwords ?? next.decoding.hotwords,
      };
    }
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
