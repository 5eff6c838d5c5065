/**
 * The host's handle on the voice profiles: the ProfileStore itself runs in an engine process of its
 * own (it reads and writes audio, and loading it would bring ONNX Runtime into Electron's main
 * process); each method here is one call to it. Errors keep their codes (PROFILE_EXISTS,
 * RECORDING_REJECTED, ...) across the process boundary.
 */
import type { EngineMethods } from '../api/contract';
import type { ProfileStore } from '../engine/profiles/profile-store';
import type { EngineLauncher } from './engine-launcher';
import { EngineSupervisor } from './engine-supervisor';

/** The ProfileStore methods the host may call in the engine process, and nothing else. */
export const PROFILE_STORE_OPS = [
  'list',
  'get',
  'create',
  'rename',
  'delete',
  'exportProfile',
  'importProfile',
  'recordings',
  'addRecording',
  'removeRecording',
  'importFolder',
  'importManifest',
  'addCorrection',
  'keepResult',
  'discardResult',
] as const;

export type ProfileStoreOp = (typeof PROFILE_STORE_OPS)[number];

/** What the host sees of a ProfileStore: the same methods, answered by the engine process. */
export type ProfileStoreApi = { [K in ProfileStoreOp]: ProfileStore[K] } & {
  readonly root: string;
};

export function isProfileStoreOp(value: unknown): value is ProfileStoreOp {
  return (PROFILE_STORE_OPS as readonly unknown[]).includes(value);
}

export interface ProfileStoreClientOptions {
  launch: EngineLauncher;
  root: string;
  restartDelaysMs?: number[];
}

/**
 * @example
 * const store = createProfileStoreClient({ launch, root });
 * await store.create('Ada', { baseModelDir }); // runs ProfileStore.create in the engine process
 */
export function createProfileStoreClient(
  options: ProfileStoreClientOptions,
): ProfileStoreApi & { dispose(): Promise<void> } {
  const engine = new EngineSupervisor({
    launch: options.launch,
    interactive: true,
    // The store needs no model: a broken base model must not stop the profile features.
    initParams: () => ({ modelDir: null, device: 'cpu', threads: 1 }),
    ...(options.restartDelaysMs ? { restartDelaysMs: options.restartDelaysMs } : {}),
  });
  const call = (op: ProfileStoreOp) =>
    ((...args: unknown[]) =>
      engine.call('profileStore', {
        root: options.root,
        op,
        args,
      } satisfies EngineMethods['profileStore']['params'])) as never;
  const api = Object.fromEntries(PROFILE_STORE_OPS.map((op) => [op, call(op)])) as unknown as {
    [K in ProfileStoreOp]: ProfileStore[K];
  };
  return { ...api, root: options.root, dispose: () => engine.dispose() };
}
