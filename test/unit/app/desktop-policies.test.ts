import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import {
  mediaUrlFor,
  recordingOfUrl,
  recordingUrlFor,
  respondToRoute,
  routeAppRequest,
} from '../../../src-main/app/app-protocol';
import { createNativeDialogs } from '../../../src-main/app/native-dialogs';
import { filesFromArgv } from '../../../src-main/app/launch-files';
import { buildMenuTemplate } from '../../../src-main/app/menu';
import {
  decidePermission,
  decidePermissionCheck,
  desktopContentSecurityPolicy,
  isTrustedSender,
  isTrustedUrl,
} from '../../../src-main/app/security';
import { restoreWindowState } from '../../../src-main/app/window-state';

const origins = { appOrigin: 'hark://app' };

describe('security decisions', () => {
  it('trusts only Hark’s own page', () => {
    expect(isTrustedUrl('hark://app/index.html', origins)).toBe(true);
    expect(isTrustedUrl('hark://evil/index.html', origins)).toBe(false);
    expect(isTrustedUrl('https://example.com/', origins)).toBe(false);
    expect(isTrustedUrl('file:///etc/passwd', origins)).toBe(false);
    expect(
      isTrustedUrl('http://localhost:5173/', { ...origins, devServerUrl: 'http://localhost:5173' }),
    ).toBe(true);
    expect(isTrustedUrl('not a url', origins)).toBe(false);
  });

  it('grants the microphone only to the top frame of Hark’s page asking for audio alone', () => {
    const ask = {
      permission: 'media',
      requestingUrl: 'hark://app/index.html',
      mediaTypes: ['audio'],
      isMainFrame: true,
    };
    expect(decidePermission(ask, origins)).toBe(true);
    expect(decidePermission({ ...ask, mediaTypes: ['audio', 'video'] }, origins)).toBe(false);
    expect(decidePermission({ ...ask, mediaTypes: ['video'] }, origins)).toBe(false);
    expect(decidePermission({ ...ask, mediaTypes: [] }, origins)).toBe(false);
    expect(decidePermission({ ...ask, isMainFrame: false }, origins)).toBe(false);
    expect(decidePermission({ ...ask, requestingUrl: 'https://x.org' }, origins)).toBe(false);
    expect(decidePermission({ ...ask, requestingUrl: 'hark://evil/index.html' }, origins)).toBe(
      false,
    );
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      expect(decidePermission({ ...ask, permission }, origins)).toBe(false);
    }
    const check = { permission: 'media', requestingOrigin: 'hark://app', mediaType: 'audio' };
    expect(decidePermissionCheck(check, origins)).toBe(true);
    expect(decidePermissionCheck({ ...check, mediaType: 'video' }, origins)).toBe(false);
    expect(
      decidePermissionCheck({ permission: 'media', requestingOrigin: 'hark://app' }, origins),
    ).toBe(false);
    expect(decidePermissionCheck({ ...check, requestingOrigin: 'https://x.org' }, origins)).toBe(
      false,
    );
    expect(decidePermissionCheck({ ...check, permission: 'notifications' }, origins)).toBe(false);
  });

  it('accepts IPC only from the top frame of Hark’s page', () => {
    expect(isTrustedSender({ url: 'hark://app/index.html', parent: null }, origins)).toBe(true);
    expect(isTrustedSender({ url: 'hark://app/index.html', parent: {} }, origins)).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null }, origins)).toBe(false);
    expect(isTrustedSender(null, origins)).toBe(false);
  });

  it('has a CSP without inline scripts, eval or remote sources', () => {
    const csp = desktopContentSecurityPolicy('hark://app');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('script-src hark://app');
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });
});

