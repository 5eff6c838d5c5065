import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { WebSocketServer } from 'ws';
import { toApiErrorInfo } from '../api/api-error';
import { BROWSER_ROUTES, MAX_CLIP_BASE64_CHARS } from '../api/contract';
import { createDispatcher } from '../engine-host/dispatch';
import type { HarkService } from '../engine-host/hark-service';
import {
  contentSecurityPolicy,
  resolveInside,
  sendFile,
  sendJson,
  sendText,
} from './http-responses';
import { checkRequest, tokenCookieName } from './request-guard';
import { serveSocket } from './socket-bridge';
import { receiveUpload } from './upload';

export interface BrowserServerOptions {
  service: Pick<
    HarkService,
    'handlers' | 'subscribe' | 'mediaPathFor' | 'recordingPathFor' | 'downloadPathFor'
  >;
  /** The built renderer (vite build of src-renderer). */
  rendererDir: string;
  /** Where dropped files are uploaded to (inside the user-data folder, so playback survives restarts). */
  uploadsDir: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  maxUploadBytes?: number;
}

export interface BrowserServer {
  /** The address to open, token included. */
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** A URL path segment decoded; a malformed escape is kept as it is (it then matches nothing). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const NO_TOKEN_PAGE = `<!doctype html><meta charset="utf-8"><title>Hark</title>
<p>Open Hark with the address printed by <code>npm run serve</code>: it contains the access token.</p>`;

/**
 * Browser mode: serves the renderer and the API contract (WebSocket on /api) on 127.0.0.1 only,
 * behind a random per-run token; requests from another Origin or Host are refused.
 *
 * @example
 * const server = await startBrowserServer({ service, rendererDir: 'out/renderer', uploadsDir });
 * console.log(server.url); // http://127.0.0.1:41234/?token=…
 */
export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const dispatch = createDispatcher(options.service.handlers);
  const maxUploadBytes = options.maxUploadBytes ?? 4 * 1024 ** 3;
  let port = 0;

  const htmlHeaders = () => ({
    'content-security-policy': contentSecurityPolicy(port),
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    const verdict = checkRequest(request, { token, port });
    if (!verdict.allowed) {
      if (verdict.status === 401 && url.pathname === '/' && request.method === 'GET') {
        response.writeHead(401, { 'content-type': 'text/html; charset=utf-8', ...htmlHeaders() });
        response.end(NO_TOKEN_PAGE);
      } else {
        sendText(response, verdict.status, verdict.reason);
      }
      return;
    }
    if (verdict.via === 'query' && request.method === 'GET' && url.pathname === '/') {
      // Trade the token in the address for a cookie, so it does not linger in the address bar.
      response.writeHead(303, {
        location: '/',
        'set-cookie': `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
      });
      response.end();
      return;
    }
    if (url.pathname === BROWSER_ROUTES.upload) {
      if (request.method !== 'POST') return sendText(response, 405, 'POST only');
      try {
        const path = await receiveUpload(request, {
          uploadsDir: options.uploadsDir,
          fileName: url.searchParams.get('name') ?? 'audio.wav',
          maxBytes: maxUploadBytes,
        });
        sendJson(response, 200, { ok: true, value: { path } });
      } catch (error) {
        sendJson(response, 400, { ok: false, error: toApiErrorInfo(error) });
      }
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return sendText(response, 405, 'method not allowed');
    }
    if (url.pathname.startsWith(BROWSER_ROUTES.media)) {
      const id = url.pathname.slice(BROWSER_ROUTES.media.length);
      const path = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? options.service.mediaPathFor(id) : undefined;
      if (!path) return sendText(response, 404, 'no such audio');
      await sendFile(request, response, path, { 'cache-control': 'no-store' });
      return;
    }
    if (url.pathname.startsWith(BROWSER_ROUTES.recording)) {
      // /recording/<profile>/<id>: a profile's take, for playback.
      const [profile, id] = url.pathname.slice(BROWSER_ROUTES.recording.length).split('/');
      const path =
        profile && id && /^[A-Za-z0-9_-]{1,64}$/.test(id)
          ? await options.service.recordingPathFor(safeDecode(profile), id)
          : undefined;
      if (!path) return sendText(response, 404, 'no such recording');
      await sendFile(request, response, path, { 'cache-control': 'no-store' });
      return;
    }
    if (url.pathname.startsWith(BROWSER_ROUTES.download)) {
      // /download/<token>/<name>: a file the service wrote for download (a profile export).
      const [fileToken] = url.pathname.slice(BROWSER_ROUTES.download.length).split('/');
      const path = fileToken ? options.service.downloadPathFor(fileToken) : undefined;
      if (!path) return sendText(response, 404, 'no such download');
      const fileName = basename(path);
      const asciiName = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
      await sendFile(request, response, path, {
        'cache-control': 'no-store',
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
      });
      return;
    }
    const isIndex = url.pathname === '/' || url.pathname === '/index.html';
    const path = isIndex
      ? join(options.rendererDir, 'index.html')
      : resolveInside(options.rendererDir, url.pathname);
    if (!path) return sendText(response, 404, 'not found');
    await sendFile(
      request,
      response,
      path,
      isIndex ? htmlHeaders() : { 'cache-control': 'no-cache' },
    );
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendText(response, 500, toApiErrorInfo(error).message);
      else response.destroy();
    });
  });

  // Room for a PcmClip (MAX_CLIP_BASE64_CHARS) and its JSON envelope.
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_CLIP_BASE64_CHARS + 64 * 1024,
  });
  sockets.on('connection', (socket) =>
    serveSocket(socket, { dispatch, subscribe: (listener) => options.service.subscribe(listener) }),
  );
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    const verdict = checkRequest(request, { token, port }, { requireOrigin: true });
    if (url.pathname !== BROWSER_ROUTES.socket || !verdict.allowed) {
      const status =
        url.pathname !== BROWSER_ROUTES.socket ? 404 : verdict.allowed ? 200 : verdict.status;
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (client) =>
      sockets.emit('connection', client, request),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
