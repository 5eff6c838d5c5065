import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushEvent, TranscriptRecord } from '../../../src-main/api/contract';
import { createDispatcher } from '../../../src-main/engine-host/dispatch';
import { HarkService } from '../../../src-main/engine-host/hark-service';
import { DEFAULT_DECODING } from '../../../src-main/engine/transcribe/decoding-defaults';
import { fakeEngine } from './fake-engine';

const services: HarkService[] = [];

async function createService(
  userDataDir: string,
  engine = fakeEngine(),
  extra: { bundledLmDir?: string } = {},
) {
  const service = await HarkService.create({
    ...extra,
    mode: 'browser',
    version: '9.9.9',
    userDataDir,
    bundledModelDir: '/models/bundled',
    launch: engine.launcher,
    mediaUrl: (id) => `/media/${id}`,
    platform: 'linux',
    restartDelaysMs: [1],
  });
  services.push(service);
  const events: PushEvent[] = [];
  service.subscribe((event) => events.push(event));
  service.start();
  return { service, events, engine };
}

async function transcribeOne(service: HarkService, events: PushEvent[], dir: string) {
  const path = join(dir, 'talk.wav');
  writeFileSync(path, 'RIFF');
  await service.handlers.addFiles({ paths: [path] });
  while (!events.some((event) => event.type === 'transcript'))
    await new Promise((r) => setTimeout(r, 2));
  const event = events.find((candidate) => candidate.type === 'transcript');
  if (event?.type !== 'transcript') throw new Error('no transcript');
  return event.entry.id;
}

afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.dispose()));
});

