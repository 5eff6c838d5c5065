import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { parseRange, resolveInside } from '../browser/http-responses';

export const APP_SCHEME = 'hark';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
const MEDIA_PREFIX = '/media/';
const RECORDING_PREFIX = '/recording/';

/** The URL the renderer plays a transcript's audio from. */
export function mediaUrlFor(transcriptId: string): string {
  return `${APP_ORIGIN}${MEDIA_PREFIX}${transcriptId}`;
}

/** The URL the renderer plays a voice profile's recording from. */
export function recordingUrlFor(profile: string, recordingId: string): string {
  return `${APP_ORIGIN}${RECORDING_PREFIX}${encodeURIComponent(profile)}/${recordingId}`;
}

/**
 * The profile and recording a hark://app/recording/<profile>/<id> URL names, or undefined for any
 * other URL (the host then looks the WAV up among the profile's recordings, never a path).
 *
 * @example
 * recordingOfUrl('hark://app/recording/Ada/rec-1'); // { profile: 'Ada', id: 'rec-1' }
 */
export function recordingOfUrl(url: string): { profile: string; id: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return undefined;
  if (!parsed.pathname.startsWith(RECORDING_PREFIX)) return undefined;
  const parts = parsed.pathname.slice(RECORDING_PREFIX.length).split('/');
  if (parts.length !== 2 || !/^[A-Za-z0-9_-]{1,64}$/.test(parts[1]!)) return undefined;
  try {
    const profile = decodeURIComponent(parts[0]!);
    return profile ? { profile, id: parts[1]! } : undefined;
  } catch {
    return undefined;
  }
}

export type AppRoute =
  { kind: 'renderer'; path: string } | { kind: 'media'; path: string } | { kind: 'not-found' };

/**
 * What a hark://app/… request is: a file of the built renderer, the audio of a transcript
 * (only transcripts Hark knows; never an arbitrary path), or nothing.
 *
 * @example
 * routeAppRequest('hark://app/index.html', { rendererDir, mediaPathFor }); // { kind: 'renderer', path }
 */
export function routeAppRequest(
  url: string,
  options: { rendererDir: string; mediaPathFor: (id: string) => string | undefined },
): AppRoute {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: 'not-found' };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST)
    return { kind: 'not-found' };
  if (parsed.pathname.startsWith(MEDIA_PREFIX)) {
    const id = parsed.pathname.slice(MEDIA_PREFIX.length);
    const path = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? options.mediaPathFor(id) : undefined;
    return path ? { kind: 'media', path } : { kind: 'not-found' };
  }
  const relative = parsed.pathname === '/' ? '/index.html' : parsed.pathname;
  const path = resolveInside(options.rendererDir, relative);
  return path ? { kind: 'renderer', path } : { kind: 'not-found' };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** Answers a route as a fetch Response, with byte ranges for media (seeking needs them). */
export async function respondToRoute(
  route: AppRoute,
  request: { headers: { get(name: string): string | null } },
  headers: { html: Record<string, string> },
): Promise<Response> {
  if (route.kind === 'not-found') return new Response('not found', { status: 404 });
  let size: number;
  try {
    const info = await stat(route.path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch {
    return new Response('not found', { status: 404 });
  }
  const extension = extname(route.path).toLowerCase();
  const base: Record<string, string> = {
    'content-type':
      route.kind === 'media' ? 'audio/wav' : (TYPES[extension] ?? 'application/octet-stream'),
    'x-content-type-options': 'nosniff',
    ...(extension === '.html' ? headers.html : {}),
  };
  if (route.kind === 'media') base['accept-ranges'] = 'bytes';
  const range =
    route.kind === 'media'
      ? parseRange(request.headers.get('range') ?? undefined, size)
      : undefined;
  if (range === null) {
    return new Response(null, {
      status: 416,
      headers: { ...base, 'content-range': `bytes */${size}` },
    });
  }
  const stream = createReadStream(route.path, range ? { start: range.start, end: range.end } : {});
  const body = Readable.toWeb(stream) as ReadableStream<Uint8Array>;
  if (range) {
    return new Response(body, {
      status: 206,
      headers: {
        ...base,
        'content-length': String(range.end - range.start + 1),
        'content-range': `bytes ${range.start}-${range.end}/${size}`,
      },
    });
  }
  return new Response(body, { status: 200, headers: { ...base, 'content-length': String(size) } });
}

/** Where the built renderer lives beside the built main process (out/main → out/renderer). */
export function defaultRendererDir(mainDir: string): string {
  return join(mainDir, '..', 'renderer');
}
