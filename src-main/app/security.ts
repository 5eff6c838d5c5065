/**
 * Electron's security checklist, as small decisions the main process applies: which permissions a
 * page gets, where it may navigate, which IPC senders are trusted, and the Content-Security-Policy.
 */

/** Hark's own page: the custom protocol, or the dev server while developing. */
export interface TrustedOrigins {
  appOrigin: string;
  devServerUrl?: string;
}

export function isTrustedUrl(url: string, origins: TrustedOrigins): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (`${parsed.protocol}//${parsed.host}` === origins.appOrigin) return true;
  if (origins.devServerUrl) {
    const dev = new URL(origins.devServerUrl);
    return parsed.origin === dev.origin;
  }
  return false;
}

/**
 * Permissions: everything is refused except the microphone, and that only for the top frame of
 * Hark's own page asking for audio alone (voice-profile recordings): no camera, no screen, no
 * other origin, no embedded frame.
 */
export function decidePermission(
  request: {
    permission: string;
    requestingUrl: string;
    mediaTypes?: readonly string[];
    isMainFrame?: boolean;
  },
  origins: TrustedOrigins,
): boolean {
  if (!isTrustedUrl(request.requestingUrl, origins)) return false;
  if (request.permission !== 'media' || request.isMainFrame === false) return false;
  const types = request.mediaTypes ?? [];
  return types.length > 0 && types.every((type) => type === 'audio');
}

/**
 * Electron's synchronous permission checks (a page asking whether it holds a permission): the
 * same rule, for the one media type a check names.
 */
export function decidePermissionCheck(
  check: { permission: string; requestingOrigin: string; mediaType?: string },
  origins: TrustedOrigins,
): boolean {
  return (
    check.permission === 'media' &&
    check.mediaType === 'audio' &&
    isTrustedUrl(check.requestingOrigin, origins)
  );
}

/** IPC messages count only from the top frame of Hark's own page. */
export function isTrustedSender(
  frame: { url: string; parent: unknown } | null | undefined,
  origins: TrustedOrigins,
): boolean {
  return !!frame && frame.parent === null && isTrustedUrl(frame.url, origins);
}

/** The renderer's CSP in the desktop app: its own files and media protocol only. */
export function desktopContentSecurityPolicy(appOrigin: string): string {
  return [
    "default-src 'none'",
    `script-src ${appOrigin}`,
    `style-src ${appOrigin}`,
    `img-src ${appOrigin} data:`,
    `font-src ${appOrigin}`,
    `media-src ${appOrigin}`,
    `connect-src ${appOrigin}`,
    `worker-src ${appOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
