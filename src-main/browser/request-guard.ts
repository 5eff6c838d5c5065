import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface GuardOptions {
  token: string;
  port: number;
}

/** The cookie name carries the port: cookies are shared by every port of 127.0.0.1. */
export function tokenCookieName(port: number): string {
  return `hark_token_${port}`;
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export type GuardVerdict =
  | { allowed: true; via: 'cookie' | 'query' }
  | { allowed: false; status: 401 | 403; reason: string };

/**
 * Decides whether a request to the browser-mode server may go on: it must name this server as its
 * Host (no DNS rebinding), come from this server's own page when it has an Origin, and carry the
 * token as ?token= or as the cookie set on the first visit. WebSocket upgrades must have an Origin.
 *
 * @example
 * const verdict = checkRequest(request, { token, port }, { requireOrigin: true });
 * if (!verdict.allowed) response.writeHead(verdict.status).end(verdict.reason);
 */
export function checkRequest(
  request: Pick<IncomingMessage, 'headers' | 'url'>,
  options: GuardOptions,
  check: { requireOrigin?: boolean } = {},
): GuardVerdict {
  const hosts = allowedHosts(options.port);
  if (!hosts.includes(request.headers.host ?? '')) {
    return { allowed: false, status: 403, reason: 'unknown Host' };
  }
  const origin = request.headers.origin;
  if (origin !== undefined || check.requireOrigin) {
    if (!hosts.some((host) => origin === `http://${host}`)) {
      return { allowed: false, status: 403, reason: 'requests from another origin are refused' };
    }
  }
  const url = new URL(request.url ?? '/', `http://${hosts[0]}`);
  if (sameToken(url.searchParams.get('token'), options.token))
    return { allowed: true, via: 'query' };
  const cookie = readCookie(request.headers.cookie, tokenCookieName(options.port));
  if (sameToken(cookie, options.token)) return { allowed: true, via: 'cookie' };
  return { allowed: false, status: 401, reason: 'the token is missing or wrong' };
}
