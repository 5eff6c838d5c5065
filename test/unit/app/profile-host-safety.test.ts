/**
 * ProfileHost's guards, against a ProfileStore that runs in this process (the launcher answers the
 * store's calls itself; a fine-tune request never finishes, so a run stays busy).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fail, ok } from '../../../src-main/api/api-error';
import type {
  EngineInitParams,
  EngineReplyMessage,
  EngineMethods,
} from '../../../src-main/api/contract';
import type { EngineLauncher } from '../../../src-main/engine-host/engine-launcher';
import { ProfileHost } from '../../../src-main/engine-host/profile-handlers';
import type { ProfileStoreOp } from '../../../src-main/engine-host/profile-store-client';
import type { SettingsStore } from '../../../src-main/engine-host/settings-store';
import type { HistoryStore } from '../../../src-main/engine-host/history-store';
import { ProfileStore } from '../../../src-main/engine/profiles/profile-store';
import { tone, writeRandomModel } from '../../engine/profiles/profile-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'hark-profile-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let base: string;
beforeAll(async () => {
  base = await writeRandomModel(join(dir, 'base'));
});

/** Answers init and profileStore requests in this process; anything else stays unanswered. */
function inProcessLauncher(root: string) {
  const store = ProfileStore.open({ root });
  const requests: string[] = [];
  const inits: EngineInitParams[] = [];
  const launch: EngineLauncher = () => {
    const listeners: ((message: EngineReplyMessage) => void)[] = [];
    const exits: ((exit: { code: number | null; signal: string | null }) => void)[] = [];
    const post = (message: EngineReplyMessage) =>
      queueMicrotask(() => listeners.forEach((listener) => listener(message)));
    return {
      pid: 4242,
      send(message) {
        if (message.kind !== 'request') return;
        requests.push(message.method);
        if (message.method === 'init') {
          inits.push(message.params as EngineInitParams);
          post({
            kind: 'reply',
            id: message.id,
            reply: ok({
              model: { name: 'm', path: base },
              device: { provider: 'cpu', rejected: [] },
            }),
          });
        } else if (message.method === 'profileStore') {
          const { op, args } = message.params as EngineMethods['profileStore']['params'];
          void store
            .then((s) =>
              (s[op as ProfileStoreOp] as (...a: unknown[]) => Promise<unknown>).apply(s, args),
            )
            .then(
              (value) => post({ kind: 'reply', id: message.id, reply: ok(value) }),
              (error: unknown) => post({ kind: 'reply', id: message.id, reply: fail(error) }),
            );
        }
      },
      onMessage: (listener) => listeners.push(listener),
      onExit: (listener) => exits.push(listener),
      kill: () =>
        queueMicrotask(() => exits.forEach((exit) => exit({ code: null, signal: 'SIGTERM' }))),
    };
  };
  return { launch, requests, inits };
}

async function hostIn(name: string) {
  const userDataDir = join(dir, name);
  const { launch, requests, inits } = inProcessLauncher(ProfileHost.rootFor(userDataDir));
  const settings = {
    get: () => ({ model: { dir: base }, activeModel: { kind: 'base' } }),
  } as unknown as SettingsStore;
  const host = await ProfileHost.create({
    userDataDir,
    launch,
    settings,
    history: {} as HistoryStore,
    changeSettings: () => Promise.resolve(settings.get()),
    reloadEngine: () => undefined,
    emitTraining: () => undefined,
    emitProfiles: () => undefined,
    recordingUrl: (profile, id) => `/r/${profile}/${id}`,
    minimumData: { recordings: 1, speechSec: 0.5 },
  });
  return { host, userDataDir, requests, inits };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return (error as { code?: string } | undefined)?.code ?? (error ? String(error) : undefined);
}

const clip = (seconds: number, hz: number) => {
  const samples = tone(seconds, 0.3, hz);
  return { sampleRate: 16_000, float32Base64: Buffer.from(samples.buffer).toString('base64') };
};

