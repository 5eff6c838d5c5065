/**
 * The Electron main process with `electron` mocked (no Electron binary here): single instance,
 * window security settings, the protocol, IPC sender checks, permissions, navigation, launch files.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PushEvent, Reply } from '../../../src-main/api/contract';
import { fakeEngine } from './fake-engine';

type Listener = (...args: unknown[]) => unknown;

const electron = vi.hoisted(() => {
  const state = {
    lock: true,
    userData: '',
    appListeners: new Map<string, Listener[]>(),
    ipcHandlers: new Map<string, Listener>(),
    windows: [] as FakeWindowShape[],
    sent: [] as unknown[],
    permissionHandler: undefined as Listener | undefined,
    permissionCheck: vi.fn(),
    protocolHandler: undefined as Listener | undefined,
    schemes: [] as unknown[],
    fork: undefined as unknown as Listener,
    readyResolve: undefined as (() => void) | undefined,
  };
  interface FakeWindowShape {
    options: Record<string, unknown>;
    loaded: string[];
    listeners: Map<string, Listener[]>;
    emit(event: string): void;
  }
  class BrowserWindow {
    options: Record<string, unknown>;
    loaded: string[] = [];
    listeners = new Map<string, Listener[]>();
    webContents = { send: (_channel: string, payload: unknown) => state.sent.push(payload) };
    constructor(options: Record<string, unknown>) {
      this.options = options;
      state.windows.push(this);
    }
    on(event: string, listener: Listener) {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
      return this;
    }
    once(event: string, listener: Listener) {
      return this.on(event, listener);
    }
    emit(event: string) {
      for (const listener of this.listeners.get(event) ?? []) listener();
    }
    async loadURL(url: string) {
      this.loaded.push(url);
    }
    maximize() {}
    show() {}
    focus() {}
    restore() {}
    isMinimized() {
      return false;
    }
    isMaximized() {
      return false;
    }
    isDestroyed() {
      return false;
    }
    getNormalBounds() {
      return { x: 10, y: 20, width: 900, height: 700 };
    }
  }
  const app = {
    requestSingleInstanceLock: () => state.lock,
    quit: vi.fn(),
    on: (event: string, listener: Listener) => {
      state.appListeners.set(event, [...(state.appListeners.get(event) ?? []), listener]);
    },
    whenReady: () => new Promise<void>((resolve) => (state.readyResolve = resolve)),
    getPath: () => state.userData,
    getVersion: () => '1.2.3',
    getAppPath: () => '/app',
    isPackaged: false,
    setAboutPanelOptions: vi.fn(),
    showAboutPanel: vi.fn(),
  };
  return {
    state,
    module: {
      app,
      BrowserWindow,
      dialog: { showOpenDialog: vi.fn(), showSaveDialog: vi.fn(), showErrorBox: vi.fn() },
      ipcMain: {
        handle: (channel: string, handler: Listener) => state.ipcHandlers.set(channel, handler),
      },
      Menu: { buildFromTemplate: (template: unknown) => template, setApplicationMenu: vi.fn() },
      nativeTheme: { shouldUseDarkColors: false },
      protocol: {
        registerSchemesAsPrivileged: (schemes: unknown[]) => state.schemes.push(...schemes),
        handle: (_scheme: string, handler: Listener) => (state.protocolHandler = handler),
      },
      screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
      session: {
        defaultSession: {
          setPermissionRequestHandler: (handler: Listener) => (state.permissionHandler = handler),
          setPermissionCheckHandler: (handler: Listener) => state.permissionCheck(handler),
        },
      },
      shell: { openExternal: vi.fn(), openPath: vi.fn() },
      utilityProcess: { fork: (...args: unknown[]) => state.fork(...args) },
    },
  };
});

vi.mock('electron', () => ({ ...electron.module, default: electron.module }));

const { state } = electron;

async function startMain(argv: string[] = ['/opt/Hark/hark']) {
  vi.resetModules();
  state.appListeners.clear();
  state.ipcHandlers.clear();
  state.windows.length = 0;
  state.sent.length = 0;
  state.schemes.length = 0;
  state.readyResolve = undefined;
  state.userData = mkdtempSync(join(tmpdir(), 'hark-main-'));
  const engine = fakeEngine();
  state.fork = (entry: unknown) => {
    expect(String(entry)).toMatch(/engine-host\.js$/);
    const child = engine.launcher();
    return {
      get pid() {
        return child.pid;
      },
      postMessage: (message: Parameters<typeof child.send>[0]) => child.send(message),
      on(event: string, listener: Listener) {
        if (event === 'message') child.onMessage(listener);
        if (event === 'exit') child.onExit((exit) => listener(exit.code ?? 1));
      },
      once(event: string, listener: Listener) {
        if (event === 'spawn') listener();
      },
      kill: () => child.kill(),
    };
  };
  const originalArgv = process.argv;
  process.argv = argv;
  await import('../../../src-main/app/main');
  process.argv = originalArgv;
  return { engine };
}

async function ready(): Promise<void> {
  state.readyResolve?.();
  for (let i = 0; i < 200 && state.windows.length === 0; i++)
    await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 5));
}

function invoke(
  frame: { url: string; parent: unknown },
  name: string,
  params: unknown,
): Promise<Reply<unknown>> {
  const handler = state.ipcHandlers.get('hark:request');
  if (!handler) throw new Error('no IPC handler');
  return Promise.resolve(handler({ senderFrame: frame }, name, params) as Reply<unknown>);
}

const trusted = { url: 'hark://app/index.html', parent: null };

beforeEach(() => {
  state.lock = true;
});

describe('Electron main', () => {
  it('quits when another instance already runs', async () => {
    state.lock = false;
    const { module } = electron;
    module.app.quit.mockClear();
    await startMain();
    expect(module.app.quit).toHaveBeenCalled();
    expect(state.readyResolve).toBeUndefined();
    expect(state.appListeners.has('second-instance')).toBe(false);
  });

  it('opens a sandboxed, isolated window on the privileged hark:// protocol', async () => {
    await startMain();
    expect(state.schemes).toEqual([
      {
        scheme: 'hark',
        privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
      },
    ]);
    await ready();
    const [window] = state.windows;
    expect(window?.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(String((window?.options.webPreferences as { preload: string }).preload)).toMatch(
      /preload[/\\]preload\.js$/,
    );
    expect(window?.loaded).toEqual(['hark://app/index.html']);
    const response = (await state.protocolHandler?.({
      url: 'hark://app/media/unknown',
      headers: new Headers(),
    })) as Response;
    expect(response.status).toBe(404);
  });

  it('answers IPC from its own page only, validated against the contract', async () => {
    await startMain();
    await ready();
    await expect(invoke(trusted, 'getAppInfo', {})).resolves.toMatchObject({
      ok: true,
      value: { mode: 'electron', version: '1.2.3', nativeDialogs: true },
    });
    await expect(
      invoke({ url: 'https://evil.example/', parent: null }, 'getAppInfo', {}),
    ).resolves.toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    await expect(
      invoke({ url: 'hark://app/index.html', parent: {} }, 'getAppInfo', {}),
    ).resolves.toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    await expect(invoke(trusted, 'addFiles', { paths: 'not-a-list' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
  });

  it('grants only the microphone to Hark, refuses the rest, navigation away and new windows', async () => {
    await startMain();
    await ready();
    const decide = (
      permission: string,
      mediaTypes: string[],
      requestingUrl = 'hark://app/index.html',
      isMainFrame = true,
    ) =>
      new Promise((resolve) =>
        state.permissionHandler?.({}, permission, resolve, {
          requestingUrl,
          mediaTypes,
          isMainFrame,
        }),
      );
    await expect(decide('geolocation', [])).resolves.toBe(false);
    await expect(decide('media', ['audio'])).resolves.toBe(true);
    await expect(decide('media', ['audio', 'video'])).resolves.toBe(false);
    await expect(decide('media', ['video'])).resolves.toBe(false);
    await expect(decide('media', ['audio'], 'https://evil.example/')).resolves.toBe(false);
    await expect(decide('media', ['audio'], 'hark://app/index.html', false)).resolves.toBe(false);
    const check = state.permissionCheck.mock.calls[0]?.[0] as Listener;
    expect(check({}, 'media', 'hark://app', { mediaType: 'audio' })).toBe(true);
    expect(check({}, 'media', 'hark://app', { mediaType: 'video' })).toBe(false);
    expect(check({}, 'media', 'https://evil.example', { mediaType: 'audio' })).toBe(false);
    expect(check({}, 'geolocation', 'hark://app', {})).toBe(false);

    const contentsListeners = new Map<string, Listener>();
    let openHandler: Listener | undefined;
    const contents = {
      on: (event: string, listener: Listener) => contentsListeners.set(event, listener),
      setWindowOpenHandler: (handler: Listener) => (openHandler = handler),
    };
    for (const listener of state.appListeners.get('web-contents-created') ?? [])
      listener({}, contents);
    const navigation = { preventDefault: vi.fn() };
    contentsListeners.get('will-navigate')?.(navigation, 'https://evil.example/');
    expect(navigation.preventDefault).toHaveBeenCalled();
    const inside = { preventDefault: vi.fn() };
    contentsListeners.get('will-navigate')?.(inside, 'hark://app/index.html');
    expect(inside.preventDefault).not.toHaveBeenCalled();
    expect(openHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const webview = { preventDefault: vi.fn() };
    contentsListeners.get('will-attach-webview')?.(webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });

  it('queues files from the command line and from a second instance, and remembers the window', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hark-argv-'));
    writeFileSync(join(dir, 'first.wav'), 'RIFF');
    writeFileSync(join(dir, 'second.wav'), 'RIFF');
    await startMain(['/opt/Hark/hark', join(dir, 'first.wav')]);
    await ready();
    for (const listener of state.appListeners.get('second-instance') ?? []) {
      listener({}, ['/opt/Hark/hark', '--flag', 'second.wav'], dir);
    }
    for (let i = 0; i < 100; i++) {
      const names = (state.sent as PushEvent[])
        .filter((event) => event.type === 'queue')
        .flatMap((event) => (event.type === 'queue' ? event.jobs.map((job) => job.name) : []));
      if (names.includes('first.wav') && names.includes('second.wav')) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const last = (state.sent as PushEvent[]).filter((event) => event.type === 'queue').at(-1);
    expect(last?.type === 'queue' && last.jobs.map((job) => job.name).sort()).toEqual([
      'first.wav',
      'second.wav',
    ]);

    state.windows[0]?.emit('close');
    for (let i = 0; i < 100 && !existsSync(join(state.userData, 'window-state.json')); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(existsSync(join(state.userData, 'window-state.json'))).toBe(true);
  });
});
