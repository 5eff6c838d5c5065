import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudioWhole } from '../../../src-main/engine/audio';
import { readManifest } from '../../../src-main/engine/dataset/manifest';
import { isHarkError } from '../../../src-main/engine/errors';
import { ProfileStore } from '../../../src-main/engine/profiles';
import { fileSha256 } from '../../../src-main/engine/profiles/base-model';
import { resolveProfileModel } from '../../../src-main/engine/profiles/resolve-profile-model';
import { acquireRunLock } from '../../../src-main/engine/profiles/run-lock';
import { tone, wavBytes, writeRandomModel } from './profile-fixtures';

const REPO = resolve(__dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'hark-profiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isHarkError(error) ? error.code : String(error);
}

const speechLike = (seconds: number, hz: number) => tone(seconds, 0.3, hz);

let base: string;
beforeAll(async () => {
  base = await writeRandomModel(join(dir, 'base'));
});

describe('the profile store', () => {
  it('creates, lists, renames and deletes profiles', async () => {
    const root = join(dir, 'crud');
    const store = await ProfileStore.open({ root });
    const created = await store.create('  Ada ', { baseModelDir: base });
    expect(created).toMatchObject({ name: 'Ada', status: 'collecting', recordings: 0 });
    expect(created.baseModel.id).toBe('tiny-random');
    expect(created.modelDir).toBeNull();
    expect(await codeOf(store.create('ADA', { baseModelDir: base }))).toBe('PROFILE_EXISTS');
    expect(await codeOf(store.create('../etc', { baseModelDir: base }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(store.create('Bo', { baseModelDir: join(dir, 'nowhere') }))).toBe(
      'MODEL_NOT_FOUND',
    );

    await store.addRecording('Ada', { samples: speechLike(1, 200), text: 'hello' });
    await store.create('Bo', { baseModelDir: base });
    expect((await store.list()).map((p) => p.name)).toEqual(['Ada', 'Bo']);

    const renamed = await store.rename('Ada', 'Ada Lovelace');
    expect(renamed.recordings).toBe(1);
    expect(await codeOf(store.get('Ada'))).toBe('PROFILE_NOT_FOUND');
    expect(await codeOf(store.rename('Bo', 'ada lovelace'))).toBe('PROFILE_EXISTS');
    const recased = await store.rename('ada lovelace', 'ADA LOVELACE');
    expect(recased.name).toBe('ADA LOVELACE');
    const record = JSON.parse(readFileSync(join(recased.folder, 'profile.json'), 'utf8')) as {
      name: string;
    };
    expect(record.name).toBe('ADA LOVELACE');
    expect((await store.recordings('ADA LOVELACE'))[0]?.text).toBe('hello');

    await store.delete('ADA LOVELACE');
    expect((await store.list()).map((p) => p.name)).toEqual(['Bo']);
    expect(readdirSync(root)).toEqual(['Bo']);

    // A name that is a path never reaches a profile outside the root (a sibling root here).
    const outside = await ProfileStore.open({ root: join(dir, 'crud-outside') });
    await outside.create('Cy', { baseModelDir: base });
    for (const name of ['../crud-outside/Cy', '..', '.', 'Bo/../Bo', 'Bo\\x']) {
      expect(await codeOf(store.get(name))).toBe('PROFILE_NOT_FOUND');
    }
    expect(await codeOf(store.delete('../crud-outside/Cy'))).toBe('PROFILE_NOT_FOUND');
    expect((await outside.list()).map((p) => p.name)).toEqual(['Cy']);
  });

  it('keeps every recording while a run (of any process) trains on the profile', async () => {
    const store = await ProfileStore.open({ root: join(dir, 'locked') });
    const { folder } = await store.create('Ada', { baseModelDir: base });
    const take = await store.addRecording('Ada', { samples: speechLike(1, 200), text: 'hello' });
    const lock = await acquireRunLock(folder);
    try {
      const error = await store.removeRecording('Ada', take.id).catch((e: unknown) => e);
      expect(isHarkError(error) && error.code).toBe('PROFILE_BUSY');
      expect(String((error as Error).message)).toContain('Ada');
      expect(existsSync(take.audioPath)).toBe(true);
      expect((await store.recordings('Ada')).map((r) => r.id)).toEqual([take.id]);
      // Training it too is refused before anything is written: the record stays as the run
      // that holds the lock left it.
      const record = readFileSync(join(folder, 'profile.json'), 'utf8');
      expect(await codeOf(store.fineTune('Ada', { threads: 1 }))).toBe('PROFILE_BUSY');
      expect(readFileSync(join(folder, 'profile.json'), 'utf8')).toBe(record);
    } finally {
      await lock.release();
    }
    await store.removeRecording('Ada', take.id);
    expect(await store.recordings('Ada')).toEqual([]);
  });

  it("leaves a live process's work alone when another store opens the same folder", async () => {
    const root = join(dir, 'shared-root');
    const store = await ProfileStore.open({ root });
    const { folder } = await store.create('Ada', { baseModelDir: base });
    const bo = (await store.create('Bo', { baseModelDir: base })).folder;
    const child = spawn(process.execPath, ['-e', '']);
    const deadPid = await new Promise<number>((done) => child.on('exit', () => done(child.pid!)));
    const live = [
      join(folder, `profile.json.${process.pid}.0a1b2c3d.tmp`),
      join(folder, 'data', `rec-1.wav.${process.pid}.0a1b2c3d.tmp`),
    ];
    const dead = [
      join(folder, `profile.json.${deadPid}.0a1b2c3d.tmp`),
      join(folder, 'data', `rec-1.wav.${deadPid}.0a1b2c3d.tmp`),
    ];
    // Bo's run lock is held by this (live) process: its leftovers are a run's, not a crash's.
    const lockedLeftover = join(bo, `profile.json.${deadPid}.0a1b2c3d.tmp`);
    for (const file of [...live, ...dead, lockedLeftover]) writeFileSync(file, 'partial');
    // Profiles being created, imported, renamed or deleted at the root, by a live process or by
    // one that died half-way (a dead rename is finished, never thrown away).
    const staging = (name: string, tag: string, pid: number) =>
      join(root, `.${name}.${tag}-${pid}-0a1b2c3d`);
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const liveStaging = ['creating', 'import', 'deleting', 'renaming'].map((tag) =>
      staging(`Live-${tag}`, tag, sleeper.pid!),
    );
    // Left by an earlier process whose pid this one now has: a leftover like any other.
    const reusedPid = staging('Reused-creating', 'creating', process.pid);
    // Named before staging folders carried a pid.
    const unnamed = join(root, '.Old.deleting-0a1b2c3d');
    const deadStaging = ['creating', 'import', 'deleting'].map((tag) =>
      staging(`Dead-${tag}`, tag, deadPid),
    );
    for (const folder of [...liveStaging, ...deadStaging, reusedPid, unnamed]) mkdirSync(folder);
    // Cy was being renamed to Dee when its process died.
    const cy = (await store.create('Cy', { baseModelDir: base })).folder;
    renameSync(cy, staging('Dee', 'renaming', deadPid));
    const lock = await acquireRunLock(bo);
    try {
      // A reader (transcribe --profile) recovers nothing at all.
      const reader = await ProfileStore.open({ root, recover: false });
      expect((await reader.get('ada')).name).toBe('Ada');
      expect(await codeOf(resolveProfileModel('Ada', root))).toBe('MODEL_NOT_FOUND');
      // A name that is no profile: the error says which names would do.
      await expect(resolveProfileModel('Nobody', root)).rejects.toThrow(
        /no profile named "Nobody"; the profiles here: .*"Ada"/,
      );
      expect(dead.every((file) => existsSync(file))).toBe(true);
      expect(
        await codeOf(
          ProfileStore.open({ root: join(dir, 'absent'), recover: false }).then((s) =>
            s.get('Ada'),
          ),
        ),
      ).toBe('PROFILE_NOT_FOUND');
      expect(existsSync(join(dir, 'absent'))).toBe(false);

      expect(deadStaging.every((folder) => existsSync(folder))).toBe(true);

      const recovered = await ProfileStore.open({ root });
      expect(live.filter((file) => !existsSync(file))).toEqual([]);
      expect(dead.filter((file) => existsSync(file))).toEqual([]);
      expect(existsSync(lockedLeftover)).toBe(true);
      expect(liveStaging.filter((folder) => !existsSync(folder))).toEqual([]);
      expect([...deadStaging, reusedPid, unnamed].filter((folder) => existsSync(folder))).toEqual(
        [],
      );
      expect((await recovered.get('Dee')).name).toBe('Dee');
      sleeper.kill();
    } finally {
      await lock.release();
    }
    await ProfileStore.open({ root });
    expect(existsSync(lockedLeftover)).toBe(false);
  });

  it('runs a rename after an import that started first, which keeps every file', async () => {
    const root = join(dir, 'serialised');
    const store = await ProfileStore.open({ root });
    await store.create('Ada', { baseModelDir: base });
    const folder = join(dir, 'serialised-source');
    mkdirSync(folder);
    const count = 6;
    for (let i = 0; i < count; i++) {
      writeFileSync(join(folder, `take-${i}.wav`), wavBytes(speechLike(1, 200 + 20 * i), 16000));
      writeFileSync(join(folder, `take-${i}.txt`), 'hello there');
    }
    const [report, renamed] = await Promise.all([
      store.importFolder('Ada', folder),
      store.rename('Ada', 'Ada L'),
    ]);
    expect(report.skipped).toEqual([]);
    expect(report.added).toHaveLength(count);
    expect(renamed.recordings).toBe(count);
    const kept = await store.recordings('Ada L');
    expect(kept).toHaveLength(count);
    expect(kept.every((r) => existsSync(r.audioPath))).toBe(true);
    expect(readdirSync(root)).toEqual(['Ada L']);

    // And a delete asked for during an import waits for it, leaving no orphan files behind.
    await store.create('Bo', { baseModelDir: base });
    await Promise.all([store.importFolder('Bo', folder), store.delete('Bo')]);
    expect(readdirSync(root)).toEqual(['Ada L']);
  });

  it('exports a profile to one file and imports it back unchanged', async () => {
    const store = await ProfileStore.open({ root: join(dir, 'export') });
    const ada = await store.create('Ada', { baseModelDir: base });
    await store.addRecording('Ada', { samples: speechLike(1.2, 180), text: 'one' });
    await store.addRecording('Ada', { samples: speechLike(0.8, 240), text: 'two words' });
    await writeRandomModel(join(ada.folder, 'model'), 9);
    const archive = join(dir, 'Ada.harkprofile');
    await store.exportProfile('Ada', archive);

    expect(await codeOf(store.importProfile(archive))).toBe('PROFILE_EXISTS');
    const copy = await store.importProfile(archive, { name: 'Copy' });
    expect(copy).toMatchObject({ name: 'Copy', status: 'ready', recordings: 2 });
    const [a, b] = [await store.recordings('Ada'), await store.recordings('Copy')];
    expect(b.map((r) => [r.text, r.durationSec])).toEqual(a.map((r) => [r.text, r.durationSec]));
    for (let i = 0; i < a.length; i++) {
      expect(readFileSync(b[i]!.audioPath)).toEqual(readFileSync(a[i]!.audioPath));
    }
    // Transcripts made with it name the profile.
    expect(JSON.parse(readFileSync(join(copy.modelDir!, 'model.json'), 'utf8'))).toMatchObject({
      name: 'profile:Copy',
    });
    expect(await fileSha256(join(copy.modelDir!, 'model.onnx'))).toBe(
      await fileSha256(join(ada.folder, 'model', 'model.onnx')),
    );
    // The data folder is a NeMo manifest other tools read.
    const entries = await readManifest(join(copy.folder, 'data', 'manifest.jsonl'));
    expect(entries.map((e) => e.text)).toEqual(['one', 'two words']);

    const bytes = readFileSync(archive);
    const damaged = Uint8Array.from(bytes);
    damaged[damaged.length - 100]! ^= 0xff;
    writeFileSync(join(dir, 'damaged.harkprofile'), damaged);
    writeFileSync(join(dir, 'short.harkprofile'), bytes.subarray(0, bytes.length - 10));
    writeFileSync(join(dir, 'other.harkprofile'), 'not an archive at all');
    for (const bad of ['damaged', 'short', 'other']) {
      const error = await store
        .importProfile(join(dir, `${bad}.harkprofile`), { name: bad })
        .catch((e: unknown) => e);
      expect(isHarkError(error) && error.code).toBe('PROFILE_INVALID');
    }
    expect(readdirSync(join(dir, 'export')).sort()).toEqual(['Ada', 'Copy']);
  });

  it('keeps a consistent profile when its process is killed while adding recordings', async () => {
    const root = join(dir, 'kill');
    const store = await ProfileStore.open({ root });
    await store.create('K', { baseModelDir: base });
    const script = join(dir, 'writer.mts');
    writeFileSync(
      script,
      `import { ProfileStore } from ${JSON.stringify(join(REPO, 'src-main/engine/profiles/index.ts'))};
const store = await ProfileStore.open({ root: ${JSON.stringify(root)} });
const samples = Float32Array.from({ length: 48000 }, (_, i) => 0.3 * Math.sin(i / 5));
process.stdout.write('ready\\n');
for (let i = 0; ; i++) await store.addRecording('K', { samples, text: 'take ' + i });
`,
    );
    for (const delayMs of [150, 400, 900]) {
      const signal = await new Promise<NodeJS.Signals | null>((done, fail) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script], {
          cwd: REPO,
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), delayMs));
        child.on('error', fail);
        child.on('close', (_code, killedBy) => done(killedBy));
      });
      expect(signal).toBe('SIGKILL');
      const reopened = await ProfileStore.open({ root });
      const recordings = await reopened.recordings('K');
      for (const recording of recordings) {
        const { samples } = await readAudioWhole(recording.audioPath);
        expect(samples.length).toBe(48000);
      }
      expect((await reopened.get('K')).recordings).toBe(recordings.length);
    }
    expect((await store.recordings('K')).length).toBeGreaterThan(0);
    // No temporary file survives the next open().
    expect(readdirSync(join(root, 'K', 'data')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('completes or undoes a keep that a crash interrupted', async () => {
    const root = join(dir, 'keep');
    const store = await ProfileStore.open({ root });
    const profile = await store.create('Keep', { baseModelDir: base });
    const folder = profile.folder;
    const oldModel = await writeRandomModel(join(folder, 'model'), 1);
    const oldHash = await fileSha256(join(oldModel, 'model.onnx'));
    const pendingRun = async () => {
      await writeRandomModel(join(folder, 'training', 'candidate'), 2);
      writeFileSync(
        join(folder, 'training', 'result.json'),
        JSON.stringify({
          werBefore: 0.5,
          werAfter: 0.25,
          validationUtterances: 2,
          trainingUtterances: 8,
          trainingSec: 3,
          steps: 10,
          baseModel: profile.baseModel,
          candidateDir: join(folder, 'training', 'candidate'),
        }),
      );
    };

    // Killed after the old model moved aside, before the new one moved in: undone.
    await pendingRun();
    renameSync(join(folder, 'model'), join(folder, '.model-previous'));
    let summary = await (await ProfileStore.open({ root })).get('Keep');
    expect(summary.status).toBe('review');
    expect(await fileSha256(join(summary.modelDir!, 'model.onnx'))).toBe(oldHash);

    // Killed after the new model moved in, before profile.json said so: completed.
    renameSync(join(folder, 'model'), join(folder, '.model-previous'));
    renameSync(join(folder, 'training', 'candidate'), join(folder, 'model'));
    summary = await (await ProfileStore.open({ root })).get('Keep');
    expect(summary.status).toBe('ready');
    expect(summary.metrics?.werAfter).toBe(0.25);
    expect(await fileSha256(join(summary.modelDir!, 'model.onnx'))).not.toBe(oldHash);
    expect(existsSync(join(folder, '.model-previous'))).toBe(false);
    expect(existsSync(join(folder, 'training'))).toBe(false);
  });
});