describe('profile host guards', () => {
  it('never loads a model from outside the profiles folder (a name that is a path)', async () => {
    const { host, userDataDir, requests } = await hostIn('paths');
    try {
      // model.onnx in folders that ../x and a/b would reach from the profiles root.
      for (const folder of [
        join(userDataDir, 'x', 'model'),
        join(ProfileHost.rootFor(userDataDir), 'a', 'b', 'model'),
      ]) {
        mkdirSync(folder, { recursive: true });
        writeFileSync(join(folder, 'model.onnx'), 'not a model');
      }
      for (const name of ['../x', 'a/b']) {
        expect(host.activeModelDir({ kind: 'profile', name })).toBeUndefined();
        expect(
          await codeOf(
            host.handlers.recognizeClip({
              audio: clip(0.5, 200),
              model: { kind: 'profile', name },
            } as never),
          ),
        ).toBe('INVALID_ARGUMENT');
      }
      expect(requests).not.toContain('recognize');
    } finally {
      await host.dispose();
    }
  });

  it('refuses to replace a take, or to rename or delete a profile, while it starts or trains', async () => {
    const { host, requests, inits } = await hostIn('training');
    try {
      await host.handlers.createProfile({ name: 'Ada' });
      const first = await host.handlers.addRecording({
        profile: 'Ada',
        audio: clip(1, 200),
        text: 'hello',
        promptId: 'p1',
      });
      // Between the call and the run's start (the host awaits the store first).
      const starting = host.handlers.startTraining({ profile: 'Ada' });
      expect(await codeOf(host.handlers.deleteProfile({ name: 'ada' }))).toBe('PROFILE_BUSY');
      expect(await codeOf(host.handlers.renameProfile({ name: 'Ada', newName: 'Bo' }))).toBe(
        'PROFILE_BUSY',
      );
      await starting;
      expect(requests).toContain('fineTune');
      // Neither the store's process nor the training process loads a model it does not use.
      expect(inits.length).toBeGreaterThanOrEqual(2);
      expect(inits.map((init) => init.modelDir)).toEqual(inits.map(() => null));
      expect(host.trainer.busy).toBe(true);
      expect(
        await codeOf(
          host.handlers.addRecording({
            profile: 'Ada',
            audio: clip(1, 300),
            text: 'hello',
            promptId: 'p1',
          }),
        ),
      ).toBe('PROFILE_BUSY');
      const { recordings } = await host.handlers.listRecordings({ profile: 'Ada' });
      expect(recordings.map((r) => r.id)).toEqual([first.recording.id]);
    } finally {
      await host.dispose();
    }
  });

  it("sweeps the import staging of a crashed app, not a live one's, and never the files it linked", async () => {
    const userDataDir = join(dir, 'staging');
    const child = spawn(process.execPath, ['-e', '']);
    const deadPid = await new Promise<number>((done) => child.on('exit', () => done(child.pid!)));
    const original = join(dir, 'take.wav');
    writeFileSync(original, 'the only copy');
    const dead = join(userDataDir, `.import-${deadPid}-0a1b2c3d`);
    const older = join(userDataDir, '.import-0a1b2c3e');
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const live = join(userDataDir, `.import-${sleeper.pid!}-0a1b2c3f`);
    const reused = join(userDataDir, `.import-${process.pid}-0a1b2c40`);
    for (const folder of [dead, older, live, reused]) {
      mkdirSync(folder, { recursive: true });
      symlinkSync(original, join(folder, 'take.wav'));
    }
    const { host } = await hostIn('staging');
    try {
      expect([dead, older, live, reused].map((folder) => existsSync(folder))).toEqual([
        false,
        false,
        true,
        false,
      ]);
      expect(existsSync(original)).toBe(true);
    } finally {
      sleeper.kill();
      await host.dispose();
    }
  });
});
