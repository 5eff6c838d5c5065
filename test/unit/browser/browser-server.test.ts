import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { PushEvent, SocketMessage } from '../../../src-main/api/contract';
import type { RequestHandlers } from '../../../src-main/engine-host/hark-service';
import { parseRange, resolveInside } from '../../../src-main/browser/http-responses';
import { checkRequest } from '../../../src-main/browser/request-guard';
import { startBrowserServer, type BrowserServer } from '../../../src-main/browser/server';
import { safeFileName } from '../../../src-main/browser/upload';

describe('request guard', () => {
  const options = { token: 'secret-token', port: 4000 };
  const request = (url: string, headers: Record<string, string>) => ({
    url,
    headers: { host: '127.0.0.1:4000', ...headers },
  });

  it('needs the token in the query or the cookie', () => {
    expect(checkRequest(request('/?token=secret-token', {}), options)).toEqual({
      allowed: true,
      via: 'query',
    });
    expect(
      checkRequest(request('/', { cookie: 'a=b; hark_token_4000=secret-token' }), options),
    ).toEqual({ allowed: true, via: 'cookie' });
    expect(
      checkRequest(request('/', { cookie: 'hark_token_4001=secret-token' }), options),
    ).toMatchObject({ allowed: false, status: 401 });
    expect(checkRequest(request('/?token=secret-tokeN', {}), options)).toMatchObject({
      allowed: false,
      status: 401,
    });
  });

  it('refuses other origins and other hosts (DNS rebinding) even with the token', () => {
    expect(
      checkRequest(request('/?token=secret-token', { origin: 'http://evil.example' }), options),
    ).toMatchObject({ status: 403 });
    expect(
      checkRequest(
        { url: '/?token=secret-token', headers: { host: 'evil.example:4000' } },
        options,
      ),
    ).toMatchObject({ status: 403 });
    expect(
      checkRequest(request('/?token=secret-token', {}), options, { requireOrigin: true }),
    ).toMatchObject({ status: 403 });
    expect(
      checkRequest(request('/?token=secret-token', { origin: 'http://127.0.0.1:4000' }), options, {
        requireOrigin: true,
      }),
    ).toMatchObject({ allowed: true });
  });

  it('parses ranges and keeps paths inside the served folder', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 });
    expect(parseRange('bytes=990-2000', 1000)).toEqual({ start: 990, end: 999 });
    expect(parseRange('bytes=1000-', 1000)).toBeNull();
    expect(parseRange('lines=1-2', 1000)).toBeNull();
    expect(parseRange(undefined, 1000)).toBeUndefined();
    expect(resolveInside('/srv/app', '/assets/a.js')).toBe('/srv/app/assets/a.js');
    expect(resolveInside('/srv/app', '/../../etc/passwd')).toBeUndefined();
    expect(resolveInside('/srv/app', '/%2e%2e/%2e%2e/etc/passwd')).toBeUndefined();
    expect(resolveInside('/srv/app', '/a%00.js')).toBeUndefined();
    expect(safeFileName('../../.bashrc')).toBe('bashrc');
    expect(safeFileName('C:\\Users\\me\\talk 1.wav')).toBe('talk 1.wav');
    expect(safeFileName('')).toBe('audio.wav');
    // The name a user picked stays as it was, wherever a file system takes it.
    expect(safeFileName('my notes (final) é #2 & co.wav')).toBe('my notes (final) é #2 & co.wav');
    expect(safeFileName('what? "now" <a|b>:c*.wav')).toBe('what_ _now_ _a_b_c_.wav');
    expect(safeFileName('tab\there.wav')).toBe('tab_here.wav');
    expect(safeFileName('con.wav')).toBe('_con.wav');
    expect(safeFileName('talk.wav. ')).toBe('talk.wav');
    expect(safeFileName('ü'.repeat(200))).toHaveLength(120);
  });
});

