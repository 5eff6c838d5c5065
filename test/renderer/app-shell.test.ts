import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  AppInfo,
  EngineStatus,
  HistoryEntry,
  Job,
  Settings,
  TranscriptRecord,
} from '../../src-main/api/contract';
import App from '../../src-renderer/components/App.svelte';
import { HarkClient } from '../../src-renderer/lib/hark-client';
import { AppState } from '../../src-renderer/state/AppState.svelte';
import { fakeBridge, sampleRecord, stubMediaElements } from './fake-bridge';

const info: AppInfo = {
  mode: 'browser',
  version: '0.1.0',
  platform: 'linux',
  devices: ['auto', 'cpu', 'cuda'],
  userDataDir: '/home/me/.config/Hark',
  nativeDialogs: false,
};
const settings: Settings = {
  model: { kind: 'bundled', dir: '/m' },
  activeModel: { kind: 'base' },
  device: 'auto',
  threads: 0,
  decoding: { method: 'greedy', beamWidth: 16, hotwords: [] },
};
const ready: EngineStatus = {
  state: 'ready',
  requestedDevice: 'auto',
  threads: 0,
  crashes: 0,
  device: { provider: 'cpu', rejected: [{ provider: 'cuda', reason: 'no NVIDIA driver' }] },
  model: { name: 'base-en', path: '/m' },
  realTimeFactor: 0.025,
};
const entry: HistoryEntry = {
  id: 'rec1',
  name: 'talk.wav',
  sourcePath: '/home/me/talk.wav',
  createdAt: '2026-01-02T10:00:00.000Z',
  durationSec: 3.5,
  wordCount: 7,
  editCount: 0,
  preview: 'hello world this is hark',
};

function job(partial: Partial<Job>): Job {
  return {
    id: 'j1',
    path: '/up/a.wav',
    name: 'a.wav',
    state: 'queued',
    attempts: 0,
    addedAt: '2026-01-01T00:00:00Z',
    ...partial,
  };
}

async function setup(
  overrides: { history?: HistoryEntry[]; jobs?: Job[]; record?: TranscriptRecord } = {},
) {
  const fake = fakeBridge({
    getAppInfo: () => info,
    listQueue: () => ({ jobs: overrides.jobs ?? [] }),
    listHistory: () => ({ entries: overrides.history ?? [] }),
    getEngineStatus: () => ready,
    getSettings: () => settings,
    updateSettings: (change) => ({ ...settings, ...(change as object) }),
    addFiles: () => ({ jobs: [], skipped: [] }),
    getTranscript: () => overrides.record ?? sampleRecord(),
    importModel: () => settings,
    exportTranscript: () => ({
      fileName: 'talk.srt',
      mimeType: 'application/x-subrip',
      content: '',
    }),
    getMediaUrl: () => ({ url: '/media/rec1' }),
    deleteTranscript: () => ({ deleted: true }),
    restartEngine: () => ({ ...ready, state: 'starting' }),
  });
  const app = new AppState(new HarkClient(fake.bridge));
  await app.load();
  render(App, { props: { app } });
  return { fake, app };
}

beforeEach(() => {
  stubMediaElements();
});