describe('the hark:// protocol', () => {
  const rendererDir = '/opt/hark/renderer';
  const mediaPathFor = (id: string) => (id === 'known' ? '/home/me/talk.wav' : undefined);

  it('serves the renderer, known transcripts’ audio, and nothing else', () => {
    expect(routeAppRequest(mediaUrlFor('unknown'), { rendererDir, mediaPathFor })).toEqual({
      kind: 'not-found',
    });
    expect(routeAppRequest('hark://other/index.html', { rendererDir, mediaPathFor })).toEqual({
      kind: 'not-found',
    });
    expect(routeAppRequest('hark://app/', { rendererDir, mediaPathFor })).toEqual({
      kind: 'renderer',
      path: '/opt/hark/renderer/index.html',
    });
    expect(routeAppRequest('hark://app/assets/index.js', { rendererDir, mediaPathFor })).toEqual({
      kind: 'renderer',
      path: '/opt/hark/renderer/assets/index.js',
    });
    expect(routeAppRequest(mediaUrlFor('known'), { rendererDir, mediaPathFor })).toEqual({
      kind: 'media',
      path: '/home/me/talk.wav',
    });
    for (const url of [
      mediaUrlFor('unknown'),
      'hark://app/media/..%2F..%2Fetc%2Fpasswd',
      'hark://app/media/known/../../../etc/passwd',
      'hark://app/%2e%2e/%2e%2e/etc/passwd',
      'hark://other/index.html',
      'https://app/index.html',
    ]) {
      const route = routeAppRequest(url, { rendererDir, mediaPathFor });
      // Either nothing, or a file inside the renderer folder: never a path outside it.
      if (route.kind !== 'not-found') {
        expect(route.kind).toBe('renderer');
        expect(route.path.startsWith(`${rendererDir}/`)).toBe(true);
      }
    }
  });

  it('names a profile recording by profile and id only, never by path', () => {
    const url = recordingUrlFor('Zoë K/..', 'rec-1');
    expect(url).toBe('hark://app/recording/Zo%C3%AB%20K%2F../rec-1');
    expect(recordingOfUrl(url)).toEqual({ profile: 'Zoë K/..', id: 'rec-1' });
    for (const bad of [
      'hark://app/recording/Ada/../../etc/passwd',
      'hark://app/recording/Ada/rec 1',
      'hark://app/recording//rec-1',
      'hark://app/recording/%E0%A4%A/rec-1',
      'hark://other/recording/Ada/rec-1',
      'hark://app/media/rec-1',
    ]) {
      expect(recordingOfUrl(bad)).toBeUndefined();
    }
  });

  it('offers native dialogs for profile archives and recordings folders', async () => {
    const calls: { kind: string; options: Record<string, unknown> }[] = [];
    const dialog = {
      showSaveDialog: async (options: Record<string, unknown>) => {
        calls.push({ kind: 'save', options });
        return { canceled: false, filePath: '/home/me/Ada.harkprofile' };
      },
      showOpenDialog: async (options: Record<string, unknown>) => {
        calls.push({ kind: 'open', options });
        return { canceled: calls.length > 2, filePaths: ['/home/me/chosen'] };
      },
    };
    const dialogs = createNativeDialogs(dialog as never, () => undefined);
    await expect(dialogs.profiles?.chooseProfileSavePath('Ada.harkprofile')).resolves.toBe(
      '/home/me/Ada.harkprofile',
    );
    await expect(dialogs.profiles?.openProfileArchive()).resolves.toBe('/home/me/chosen');
    await expect(dialogs.profiles?.chooseRecordingsFolder()).resolves.toBeUndefined();
    expect(calls[0]!.options).toMatchObject({
      defaultPath: 'Ada.harkprofile',
      filters: [{ extensions: ['harkprofile'] }],
    });
    expect(calls[1]!.options).toMatchObject({ properties: ['openFile'] });
    expect(calls[2]!.options).toMatchObject({ properties: ['openDirectory'] });
  });

  it('answers byte ranges for audio so the player can seek', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-protocol-'));
    const path = join(dir, 'a.wav');
    writeFileSync(path, Buffer.from('0123456789'));
    const headers = (range?: string) => ({
      get: (name: string) => (name === 'range' ? (range ?? null) : null),
    });
    const partial = await respondToRoute(
      { kind: 'media', path },
      { headers: headers('bytes=2-5') },
      { html: {} },
    );
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await partial.text()).toBe('2345');
    const whole = await respondToRoute(
      { kind: 'media', path },
      { headers: headers() },
      { html: {} },
    );
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const bad = await respondToRoute(
      { kind: 'media', path },
      { headers: headers('bytes=50-60') },
      { html: {} },
    );
    expect(bad.status).toBe(416);
    const html = join(dir, 'index.html');
    writeFileSync(html, '<!doctype html>');
    const page = await respondToRoute(
      { kind: 'renderer', path: html },
      { headers: headers() },
      { html: { 'content-security-policy': "default-src 'none'" } },
    );
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(
      (
        await respondToRoute(
          { kind: 'renderer', path: join(dir, 'missing.js') },
          { headers: headers() },
          { html: {} },
        )
      ).status,
    ).toBe(404);
  });
});

