import {
  BROWSER_ROUTES,
  REQUEST_NAMES,
  type HarkBridge,
  type HarkRequests,
  type PushEvent,
  type Reply,
  type RequestName,
  type SocketMessage,
  type SocketRequest,
} from '../../src-main/api/contract';

export interface SocketBridgeOptions {
  /** The page's origin, e.g. http://127.0.0.1:41234. */
  origin: string;
  createSocket?: (url: string) => WebSocket;
  fetch?: typeof fetch;
  /** Waits before reconnecting after the 1st, 2nd, ... failure (the last repeats). */
  reconnectDelaysMs?: number[];
}

export type SocketBridge = HarkBridge & {
  /** Whether the socket to the server is open; listeners hear every change. */
  onConnectionChange(listener: (connected: boolean) => void): () => void;
  close(): void;
};

const lostConnection = {
  code: 'INTERNAL',
  message: 'the connection to the Hark server was lost',
} as const;

/**
 * Browser mode's window.hark: the API contract over a WebSocket to the server that served the page
 * (the token travels as the cookie it set), and dropped files uploaded over HTTP. Reconnects by
 * itself; requests made while disconnected wait for the connection.
 *
 * @example
 * const hark = createSocketBridge({ origin: location.origin });
 * const reply = await hark.listQueue();
 */
export function createSocketBridge(options: SocketBridgeOptions): SocketBridge {
  const socketUrl = `${options.origin.replace(/^http/, 'ws')}${BROWSER_ROUTES.socket}`;
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url));
  const fetchImpl = options.fetch ?? fetch.bind(globalThis);
  const delays = options.reconnectDelaysMs ?? [300, 1000, 2000, 5000];
  const pending = new Map<number, (reply: Reply<unknown>) => void>();
  const outbox: SocketRequest[] = [];
  const eventListeners = new Set<(event: PushEvent) => void>();
  const connectionListeners = new Set<(connected: boolean) => void>();
  let socket: WebSocket | undefined;
  let nextId = 1;
  let failures = 0;
  let closed = false;
  let connected = false;

  const setConnected = (value: boolean) => {
    if (value === connected) return;
    connected = value;
    for (const listener of connectionListeners) listener(value);
  };

  const connect = () => {
    if (closed) return;
    const current = createSocket(socketUrl);
    socket = current;
    current.onopen = () => {
      failures = 0;
      setConnected(true);
      for (const request of outbox.splice(0)) current.send(JSON.stringify(request));
    };
    current.onmessage = (message: MessageEvent) => {
      let data: SocketMessage;
      try {
        data = JSON.parse(String(message.data)) as SocketMessage;
      } catch {
        return;
      }
      if (data.kind === 'reply') {
        const resolve = pending.get(data.id);
        pending.delete(data.id);
        resolve?.(data.reply);
      } else if (data.kind === 'event') {
        for (const listener of eventListeners) listener(data.event);
      }
    };
    current.onclose = () => {
      if (socket !== current) return;
      setConnected(false);
      // Requests sent on the dead socket will never be answered.
      for (const resolve of pending.values()) resolve({ ok: false, error: lostConnection });
      pending.clear();
      if (closed) return;
      const delay = delays[Math.min(failures, delays.length - 1)] ?? 1000;
      failures += 1;
      setTimeout(connect, delay);
    };
  };

  const request = (name: RequestName, params: unknown): Promise<Reply<unknown>> =>
    new Promise((resolve) => {
      const message: SocketRequest = { kind: 'request', id: nextId++, name, params: params ?? {} };
      pending.set(message.id, resolve);
      if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
      else outbox.push(message);
    });

  const verbs = Object.fromEntries(
    REQUEST_NAMES.map((name) => [name, (params?: unknown) => request(name, params)]),
  ) as unknown as HarkRequests;

  const upload = async (file: File): Promise<Reply<{ path: string }>> => {
    const url = `${options.origin}${BROWSER_ROUTES.upload}?name=${encodeURIComponent(file.name)}`;
    try {
      const response = await fetchImpl(url, { method: 'POST', body: file });
      return (await response.json()) as Reply<{ path: string }>;
    } catch {
      return {
        ok: false,
        error: { code: 'FILE_UNREADABLE', message: 'the upload failed', file: file.name },
      };
    }
  };

  connect();

  return {
    ...verbs,
    subscribe(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    async resolveFiles(files) {
      const paths: string[] = [];
      for (const file of files) {
        const reply = await upload(file);
        if (!reply.ok) return reply;
        paths.push(reply.value.path);
      }
      return { ok: true, value: { paths } };
    },
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    close() {
      closed = true;
      socket?.close();
    },
  };
}
