import type { WebSocket } from 'ws';
import type { PushEvent, Reply, SocketMessage } from '../api/contract';

const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

function parseRequest(data: unknown): { id: number; name: unknown; params: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(String(data));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  if (
    message.kind !== 'request' ||
    typeof message.id !== 'number' ||
    !Number.isSafeInteger(message.id)
  ) {
    return undefined;
  }
  return { id: message.id, name: message.name, params: message.params };
}

/**
 * Serves the API contract over one WebSocket: requests go to the dispatcher (which validates them),
 * replies and pushed events come back as SocketMessage JSON.
 *
 * @example
 * wss.on('connection', (socket) => serveSocket(socket, { dispatch, subscribe: (l) => service.subscribe(l) }));
 */
export function serveSocket(
  socket: WebSocket,
  options: {
    dispatch: (name: unknown, params: unknown) => Promise<Reply<unknown>>;
    subscribe: (listener: (event: PushEvent) => void) => () => void;
  },
): void {
  const send = (message: SocketMessage) => {
    if (socket.readyState !== socket.OPEN) return;
    // A stalled page must not make the server hoard events; it reloads state when it catches up.
    if (message.kind === 'event' && socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
    socket.send(JSON.stringify(message));
  };
  const unsubscribe = options.subscribe((event) => send({ kind: 'event', event }));
  socket.on('close', unsubscribe);
  socket.on('error', unsubscribe);
  socket.on('message', (data) => {
    const request = parseRequest(data);
    if (!request) {
      socket.close(1003, 'malformed message');
      return;
    }
    void options
      .dispatch(request.name, request.params)
      .then((reply) => send({ kind: 'reply', id: request.id, reply }));
  });
}