describe('the app shell', () => {
  it('starts on the empty state with the engine and its speed shown', async () => {
    await setup();
    expect(screen.getByRole('heading', { name: 'Drop audio here to transcribe it' })).toBeTruthy();
    expect(
      screen.getByRole('button', { name: 'Engine: CPU · 40× real time. Open settings' }),
    ).toBeTruthy();
    expect(screen.getByText('Files you add wait here while they are transcribed.')).toBeTruthy();
  });

  it('uploads dropped files and adds them to the queue', async () => {
    const { fake } = await setup();
    const file = new File(['RIFF'], 'dropped.wav', { type: 'audio/wav' });
    const dataTransfer = { files: [file], items: [], types: ['Files'], dropEffect: 'none' };
    await fireEvent.dragEnter(window, { dataTransfer });
    expect(screen.getByText('Drop to transcribe')).toBeTruthy();
    await fireEvent.drop(window, { dataTransfer });
    await waitFor(() =>
      expect(fake.calls.find((call) => call.name === 'addFiles')?.params).toEqual({
        paths: ['/up/dropped.wav'],
      }),
    );
    expect(screen.queryByText('Drop to transcribe')).toBeNull();
  });

  it('shows each job’s state, progress, ETA and error, with the right actions', async () => {
    const { fake } = await setup({
      jobs: [
        job({
          id: 'run',
          name: 'running.wav',
          state: 'running',
          progress: { fraction: 0.42, etaSec: 40, processedSec: 4, durationSec: 10 },
        }),
        job({
          id: 'bad',
          name: 'broken.wav',
          state: 'failed',
          error: { code: 'WAV_TRUNCATED', message: 'the header is cut short' },
        }),
        job({ id: 'wait', name: 'later.wav', state: 'queued' }),
      ],
    });
    const running = screen.getByRole('listitem', { name: 'running.wav: Transcribing' });
    expect(within(running).getByText('42% · about 40 s left')).toBeTruthy();
    expect((within(running).getByRole('progressbar') as HTMLProgressElement).value).toBe(42);
    expect(within(running).queryByRole('button', { name: /Remove/ })).toBeNull();
    const failed = screen.getByRole('listitem', { name: 'broken.wav: Failed' });
    expect(within(failed).getByRole('alert').textContent).toBe('the header is cut short');
    await fireEvent.click(within(failed).getByRole('button', { name: 'Retry broken.wav' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel later.wav' }));
    expect(
      fake.calls
        .filter((call) => call.name === 'retryJob' || call.name === 'cancelJob')
        .map((call) => [call.name, call.params]),
    ).toEqual([
      ['retryJob', { jobId: 'bad' }],
      ['cancelJob', { jobId: 'wait' }],
    ]);
  });

  it('follows pushed progress, and opens the first finished transcript', async () => {
    const { fake } = await setup({
      jobs: [job({ id: 'run', name: 'running.wav', state: 'running' })],
    });
    fake.push({
      type: 'progress',
      jobId: 'run',
      progress: { fraction: 0.8, etaSec: 2, processedSec: 8, durationSec: 10 },
    });
    await screen.findByText('80% · a few seconds left');
    fake.push({ type: 'transcript', jobId: 'run', entry });
    await screen.findByRole('heading', { level: 1, name: 'talk.wav' });
  });

  it('says when the engine crashed and is restarting, and when it failed', async () => {
    const { fake } = await setup();
    fake.push({
      type: 'engine-status',
      status: {
        ...ready,
        state: 'restarting',
        message: 'The engine process was killed (SIGKILL).',
      },
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(
      /stopped unexpectedly and is restarting.*SIGKILL.*queue is kept/s,
    );
    fake.push({
      type: 'engine-status',
      status: { ...ready, state: 'failed', message: 'model.onnx is missing' },
    });
    await screen.findByText('The engine could not start.');
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(fake.calls.some((call) => call.name === 'restartEngine')).toBe(true);
  });

  it('asks twice before deleting a past transcript, and keeps the focus in the list', async () => {
    const other = { ...entry, id: 'rec2', name: 'other.wav' };
    const { fake } = await setup({ history: [entry, other] });
    const remove = screen.getByRole('button', { name: 'Delete talk.wav' });
    await fireEvent.click(remove);
    expect(fake.calls.some((call) => call.name === 'deleteTranscript')).toBe(false);
    await fireEvent.click(screen.getByRole('button', { name: 'Press again to delete talk.wav' }));
    // The next entry takes the focus the deleted one's button had.
    expect(document.activeElement?.textContent).toContain('other.wav');
    expect(fake.calls.find((call) => call.name === 'deleteTranscript')?.params).toEqual({
      id: 'rec1',
    });
  });

  it('opens settings from the keyboard and changes the device', async () => {
    const { fake, app } = await setup();
    await fireEvent.keyDown(window, { key: ',', ctrlKey: true });
    expect(app.settingsOpen).toBe(true);
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    expect(within(dialog).getByText('CPU · 40× real time')).toBeTruthy();
    expect(within(dialog).getByText(/no NVIDIA driver/)).toBeTruthy();
    const select = within(dialog).getByRole('combobox', { name: 'Run the model on' });
    // A device the engine found it cannot use says so in the list.
    expect(within(select).getByRole('option', { name: /CUDA/ }).textContent).toMatch(
      /not available here/,
    );
    await fireEvent.change(select, { target: { value: 'cuda' } });
    expect(fake.calls.find((call) => call.name === 'updateSettings')?.params).toEqual({
      device: 'cuda',
    });
    // Chosen anyway, it says why it will not run, even once the engine has stopped.
    app.engine = undefined;
    await waitFor(() =>
      expect(within(dialog).getByRole('alert').textContent).toMatch(
        /NVIDIA GPU \(CUDA\) is not available here: no NVIDIA driver\. Choose Automatic/,
      ),
    );
    await fireEvent.change(select, { target: { value: 'auto' } });
    // Threads that are no whole number from 0 to 256 are refused, and the field goes back.
    const threads = within(dialog).getByRole('spinbutton', {
      name: 'Threads (0 = automatic)',
    }) as HTMLInputElement;
    const saved = threads.value;
    await fireEvent.change(threads, { target: { value: '1.5' } });
    expect(within(dialog).getByRole('alert').textContent).toMatch(
      /Threads must be a whole number from 0 \(automatic\) to 256, not “1\.5”/,
    );
    expect(threads.value).toBe(saved);
    await fireEvent.change(threads, { target: { value: '4' } });
    expect(fake.calls.filter((call) => call.name === 'updateSettings').at(-1)?.params).toEqual({
      threads: 4,
    });
    expect(within(dialog).queryByText(/Threads must be/)).toBeNull();
  });

  it('imports a model folder typed in settings and clears the field', async () => {
    const { fake, app } = await setup();
    app.settingsOpen = true;
    const dialog = await screen.findByRole('dialog', { name: 'Settings' });
    const path = within(dialog).getByLabelText(/^Model folder on the server/) as HTMLInputElement;
    await fireEvent.input(path, { target: { value: '/models/mine' } });
    await fireEvent.submit(path.closest('form')!);
    await waitFor(() => expect(path.value).toBe(''));
    expect(fake.calls.find((call) => call.name === 'importModel')?.params).toEqual({
      dir: '/models/mine',
    });
    expect(app.notice?.text).toBe('The model was imported and is loading.');
  });

  it('exports a transcript without words, and says that it holds none', async () => {
    const base = sampleRecord();
    const silent = sampleRecord({ transcript: { ...base.transcript, text: '', segments: [] } });
    const { fake, app } = await setup({ history: [entry], record: silent });
    Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() });
    await app.openTranscript('rec1');
    // No words: no hint about clicking them.
    expect(screen.queryByText(/Click a word to play it/)).toBeNull();
    await app.exportOpen('srt');
    expect(fake.calls.some((call) => call.name === 'exportTranscript')).toBe(true);
    expect(app.notice?.text).toBe(
      'No speech was recognised in this file: the export holds no words.',
    );
  });

  it('focuses the search field with Ctrl+F when a transcript is open', async () => {
    const { app } = await setup({ history: [entry] });
    await fireEvent.click(screen.getByRole('button', { name: /^talk\.wav/ }));
    await screen.findByRole('heading', { level: 1, name: 'talk.wav' });
    expect(app.open?.record.id).toBe('rec1');
    await fireEvent.keyDown(window, { key: 'f', ctrlKey: true });
    await waitFor(() =>
      expect(document.activeElement).toBe(
        screen.getByRole('searchbox', { name: 'Search the transcript' }),
      ),
    );
  });
});