describe('menus', () => {
  function find(
    template: MenuItemConstructorOptions[],
    label: string,
  ): MenuItemConstructorOptions | undefined {
    for (const item of template) {
      if (item.label === label) return item;
      if (Array.isArray(item.submenu)) {
        const inner = find(item.submenu, label);
        if (inner) return inner;
      }
    }
    return undefined;
  }

  it('has File (Open…, Export…, Quit), Edit, View and Help with About, wired to actions', () => {
    const actions = {
      openFiles: vi.fn(),
      send: vi.fn(),
      showAbout: vi.fn(),
      openUserData: vi.fn(),
    };
    const template = buildMenuTemplate({ isMac: false, appName: 'Hark', actions });
    expect(template.map((item) => item.label)).toEqual(['&File', '&Edit', '&View', '&Help']);
    const open = find(template, 'Open…');
    expect(open?.accelerator).toBe('CmdOrCtrl+O');
    (open?.click as () => void)();
    expect(actions.openFiles).toHaveBeenCalled();
    (find(template, 'Export…')?.click as () => void)();
    expect(actions.send).toHaveBeenCalledWith('export');
    expect(find(template, 'Quit')?.role).toBe('quit');
    (find(template, 'About Hark')?.click as () => void)();
    expect(actions.showAbout).toHaveBeenCalled();
  });

  it('puts the app menu first on macOS', () => {
    const actions = {
      openFiles: vi.fn(),
      send: vi.fn(),
      showAbout: vi.fn(),
      openUserData: vi.fn(),
    };
    const template = buildMenuTemplate({ isMac: true, appName: 'Hark', actions });
    expect(template[0]?.label).toBe('Hark');
    expect(template.map((item) => item.label)).toContain('&File');
  });
});

describe('window state and launch files', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];

  it('restores a saved window where it is visible, and centres one that would be off screen', () => {
    const saved = { bounds: { x: 100, y: 80, width: 1000, height: 700 }, maximized: true };
    expect(restoreWindowState(saved, screen)).toEqual({ bounds: saved.bounds, maximized: true });
    const offScreen = { bounds: { x: 3000, y: 80, width: 1000, height: 700 }, maximized: false };
    expect(restoreWindowState(offScreen, screen)).toEqual({
      bounds: { width: 1000, height: 700 },
      maximized: false,
    });
    expect(
      restoreWindowState({ bounds: { x: 0, y: 0, width: 10, height: 10 } }, screen).bounds,
    ).toMatchObject({ width: 640, height: 440 });
    expect(restoreWindowState('junk', screen)).toEqual({
      bounds: { width: 1200, height: 800 },
      maximized: false,
    });
  });

  it('takes files from the command line, not flags or URLs', () => {
    expect(
      filesFromArgv(['/opt/Hark/hark', '--no-sandbox', 'talk.wav', '/abs/b.wav'], {
        cwd: '/home/me',
        isDefaultApp: false,
      }),
    ).toEqual(['/home/me/talk.wav', '/abs/b.wav']);
    expect(
      filesFromArgv(['electron', '.', 'x.wav', 'hark://open'], { cwd: '/w', isDefaultApp: true }),
    ).toEqual(['/w/x.wav']);
  });
});
