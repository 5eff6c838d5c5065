import { describe, expect, it, vi } from 'vitest';
import type { SocketMessage } from '../../src-main/api/contract';
import { ApiError } from '../../src-main/api/api-error';
import { errorMessage } from '../../src-renderer/lib/error-message';
import { formatClock, formatDuration, formatEta } from '../../src-renderer/lib/format-time';
import { HarkClient } from '../../src-renderer/lib/hark-client';
import { shortcutFor } from '../../src-renderer/lib/shortcuts';
import { createSocketBridge } from '../../src-renderer/lib/socket-bridge';
import {
  buildViewSegments,
  findMatches,
  wordIndexAt,
} from '../../src-renderer/lib/transcript-words';
import { sampleRecord } from './fake-bridge';

class FakeSocket {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
  open() {
    this.readyState = WebSocket.OPEN;
    this.onopen?.();
  }
  receive(message: SocketMessage) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

describe('the browser bridge', () => {
  it('queues requests until connected, matches replies, pushes events and reconnects', async () => {
    FakeSocket.instances = [];
    const bridge = createSocketBridge({
      origin: 'http://127.0.0.1:4000',
      createSocket: (url) => new FakeSocket(url) as unknown as WebSocket,
      reconnectDelaysMs: [1],
    });
    const client = new HarkClient(bridge);
    const connection: boolean[] = [];
    bridge.onConnectionChange((connected) => connection.push(connected));
    const events: unknown[] = [];
    bridge.subscribe((event) => events.push(event));

    const first = FakeSocket.instances[0];
    expect(first?.url).toBe('ws://127.0.0.1:4000/api');
    const pending = client.call('cancelJob', { jobId: 'j1' });
    expect(first?.sent).toEqual([]);
    first?.open();
    expect(first?.sent).toEqual([
      { kind: 'request', id: 1, name: 'cancelJob', params: { jobId: 'j1' } },
    ]);
    first?.receive({
      kind: 'reply',
      id: 1,
      reply: { ok: false, error: { code: 'NOT_FOUND', message: 'no job j1' } },
    });
    await expect(pending).rejects.toMatchObject({
      name: 'ApiError',
      code: 'NOT_FOUND',
      message: 'no job j1',
    });
    first?.receive({ kind: 'event', event: { type: 'queue', jobs: [] } });
    expect(events).toEqual([{ type: 'queue', jobs: [] }]);

    const lost = client.call('listQueue');
    first?.close();
    await expect(lost).rejects.toMatchObject({
      message: 'the connection to the Hark server was lost',
    });
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(2));
    FakeSocket.instances[1]?.open();
    expect(connection).toEqual([true, false, true]);
    bridge.close();
  });

  it('uploads dropped files and returns the paths the server stored them at', async () => {
    const fetchMock = vi.fn(
      async (url: string, _init?: RequestInit) =>
        new Response(JSON.stringify({ ok: true, value: { path: `/srv${new URL(url).search}` } })),
    );
    const bridge = createSocketBridge({
      origin: 'http://127.0.0.1:4000',
      createSocket: (url) => new FakeSocket(url) as unknown as WebSocket,
      fetch: fetchMock as unknown as typeof fetch,
    });
    const reply = await bridge.resolveFiles([new File(['x'], 'a b.wav')]);
    expect(reply).toEqual({ ok: true, value: { paths: ['/srv?name=a%20b.wav'] } });
    expect(fetchMock.mock.calls[0]?.[1]).toMatchObject({ method: 'POST' });
    bridge.close();
  });
});

describe('transcript words', () => {
  const record = sampleRecord();
  const words = buildViewSegments(record, { '0:1': 'word' }).flatMap((segment) => segment.words);

  it('applies corrections for display and remembers the original', () => {
    expect(words[1]).toMatchObject({ text: 'word', original: 'world', edited: true, index: 1 });
    expect(words[5]).toMatchObject({ key: '1:0', index: 5 });
  });

  it('finds the word being heard, including in the pause after it', () => {
    expect(wordIndexAt(words, -1)).toBe(-1);
    expect(wordIndexAt(words, 0)).toBe(0);
    expect(wordIndexAt(words, 0.45)).toBe(0);
    expect(wordIndexAt(words, 1.0)).toBe(2);
    expect(wordIndexAt(words, 99)).toBe(6);
  });

  it('matches words and phrases regardless of case and accents', () => {
    expect(findMatches(words, 'HELLO')).toEqual([0, 5]);
    expect(findMatches(words, 'this is')).toEqual([2]);
    expect(findMatches(words, 'héllo again')).toEqual([5]);
    expect(findMatches(words, '  ')).toEqual([]);
  });
});

describe('formatting and shortcuts', () => {
  it('formats clocks, durations and ETAs for people', () => {
    expect(formatClock(83.46, { tenths: true })).toBe('1:23.4');
    expect(formatClock(3723)).toBe('1:02:03');
    expect(formatClock(Number.NaN)).toBe('0:00');
    expect(formatDuration(754)).toBe('12 min 34 s');
    expect(formatDuration(0.3)).toBe('0.3 s');
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(0.96)).toBe('1 s');
    expect(formatEta(undefined)).toBe('estimating…');
    expect(formatEta(3)).toBe('a few seconds left');
    expect(formatEta(42)).toBe('about 40 s left');
    expect(formatEta(600)).toBe('about 10 min left');
  });

  it('maps keys to actions, with Cmd on macOS and no Space while typing', () => {
    const key = (
      k: string,
      extra: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }> = {},
    ) => ({
      key: k,
      ctrlKey: false,
      metaKey: false,
      shiftKey: false,
      altKey: false,
      ...extra,
    });
    expect(shortcutFor(key('o', { ctrlKey: true }), false, false)).toBe('open');
    expect(shortcutFor(key('o', { ctrlKey: true }), false, true)).toBeUndefined();
    expect(shortcutFor(key('o', { metaKey: true }), false, true)).toBe('open');
    expect(shortcutFor(key('F3', { shiftKey: true }), false, false)).toBe('previous-match');
    expect(shortcutFor(key(' '), false, false)).toBe('play-pause');
    expect(shortcutFor(key(' '), true, false)).toBeUndefined();
    expect(shortcutFor(key('x'), false, false)).toBeUndefined();
  });
});

describe('errorMessage', () => {
  it('names the file an error is about, once', () => {
    const missing = new ApiError('NOT_FOUND', 'not found while listing the folder', {
      file: '/home/ada/takes',
    });
    expect(errorMessage(missing)).toBe('/home/ada/takes: not found while listing the folder');
    const named = new ApiError('WAV_NOT_RIFF', '/home/ada/a.wav is not a WAV file', {
      file: '/home/ada/a.wav',
    });
    expect(errorMessage(named)).toBe('/home/ada/a.wav is not a WAV file');
    expect(errorMessage(new Error('plain'))).toBe('plain');
    expect(errorMessage('text')).toBe('text');
    // As a state carries it (a training run's error).
    expect(
      errorMessage({ code: 'DISK_FULL', message: 'no space left', file: '/p/Ada/checkpoint.bin' }),
    ).toBe('/p/Ada/checkpoint.bin: no space left');
  });
});
