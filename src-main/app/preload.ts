/**
 * The sandboxed preload: exposes window.hark (the contract's HarkBridge) and nothing else - verbs
 * that invoke one IPC channel, an event subscription, and real paths for dropped files.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  IPC_CHANNELS,
  REQUEST_NAMES,
  type HarkBridge,
  type HarkRequests,
  type PushEvent,
  type Reply,
} from '../api/contract';

const verbs = Object.fromEntries(
  REQUEST_NAMES.map((name) => [
    name,
    (params?: unknown) =>
      ipcRenderer.invoke(IPC_CHANNELS.request, name, params ?? {}) as Promise<Reply<unknown>>,
  ]),
) as unknown as HarkRequests;

const bridge: HarkBridge = {
  ...verbs,
  subscribe(listener) {
    const forward = (_event: IpcRendererEvent, payload: PushEvent) => listener(payload);
    ipcRenderer.on(IPC_CHANNELS.event, forward);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.event, forward);
    };
  },
  async resolveFiles(files) {
    const paths = files.map((file) => webUtils.getPathForFile(file)).filter((path) => path !== '');
    if (paths.length === 0 && files.length > 0) {
      return {
        ok: false,
        error: { code: 'FILE_NOT_FOUND', message: 'the dropped items are not files' },
      };
    }
    return { ok: true, value: { paths } };
  },
};

contextBridge.exposeInMainWorld('hark', bridge);