describe('browser-mode server', () => {
  let server: BrowserServer;
  let work: string;
  const listeners = new Set<(event: PushEvent) => void>();
  const audioPath = () => join(work, 'talk.wav');
  const exportPath = () => join(work, 'Zoë.harkprofile');

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hark-server-'));
    const rendererDir = join(work, 'renderer');
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Hark</title>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(audioPath(), Buffer.from('RIFF0123456789'));
    writeFileSync(exportPath(), Buffer.from('HARKPROFILE'));
    const handlers = {
      listQueue: async () => ({ jobs: [] }),
      cancelJob: async ({ jobId }: { jobId: string }) => {
        throw Object.assign(new Error(`no job ${jobId}`), {});
      },
    } as unknown as RequestHandlers;
    server = await startBrowserServer({
      service: {
        handlers,
        subscribe: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        mediaPathFor: (id) => (id === 'known' ? audioPath() : undefined),
        recordingPathFor: async (profile, id) =>
          profile === 'Zoë K' && id === 'rec-1' ? audioPath() : undefined,
        downloadPathFor: (token) => (token === 'tok123' ? exportPath() : undefined),
      },
      rendererDir,
      uploadsDir: join(work, 'uploads'),
      maxUploadBytes: 1000,
    });
  });

  afterAll(async () => {
    await server.close();
  });

  const cookie = () => `hark_token_${server.port}=${server.token}`;

  it('listens on 127.0.0.1 only and trades the token for an HttpOnly cookie', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    const first = await fetch(server.url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const page = await fetch(`${server.origin}/`, { headers: { cookie: cookie() } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(page.headers.get('content-security-policy')).not.toMatch(/unsafe/);
    expect(
      (await fetch(`${server.origin}/assets/app.js`, { headers: { cookie: cookie() } })).status,
    ).toBe(200);
    expect((await fetch(`${server.origin}/assets/app.js`)).status).toBe(401);
  });

  it('serves known audio with ranges and refuses the rest', async () => {
    const ranged = await fetch(`${server.origin}/media/known`, {
      headers: { cookie: cookie(), range: 'bytes=4-7' },
    });
    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('0123');
    expect(
      (await fetch(`${server.origin}/media/unknown`, { headers: { cookie: cookie() } })).status,
    ).toBe(404);
    expect((await fetch(`${server.origin}/media/known`)).status).toBe(401);
  });

  it("serves a profile's recordings and export downloads, and nothing else", async () => {
    const headers = { cookie: cookie() };
    const take = await fetch(`${server.origin}/recording/${encodeURIComponent('Zoë K')}/rec-1`, {
      headers,
    });
    expect(take.status).toBe(200);
    expect(await take.text()).toBe('RIFF0123456789');
    for (const path of [
      '/recording/Zo%C3%AB%20K/rec-2',
      '/recording/%E0%A4%A/rec-1',
      '/recording/x',
    ]) {
      expect((await fetch(`${server.origin}${path}`, { headers })).status).toBe(404);
    }
    expect((await fetch(`${server.origin}/recording/Zo%C3%AB%20K/rec-1`)).status).toBe(401);
    const download = await fetch(`${server.origin}/download/tok123/Zo%C3%AB.harkprofile`, {
      headers,
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="Zo_.harkprofile"; filename*=UTF-8''Zo%C3%AB.harkprofile`,
    );
    expect(await download.text()).toBe('HARKPROFILE');
    expect((await fetch(`${server.origin}/download/other/x`, { headers })).status).toBe(404);
  });

  it('stores uploads under the uploads folder with a safe name and a size limit', async () => {
    const headers = { cookie: cookie(), origin: server.origin };
    const ok = await fetch(`${server.origin}/upload?name=${encodeURIComponent('../../evil.wav')}`, {
      method: 'POST',
      headers,
      body: Buffer.from('RIFFdata'),
    });
    const reply = (await ok.json()) as { ok: true; value: { path: string } };
    expect(reply.ok).toBe(true);
    expect(reply.value.path.startsWith(join(work, 'uploads'))).toBe(true);
    expect(reply.value.path.endsWith('evil.wav')).toBe(true);
    expect(readFileSync(reply.value.path, 'utf8')).toBe('RIFFdata');
    const big = await fetch(`${server.origin}/upload?name=big.wav`, {
      method: 'POST',
      headers,
      body: Buffer.alloc(2000),
    });
    expect(big.status).toBe(400);
    const foreign = await fetch(`${server.origin}/upload?name=x.wav`, {
      method: 'POST',
      headers: { cookie: cookie(), origin: 'http://evil.example' },
      body: 'x',
    });
    expect(foreign.status).toBe(403);
  });

  it('speaks the contract over the WebSocket, validates requests and pushes events', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api`, {
      headers: { cookie: cookie(), origin: server.origin },
    });
    const messages: SocketMessage[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as SocketMessage));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ kind: 'request', id: 1, name: 'listQueue', params: {} }));
    socket.send(
      JSON.stringify({ kind: 'request', id: 2, name: 'cancelJob', params: { jobId: 'a b' } }),
    );
    socket.send(JSON.stringify({ kind: 'request', id: 3, name: 'rm -rf', params: {} }));
    for (const listener of listeners) listener({ type: 'queue', jobs: [] });
    while (messages.length < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    const reply = (id: number) =>
      messages.find((message) => message.kind === 'reply' && message.id === id);
    expect(reply(1)).toEqual({ kind: 'reply', id: 1, reply: { ok: true, value: { jobs: [] } } });
    expect(reply(2)).toMatchObject({ reply: { ok: false, error: { code: 'INVALID_ARGUMENT' } } });
    expect(reply(3)).toMatchObject({ reply: { ok: false, error: { code: 'INVALID_ARGUMENT' } } });
    expect(messages).toContainEqual({ kind: 'event', event: { type: 'queue', jobs: [] } });
    socket.close();
  });

  it('refuses WebSocket connections without the token or from another origin', async () => {
    const attempt = (headers: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api`, { headers });
        socket.once('open', () => {
          socket.close();
          resolve('open');
        });
        socket.once('unexpected-response', (_request, response) =>
          resolve(String(response.statusCode)),
        );
        socket.once('error', () => resolve('error'));
      });
    await expect(attempt({ origin: server.origin })).resolves.toBe('401');
    await expect(attempt({ cookie: cookie(), origin: 'http://evil.example' })).resolves.toBe('403');
    await expect(attempt({ cookie: cookie() })).resolves.toBe('403');
  });
});
