import type { HarkBridge } from '../../src-main/api/contract';
import { createSocketBridge, type SocketBridge } from './socket-bridge';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    hark?: HarkBridge;
  }
}

/** The preload's bridge in Electron, otherwise a WebSocket bridge to the server of this page. */
export function connectBridge(): { bridge: HarkBridge; socket: SocketBridge | undefined } {
  if (window.hark) return { bridge: window.hark, socket: undefined };
  const socket = createSocketBridge({ origin: window.location.origin });
  return { bridge: socket, socket };
}