describe('HarkService', () => {
  it('keeps the model output and the corrections side by side, and exports the corrected text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-service-'));
    const { service, events } = await createService(dir);
    const id = await transcribeOne(service, events, dir);

    const { entry } = await service.handlers.saveEdits({ id, edits: { '0:1': 'everyone' } });
    expect(entry.editCount).toBe(1);
    expect(entry.preview).toBe('hello everyone world');

    const stored = JSON.parse(
      readFileSync(join(dir, 'transcripts', `${id}.json`), 'utf8'),
    ) as TranscriptRecord;
    expect(stored.transcript.segments[0]?.words[1]?.text).toBe('there');
    expect(stored.edits).toEqual({ '0:1': 'everyone' });
    // No temporary files are left behind by the atomic writes.
    expect(readdirSync(join(dir, 'transcripts')).filter((name) => name.endsWith('.tmp'))).toEqual(
      [],
    );

    const srt = await service.handlers.exportTranscript({ id, format: 'srt' });
    expect(srt.fileName).toBe('talk.srt');
    expect(srt.content).toContain('hello everyone world');
    const json = await service.handlers.exportTranscript({ id, format: 'json' });
    expect(json.mimeType).toBe('application/json');
    expect(json.content).toContain('everyone');
    expect(service.mediaPathFor(id)).toBe(join(dir, 'talk.wav'));
    await expect(service.handlers.getMediaUrl({ id })).resolves.toEqual({ url: `/media/${id}` });
  });

  it('finds its history again after a restart, and deletes from it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-service-'));
    const first = await createService(dir);
    const id = await transcribeOne(first.service, first.events, dir);
    await first.service.dispose();

    const second = await createService(dir);
    const { entries } = await second.service.handlers.listHistory({});
    expect(entries.map((entry) => entry.id)).toEqual([id]);
    const record = await second.service.handlers.getTranscript({ id });
    expect(record.transcript.text).toBe('hello there world');
    await expect(second.service.handlers.deleteTranscript({ id })).resolves.toEqual({
      deleted: true,
    });
    await expect(second.service.handlers.getTranscript({ id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(
      second.events.some((event) => event.type === 'history' && event.entries.length === 0),
    ).toBe(true);
  });

  it('removes an uploaded file with its last transcript', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-service-'));
    const { service, events } = await createService(dir);
    const uploadDir = join(dir, 'uploads', '123-abc');
    mkdirSync(uploadDir, { recursive: true });
    const id = await transcribeOne(service, events, uploadDir);
    expect(service.mediaPathFor(id)).toBe(join(uploadDir, 'talk.wav'));
    await service.handlers.deleteTranscript({ id });
    expect(existsSync(uploadDir)).toBe(false);
  });

  it('answers through the dispatcher with contract errors for bad requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-service-'));
    const { service } = await createService(dir);
    const dispatch = createDispatcher(service.handlers);
    await expect(dispatch('getAppInfo', {})).resolves.toMatchObject({
      ok: true,
      value: {
        mode: 'browser',
        version: '9.9.9',
        devices: ['auto', 'cpu', 'cuda', 'webgpu'],
        nativeDialogs: false,
      },
    });
    await expect(dispatch('deleteEverything', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    await expect(dispatch('cancelJob', { jobId: '../etc' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('jobId') },
    });
    await expect(dispatch('cancelJob', { jobId: 'nope' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    await expect(dispatch('openFilesDialog', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'UNSUPPORTED' },
    });
    const skipped = await dispatch('addFiles', {
      paths: [join(dir, 'missing.wav'), 'relative.wav'],
    });
    expect(skipped).toMatchObject({
      ok: true,
      value: { jobs: [], skipped: [{ code: 'FILE_NOT_FOUND' }, { code: 'INVALID_ARGUMENT' }] },
    });
  });

  it('changes settings, restarts the engine with them, and refuses a folder that is not a model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-service-'));
    const { service, engine, events } = await createService(dir);
    await service.handlers.updateSettings({ device: 'cpu', threads: 3 });
    while (engine.processes.length < 2 || service.handlers === undefined)
      await new Promise((r) => setTimeout(r, 2));
    const init = engine.current().received.find((m) => m.kind === 'request' && m.method === 'init');
    expect(init?.kind === 'request' && init.params).toEqual({
      modelDir: '/models/bundled',
      device: 'cpu',
      threads: 3,
      decoding: { method: DEFAULT_DECODING.method, beamWidth: 16, lmDir: null },
    });
    expect(events.some((event) => event.type === 'settings' && event.settings.threads === 3)).toBe(
      true,
    );
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toMatchObject({
      device: 'cpu',
      threads: 3,
    });

    const notModel = join(dir, 'not-a-model');
    mkdirSync(notModel);
    writeFileSync(join(notModel, 'model.onnx'), 'x');
    await expect(service.handlers.importModel({ dir: notModel })).rejects.toMatchObject({
      code: 'MODEL_INVALID',
      message: expect.stringContaining('the model folder has no tokens.txt'),
    });
    const model = join(dir, 'my-model');
    mkdirSync(model);
    writeFileSync(join(model, 'model.onnx'), 'x');
    writeFileSync(join(model, 'tokens.txt'), 'a 0\n');
    const settings = await service.handlers.importModel({ dir: model });
    expect(settings.model).toMatchObject({ kind: 'imported', name: 'fake' });
    expect(settings.model.dir.startsWith(join(dir, 'models'))).toBe(true);
    expect(readFileSync(join(settings.model.dir, 'tokens.txt'), 'utf8')).toBe('a 0\n');
    const bundled = await service.handlers.useBundledModel({});
    expect(bundled.model).toEqual({ kind: 'bundled', dir: '/models/bundled' });
  });

  it('starts beam search with the bundled LM, passes custom words per file, and restarts only when needed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-service-'));
    const lmDir = join(dir, 'lm-en');
    mkdirSync(lmDir);
    const { service, engine, events } = await createService(dir, fakeEngine(), {
      bundledLmDir: lmDir,
    });
    const inits = () =>
      engine.processes.flatMap((p) =>
        p.received.filter((m) => m.kind === 'request' && m.method === 'init'),
      );
    const waitFor = async (check: () => boolean) => {
      while (!check()) await new Promise((r) => setTimeout(r, 2));
    };
    await waitFor(() => inits().length === 1);

    const settings = await service.handlers.updateSettings({
      decoding: { method: 'beam', beamWidth: 8 },
    });
    expect(settings.decoding).toEqual({ method: 'beam', beamWidth: 8, hotwords: [] });
    await waitFor(() => inits().length === 2);
    const init = inits()[1];
    expect(init?.kind === 'request' && init.params).toMatchObject({
      decoding: { method: 'beam', beamWidth: 8, lmDir },
    });

    // Custom words: saved, no restart, sent with the next file.
    await service.handlers.updateSettings({ decoding: { hotwords: ['Siobhan', 'new york :3'] } });
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toMatchObject({
      decoding: { method: 'beam', beamWidth: 8, hotwords: ['Siobhan', 'new york :3'] },
    });
    await transcribeOne(service, events, dir);
    expect(engine.processes).toHaveLength(2);
    const call = engine
      .current()
      .received.find((m) => m.kind === 'request' && m.method === 'transcribe');
    expect(call?.kind === 'request' && call.params).toMatchObject({
      hotwords: ['Siobhan', 'new york :3'],
    });

    await expect(
      service.handlers.updateSettings({ decoding: { hotwords: ['fine', '!!!'] } }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'custom words: "!!!": no word Hark can spell in it',
    });
    await expect(
      service.handlers.updateSettings({ decoding: { hotwords: ['Kubernetes :abc'] } }),
    ).rejects.toMatchObject({
      message: 'custom words: "Kubernetes :abc": the boost after ":" must be a number, not "abc"',
    });
    await expect(service.handlers.getSettings({})).resolves.toMatchObject({
      decoding: { hotwords: ['Siobhan', 'new york :3'] },
    });

    // Greedy decoding: no LM is loaded.
    await service.handlers.updateSettings({ decoding: { method: 'greedy' } });
    await waitFor(() => inits().length === 3);
    const greedy = inits()[2];
    expect(greedy?.kind === 'request' && greedy.params).toMatchObject({
      decoding: { method: 'greedy', lmDir: null },
    });
  });
});
