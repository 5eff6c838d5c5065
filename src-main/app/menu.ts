import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../api/contract';

export interface MenuActions {
  /** File > Open… : the native open dialog, straight into the queue. */
  openFiles(): void;
  /** Commands the renderer carries out (export the open transcript, find, settings...). */
  send(command: MenuCommand): void;
  showAbout(): void;
  openUserData(): void;
}

/**
 * The native application menu: File (Open…, Export…, Quit), Edit, View, Help/About; on macOS
 * the app menu comes first. Accelerators match the renderer's shortcuts.
 *
 * @example
 * Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate({ isMac, appName: 'Hark', actions })));
 */
export function buildMenuTemplate(options: {
  isMac: boolean;
  appName: string;
  actions: MenuActions;
}): MenuItemConstructorOptions[] {
  const { isMac, appName, actions } = options;
  const appMenu: MenuItemConstructorOptions[] = isMac
    ? [
        {
          label: appName,
          submenu: [
            { label: `About ${appName}`, click: () => actions.showAbout() },
            { type: 'separator' },
            {
              label: 'Settings…',
              accelerator: 'CmdOrCtrl+,',
              click: () => actions.send('settings'),
            },
            { type: 'separator' },
            { role: 'services' },
            { type: 'separator' },
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            { type: 'separator' },
            { role: 'quit' },
          ],
        },
      ]
    : [];
  const fileMenu: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.openFiles() },
      { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => actions.send('export') },
      ...(isMac
        ? [{ type: 'separator' as const }, { role: 'close' as const }]
        : [
            { type: 'separator' as const },
            { label: 'Settings…', accelerator: 'Ctrl+,', click: () => actions.send('settings') },
            { type: 'separator' as const },
            { role: 'quit' as const, label: 'Quit', accelerator: 'Ctrl+Q' },
          ]),
    ],
  };
  const editMenu: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
      { type: 'separator' },
      { label: 'Find…', accelerator: 'CmdOrCtrl+F', click: () => actions.send('find') },
    ],
  };
  const viewMenu: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      { label: 'Play / Pause', click: () => actions.send('play-pause') },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      { role: 'toggleDevTools' },
    ],
  };
  const helpMenu: MenuItemConstructorOptions = {
    label: '&Help',
    role: 'help',
    submenu: [
      { label: 'Open the data folder', click: () => actions.openUserData() },
      ...(isMac ? [] : [{ label: `About ${appName}`, click: () => actions.showAbout() }]),
    ],
  };
  return [...appMenu, fileMenu, editMenu, viewMenu, helpMenu];
}
