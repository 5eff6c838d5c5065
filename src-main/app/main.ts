/**
 * The Electron main process: one window, native menus and dialogs, the hark:// protocol for the
 * renderer and its audio, the IPC forwarding of the API contract, and the engine in a
 * utilityProcess. Logic lives in HarkService (shared with browser mode); this file only wires.
 */
import { join } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeTheme,
  protocol,
  screen,
  session,
  shell,
  utilityProcess,
} from 'electron';
import { IPC_CHANNELS } from '../api/contract';
import { createDispatcher } from '../engine-host/dispatch';
import { HarkService } from '../engine-host/hark-service';
import {
  APP_ORIGIN,
  APP_SCHEME,
  defaultRendererDir,
  mediaUrlFor,
  recordingOfUrl,
  recordingUrlFor,
  respondToRoute,
  routeAppRequest,
} from './app-protocol';
import { filesFromArgv } from './launch-files';
import { buildMenuTemplate } from './menu';
import { createNativeDialogs } from './native-dialogs';
import {
  decidePermission,
  decidePermissionCheck,
  desktopContentSecurityPolicy,
  isTrustedSender,
  isTrustedUrl,
  type TrustedOrigins,
} from './security';
import { utilityLauncher } from './utility-launcher';
import { loadWindowState, restoreWindowState, saveWindowState } from './window-state';

// Must happen before "ready": hark:// behaves like https (secure context, fetch, media streaming).
protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
  },
]);

const origins: TrustedOrigins = {
  appOrigin: APP_ORIGIN,
  ...(process.env.ELECTRON_RENDERER_URL ? { devServerUrl: process.env.ELECTRON_RENDERER_URL } : {}),
};

let mainWindow: BrowserWindow | undefined;
let service: HarkService | undefined;
const filesBeforeReady: string[] = [];

function addFiles(paths: string[]): void {
  if (paths.length === 0) return;
  if (service) void service.addPaths(paths);
  else filesBeforeReady.push(...paths);
}

async function createWindow(userDataDir: string): Promise<BrowserWindow> {
  const areas = screen.getAllDisplays().map((display) => display.workArea);
  const restored = restoreWindowState(await loadWindowState(userDataDir), areas);
  const window = new BrowserWindow({
    ...restored.bounds,
    minWidth: 640,
    minHeight: 440,
    show: false,
    title: 'Hark',
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#15181e' : '#f6f7f9',
    webPreferences: {
      preload: join(__dirname, '..', 'preload', 'preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: true,
    },
  });
  if (restored.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  const remember = () => {
    if (window.isDestroyed()) return;
    void saveWindowState(userDataDir, {
      bounds: window.getNormalBounds(),
      maximized: window.isMaximized(),
    }).catch(() => undefined);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const rememberSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(remember, 500);
  };
  window.on('resize', rememberSoon);
  window.on('move', rememberSoon);
  window.on('close', remember);
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = undefined;
  });
  await window.loadURL(origins.devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return window;
}

function hardenWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isTrustedUrl(url, origins)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isTrustedUrl(url, origins)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Links to the web open in the user's browser; Hark never opens windows of its own.
      if (/^https:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

async function start(): Promise<void> {
  const userDataDir = app.getPath('userData');
  const rendererDir = defaultRendererDir(__dirname);
  const bundledModelDir = app.isPackaged
    ? join(process.resourcesPath, 'app.asar.unpacked', 'models', 'base-en')
    : join(app.getAppPath(), 'models', 'base-en');

  const created = await HarkService.create({
    mode: 'electron',
    version: app.getVersion(),
    userDataDir,
    bundledModelDir,
    launch: utilityLauncher(utilityProcess.fork, join(__dirname, 'engine-host.js')),
    mediaUrl: mediaUrlFor,
    resumeTrainingOnStart: true,
    recordingUrl: recordingUrlFor,
    dialogs: createNativeDialogs(dialog, () => mainWindow),
  });
  service = created;
  const dispatch = createDispatcher(created.handlers);

  const csp = desktopContentSecurityPolicy(APP_ORIGIN);
  protocol.handle(APP_SCHEME, async (request) => {
    const recording = recordingOfUrl(request.url);
    if (recording) {
      const path = await created.recordingPathFor(recording.profile, recording.id);
      return respondToRoute(path ? { kind: 'media', path } : { kind: 'not-found' }, request, {
        html: {},
      });
    }
    return respondToRoute(
      routeAppRequest(request.url, { rendererDir, mediaPathFor: (id) => created.mediaPathFor(id) }),
      request,
      { html: { 'content-security-policy': csp } },
    );
  });

  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    callback(
      decidePermission(
        {
          permission,
          requestingUrl: details.requestingUrl,
          mediaTypes,
          isMainFrame: details.isMainFrame,
        },
        origins,
      ),
    );
  });
  session.defaultSession.setPermissionCheckHandler(
    (_contents, permission, requestingOrigin, details) =>
      decidePermissionCheck(
        {
          permission,
          requestingOrigin,
          ...('mediaType' in details && details.mediaType ? { mediaType: details.mediaType } : {}),
        },
        origins,
      ),
  );

  ipcMain.handle(IPC_CHANNELS.request, (event, name: unknown, params: unknown) => {
    if (!isTrustedSender(event.senderFrame, origins)) {
      return {
        ok: false,
        error: { code: 'FORBIDDEN', message: 'the request did not come from Hark' },
      };
    }
    return dispatch(name, params);
  });
  created.subscribe((event) => {
    if (mainWindow && !mainWindow.isDestroyed())
      mainWindow.webContents.send(IPC_CHANNELS.event, event);
  });

  app.setAboutPanelOptions({
    applicationName: 'Hark',
    applicationVersion: app.getVersion(),
    credits: 'Offline speech recognition that learns your voice.',
  });
  const openFiles = () => void created.handlers.openFilesDialog({});
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({
        isMac: process.platform === 'darwin',
        appName: 'Hark',
        actions: {
          openFiles,
          send: (command) => created.command(command),
          showAbout: () => app.showAboutPanel(),
          openUserData: () => void shell.openPath(userDataDir),
        },
      }),
    ),
  );

  created.start();
  mainWindow = await createWindow(userDataDir);
  addFiles(filesBeforeReady.splice(0));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  addFiles(filesFromArgv(process.argv, { cwd: process.cwd(), isDefaultApp: !!process.defaultApp }));
  app.on('second-instance', (_event, argv, workingDirectory) => {
    addFiles(filesFromArgv(argv, { cwd: workingDirectory, isDefaultApp: !!process.defaultApp }));
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  // macOS "open with" / dropping on the Dock icon; may arrive before ready.
  app.on('open-file', (event, path) => {
    event.preventDefault();
    addFiles([path]);
  });
  hardenWebContents();
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!mainWindow && service)
      void createWindow(app.getPath('userData')).then((w) => (mainWindow = w));
  });
  app.on('before-quit', () => {
    void service?.dispose();
  });
  app.whenReady().then(start, (error: unknown) => {
    dialog.showErrorBox(
      'Hark could not start',
      error instanceof Error ? error.message : String(error),
    );
    app.quit();
  });
}
