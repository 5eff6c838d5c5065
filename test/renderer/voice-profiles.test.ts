import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  AppInfo,
  EngineStatus,
  EnrollmentPrompt,
  ProfileInfo,
  PushEvent,
  RecordingCheck,
  Settings,
  TrainingState,
} from '../../src-main/api/contract';
import App from '../../src-renderer/components/App.svelte';
import { HarkClient } from '../../src-renderer/lib/hark-client';
import type { CaptureChunk } from '../../src-renderer/lib/microphone';
import { AppState } from '../../src-renderer/state/AppState.svelte';
import { profileStatusLabel } from '../../src-renderer/state/ProfilesState.svelte';
import { PRESS_AGAIN_MS } from '../../src-renderer/lib/press-twice.svelte';
import { MAX_TAKE_SEC } from '../../src-renderer/lib/take-length';
import type { EnrollmentOptions } from '../../src-renderer/state/EnrollmentState.svelte';
import { IDLE_TRAINING, fakeBridge, sampleRecord, stubMediaElements } from './fake-bridge';

const info: AppInfo = {
  mode: 'browser',
  version: '0.1.0',
  platform: 'linux',
  devices: ['auto', 'cpu'],
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
const ready: EngineStatus = { state: 'ready', requestedDevice: 'auto', threads: 0, crashes: 0 };

function profile(partial: Partial<ProfileInfo> & { name: string }): ProfileInfo {
  return {
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    status: 'collecting',
    trainingNow: false,
    recordings: 0,
    speechSec: 0,
    hasModel: false,
    kept: null,
    pendingResult: null,
    needsMoreData: 'add 5 more recordings with at least 10.0 s more speech',
    baseModelName: 'base-en',
    ...partial,
  };
}

const PROMPTS: EnrollmentPrompt[] = [
  { id: 'p001', text: 'The quick brown fox jumps.', source: 'test' },
  { id: 'p002', text: 'She sells sea shells.', source: 'test' },
];

const GOOD_CHECK: RecordingCheck = {
  levels: { durationSec: 2, speechLevelDb: -18, peakDb: -6, clippedFraction: 0 },
  problems: [],
};

function decodeClip(params: unknown): Float32Array {
  const audio = (params as { audio: { float32Base64: string } }).audio;
  const bytes = Buffer.from(audio.float32Base64, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** A microphone stand-in: the test feeds chunks as the worklet would. */
function fakeMicrophone() {
  let feed: ((chunk: CaptureChunk) => void) | undefined;
  const state = { refuse: false };
  const stopped = vi.fn(async () => {});
  const options: EnrollmentOptions = {
    recognizeEveryMs: 15,
    startCapture: async (onChunk) => {
      if (state.refuse) throw Object.assign(new Error('denied'), { name: 'NotAllowedError' });
      feed = onChunk;
      return { nativeRate: 48000, stop: stopped };
    },
    play: vi.fn(() => ({ stop: vi.fn(), ended: new Promise<void>(() => {}) })),
  };
  return {
    options,
    stopped,
    state,
    /** `seconds` of a 220 Hz tone at `amplitude`, in 85 ms chunks. */
    speak(seconds: number, amplitude = 0.3) {
      const chunk = 1360;
      for (let done = 0; done < seconds * 16000; done += chunk) {
        const samples = new Float32Array(chunk);
        for (let i = 0; i < chunk; i++) {
          samples[i] = amplitude * Math.sin((2 * Math.PI * 220 * (done + i)) / 16000);
        }
        feed?.({
          samples,
          rms: amplitude / Math.SQRT2,
          peak: amplitude,
          clipped: amplitude >= 1 ? 100 : 0,
          frames: chunk * 3,
        });
      }
    },
  };
}

async function setup(
  options: {
    profiles?: ProfileInfo[];
    training?: TrainingState;
    answers?: Parameters<typeof fakeBridge>[0];
    enrollment?: EnrollmentOptions;
  } = {},
) {
  let profiles = options.profiles ?? [];
  const fake = fakeBridge({
    getAppInfo: () => info,
    listQueue: () => ({ jobs: [] }),
    listHistory: () => ({ entries: [] }),
    getEngineStatus: () => ready,
    getSettings: () => settings,
    listProfiles: () => ({ profiles, active: { kind: 'base' } }),
    getTrainingState: () => options.training ?? IDLE_TRAINING,
    listRecordings: () => ({ recordings: [] }),
    createProfile: (params) => {
      const created = profile({ name: (params as { name: string }).name });
      profiles = [...profiles, created];
      return created;
    },
    renameProfile: (params) => {
      const { name, newName } = params as { name: string; newName: string };
      const renamed = { ...profiles.find((p) => p.name === name)!, name: newName };
      profiles = profiles.map((p) => (p.name === name ? renamed : p));
      return renamed;
    },
    deleteProfile: () => ({ deleted: true }),
    nextPrompts: () => ({ prompts: PROMPTS, recorded: 0, total: 120 }),
    setActiveModel: (params) => ({
      ...settings,
      activeModel: (params as { model: Settings['activeModel'] }).model,
    }),
    ...options.answers,
  });
  const app = new AppState(new HarkClient(fake.bridge));
  await app.load();
  render(App, { props: { app, enrollmentOptions: options.enrollment } });
  return { fake, app };
}

/** Opens the profiles view and starts a take (the fake microphone then speaks on demand). */
async function startRecording(): Promise<void> {
  await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
  await fireEvent.click(await screen.findByRole('button', { name: 'Record' }));
  await screen.findByRole('button', { name: /^Stop/ });
}

const callsOf = (fake: ReturnType<typeof fakeBridge>, name: string) =>
  fake.calls.filter((call) => call.name === name);

beforeEach(() => {
  stubMediaElements();
  localStorage.clear();
});

describe('switching models', { timeout: 20_000 }, () => {
  it('offers the base model and every trained profile in the top bar, one choice each', async () => {
    const { fake } = await setup({
      profiles: [
        profile({ name: 'Ada', hasModel: true, status: 'ready', needsMoreData: null }),
        profile({ name: 'Bob' }),
      ],
    });
    const picker = screen.getByLabelText('Transcribe with') as HTMLSelectElement;
    expect(picker.value).toBe('base');
    const options = within(picker).getAllByRole('option') as HTMLOptionElement[];
    expect(options.map((o) => [o.textContent, o.disabled])).toEqual([
      ['Base model', false],
      ['Ada', false],
      ['Bob', true],
    ]);
    await fireEvent.change(picker, { target: { value: 'profile:Ada' } });
    await waitFor(() =>
      expect(callsOf(fake, 'setActiveModel').at(-1)?.params).toEqual({
        model: { kind: 'profile', name: 'Ada' },
      }),
    );
    expect(picker.value).toBe('profile:Ada');
  });

  it('follows the active model the host pushes', async () => {
    const { fake } = await setup({
      profiles: [profile({ name: 'Ada', hasModel: true, status: 'ready' })],
    });
    fake.push({
      type: 'profiles-changed',
      profiles: [profile({ name: 'Ada', hasModel: true, status: 'ready' })],
      active: { kind: 'profile', name: 'Ada' },
    });
    await waitFor(() =>
      expect((screen.getByLabelText('Transcribe with') as HTMLSelectElement).value).toBe(
        'profile:Ada',
      ),
    );
  });
});

describe('a profile in the list', () => {
  it('says "Training now" from the run\'s first moment, and "interrupted" once it stops', () => {
    const ada = profile({ name: 'Ada', recordings: 5 });
    const run = (phase: TrainingState['phase'], name = 'Ada'): TrainingState => ({
      ...IDLE_TRAINING,
      phase,
      profile: name,
    });
    expect(profileStatusLabel(ada, IDLE_TRAINING)).toBe('Collecting recordings');
    expect(profileStatusLabel(ada, run('preparing'))).toBe('Training now');
    expect(profileStatusLabel(ada, run('resuming'))).toBe('Training now');
    expect(profileStatusLabel(ada, run('training', 'Bob'))).toBe('Collecting recordings');
    const started = { ...ada, status: 'training' as const };
    expect(profileStatusLabel(started, run('training'))).toBe('Training now');
    expect(profileStatusLabel(started, run('cancelled'))).toBe('Training interrupted');
    expect(profileStatusLabel({ ...started, trainingNow: true }, IDLE_TRAINING)).toBe(
      'Training now',
    );
    expect(profileStatusLabel({ ...ada, status: 'ready' }, run('finished'))).toBe('Ready');
  });
});

describe('managing profiles', { timeout: 20_000 }, () => {
  it('creates, renames and deletes (after a second press) a profile', async () => {
    const { fake } = await setup();
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    expect(screen.getByRole('heading', { name: 'Teach Hark your voice' })).toBeTruthy();
    await fireEvent.input(screen.getByLabelText('New profile name'), {
      target: { value: ' Ada ' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() =>
      expect(screen.getByRole('heading', { name: 'Ada', level: 2 })).toBeTruthy(),
    );
    expect(callsOf(fake, 'createProfile')[0]?.params).toEqual({ name: 'Ada' });
    expect(screen.getByLabelText('Enrollment progress').textContent).toContain(
      'add 5 more recordings',
    );

    await fireEvent.click(screen.getByRole('button', { name: 'Rename…' }));
    await fireEvent.input(screen.getByLabelText('New name for Ada'), {
      target: { value: 'Ada L.' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Rename' }));
    await waitFor(() =>
      expect(screen.getByRole('heading', { name: 'Ada L.', level: 2 })).toBeTruthy(),
    );
    expect(callsOf(fake, 'renameProfile')[0]?.params).toEqual({ name: 'Ada', newName: 'Ada L.' });

    await fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    expect(callsOf(fake, 'deleteProfile')).toHaveLength(0);
    await fireEvent.click(screen.getByRole('button', { name: 'Press again to delete Ada L.' }));
    await waitFor(() =>
      expect(callsOf(fake, 'deleteProfile')[0]?.params).toEqual({ name: 'Ada L.' }),
    );
    await waitFor(() => expect(screen.queryByRole('heading', { name: 'Ada L.' })).toBeNull());
  });

  it('keeps a renamed profile selected when the host announces the rename first, in name order', async () => {
    const pushes: { push?: (event: PushEvent) => void } = {};
    let profiles = [profile({ name: 'Bob' }), profile({ name: 'Cleo' })];
    const { fake } = await setup({
      profiles,
      answers: {
        listProfiles: () => ({ profiles, active: { kind: 'base' } }),
        // As the host does: profiles-changed is pushed before the reply.
        renameProfile: (params) => {
          const { name, newName } = params as { name: string; newName: string };
          const renamed = { ...profiles.find((p) => p.name === name)!, name: newName };
          profiles = profiles.map((p) => (p.name === name ? renamed : p));
          pushes.push!({ type: 'profiles-changed', profiles, active: { kind: 'base' } });
          return renamed;
        },
      },
    });
    pushes.push = (event) => fake.push(event);
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    await fireEvent.click(await screen.findByRole('button', { name: /^Cleo/ }));
    await screen.findByRole('heading', { name: 'Cleo', level: 2 });
    const rename = async (from: string, to: string) => {
      await fireEvent.click(screen.getByRole('button', { name: 'Rename…' }));
      await fireEvent.input(screen.getByLabelText(`New name for ${from}`), {
        target: { value: to },
      });
      await fireEvent.click(screen.getByRole('button', { name: 'Rename' }));
      await screen.findByRole('heading', { name: to, level: 2 });
    };
    await rename('Cleo', 'ada lovelace');
    const names = () =>
      within(screen.getByRole('navigation', { name: 'Profiles' }))
        .getAllByRole('listitem')
        .map((item) => item.textContent?.trim().split(/\s/)[0]);
    expect(names()).toEqual(['ada', 'Bob']);
    await rename('ada lovelace', 'Zed');
    expect(screen.queryByRole('heading', { name: 'Bob', level: 2 })).toBeNull();
    expect(names()).toEqual(['Bob', 'Zed']);
  });

  it('removes a recording only on a second press, and forgets a first press after a while', async () => {
    let recordings = ['one two', 'three four'].map((text, i) => ({
      id: `r${i}`,
      durationSec: 1.5,
      text,
      source: 'recording' as const,
      addedAt: '2026-01-01T00:00:00Z',
    }));
    const { fake } = await setup({
      profiles: [profile({ name: 'Ada', recordings: 2 })],
      answers: {
        listRecordings: () => ({ recordings }),
        removeRecording: (params) => {
          recordings = recordings.filter((r) => r.id !== (params as { id: string }).id);
          return { removed: true };
        },
      },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Remove “one two”' }));
    expect(callsOf(fake, 'removeRecording')).toHaveLength(0);
    // A first press on another recording moves the question there.
    await fireEvent.click(screen.getByRole('button', { name: 'Remove “three four”' }));
    expect(screen.getByRole('button', { name: 'Remove “one two”' })).toBeTruthy();
    await fireEvent.click(
      screen.getByRole('button', { name: 'Press again to remove “three four”' }),
    );
    await waitFor(() =>
      expect(callsOf(fake, 'removeRecording')[0]?.params).toEqual({ profile: 'Ada', id: 'r1' }),
    );
    await waitFor(() => expect(screen.queryByText('three four')).toBeNull());

    vi.useFakeTimers();
    try {
      await fireEvent.click(screen.getByRole('button', { name: 'Remove “one two”' }));
      await vi.advanceTimersByTimeAsync(PRESS_AGAIN_MS + 100);
      expect(screen.queryByRole('button', { name: /^Press again/ })).toBeNull();
      await fireEvent.click(screen.getByRole('button', { name: 'Remove “one two”' }));
      expect(callsOf(fake, 'removeRecording')).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('forgets a pressed Delete and an open Rename when another profile is picked', async () => {
    const { fake } = await setup({
      profiles: [profile({ name: 'Ada' }), profile({ name: 'Bob' })],
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    await screen.findByRole('heading', { name: 'Ada', level: 2 });
    await fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await screen.findByRole('button', { name: 'Press again to delete Ada' });
    await fireEvent.click(screen.getByRole('button', { name: /^Bob/ }));
    await screen.findByRole('heading', { name: 'Bob', level: 2 });
    // One press on Bob's Delete only asks; it never deletes Bob.
    await fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await screen.findByRole('button', { name: 'Press again to delete Bob' });
    expect(callsOf(fake, 'deleteProfile')).toHaveLength(0);

    await fireEvent.click(screen.getByRole('button', { name: /^Ada/ }));
    await screen.findByRole('heading', { name: 'Ada', level: 2 });
    expect(screen.getByRole('button', { name: 'Delete' })).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Rename…' }));
    await fireEvent.input(screen.getByLabelText('New name for Ada'), {
      target: { value: 'Ada L.' },
    });
    await fireEvent.click(screen.getByRole('button', { name: /^Bob/ }));
    await screen.findByRole('heading', { name: 'Bob', level: 2 });
    expect(screen.queryByLabelText(/^New name for/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Rename' })).toBeNull();
    expect(callsOf(fake, 'renameProfile')).toHaveLength(0);
  });

  it('exports a profile as a download and imports an uploaded archive (browser mode)', async () => {
    const clicked: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push(`${this.getAttribute('href')} as ${this.download}`);
    });
    const { fake } = await setup({
      profiles: [profile({ name: 'Ada' })],
      answers: {
        exportProfile: () => ({
          fileName: 'Ada.harkprofile',
          savedPath: null,
          downloadUrl: '/download/t1/Ada.harkprofile',
        }),
        importProfile: () => profile({ name: 'Bob' }),
      },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Export…' }));
    await waitFor(() =>
      expect(clicked).toEqual(['/download/t1/Ada.harkprofile as Ada.harkprofile']),
    );
    click.mockRestore();

    const archive = document.querySelector('.list input[type="file"]') as HTMLInputElement;
    Object.defineProperty(archive, 'files', {
      value: [new File(['PK'], 'Bob.harkprofile')],
      configurable: true,
    });
    await fireEvent.change(archive);
    await waitFor(() =>
      expect(callsOf(fake, 'importProfile')[0]?.params).toEqual({ path: '/up/Bob.harkprofile' }),
    );
    await screen.findByRole('heading', { name: 'Bob', level: 2 });
    await screen.findByText('The profile Bob was imported.');
  });

  it('keeps the profiles in view when a transcript finishes (a take is never cut short)', async () => {
    const { fake, app } = await setup({ profiles: [profile({ name: 'Ada' })] });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    fake.push({
      type: 'transcript',
      jobId: 'j1',
      entry: {
        id: 'rec1',
        name: 'talk.wav',
        sourcePath: '/t.wav',
        createdAt: '2026-01-01T00:00:00Z',
        durationSec: 3,
        wordCount: 7,
        editCount: 0,
        preview: 'hello',
      },
    });
    await new Promise((done) => setTimeout(done, 50));
    expect(app.open).toBeUndefined();
    expect(screen.getByRole('heading', { name: 'Voice profiles' })).toBeTruthy();
  });

  it('says why a profile was not created', async () => {
    await setup({
      answers: {
        createProfile: () => {
          throw new Error('a profile named Ada exists');
        },
      },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    await fireEvent.input(screen.getByLabelText('New profile name'), { target: { value: 'Ada' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() =>
      expect(
        screen.getByText('The profile was not created: a profile named Ada exists'),
      ).toBeTruthy(),
    );
  });

  it('uploads picked WAV and text files for import and lists what was skipped and why', async () => {
    const { fake } = await setup({
      profiles: [profile({ name: 'Ada' })],
      answers: {
        importFiles: () => ({
          added: [],
          skipped: [{ source: 'b.wav', reason: 'no b.txt beside it' }],
        }),
      },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    const input = document.querySelector('input[accept*=".txt"]') as HTMLInputElement;
    const files = [
      new File(['RIFF'], 'a.wav'),
      new File(['hello'], 'a.txt'),
      new File(['RIFF'], 'b.wav'),
    ];
    Object.defineProperty(input, 'files', { value: files, configurable: true });
    await fireEvent.change(input);
    await waitFor(() =>
      expect(callsOf(fake, 'importFiles')[0]?.params).toEqual({
        profile: 'Ada',
        paths: ['/up/a.wav', '/up/a.txt', '/up/b.wav'],
      }),
    );
    const skipped = await screen.findByRole('list', { name: 'Skipped inputs' });
    expect(skipped.textContent).toContain('b.wav: no b.txt beside it');
  });
});

describe('enrollment', { timeout: 20_000 }, () => {
  it('records a prompt: meter, words lighting up, checks, playback, keep, next prompt', async () => {
    const mic = fakeMicrophone();
    const clips: Float32Array[] = [];
    const { fake } = await setup({
      profiles: [profile({ name: 'Ada' })],
      enrollment: mic.options,
      answers: {
        recognizeClip: (params) => {
          clips.push(decodeClip(params));
          return { text: 'the quik brown', words: [], elapsedMs: 12 };
        },
        checkRecording: () => GOOD_CHECK,
        addRecording: (params) => ({
          recording: { id: 'r1', durationSec: 2, text: (params as { text: string }).text },
          replaced: null,
        }),
      },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    await screen.findByText('The quick brown fox jumps.');
    expect(screen.getByText('0 of 120 prompts recorded')).toBeTruthy();

    await fireEvent.click(screen.getByRole('button', { name: 'Record' }));
    await screen.findByRole('button', { name: /^Stop/ });
    mic.speak(1.5);
    const meter = screen.getByRole('meter', { name: 'Input level' });
    await waitFor(() => expect(Number(meter.getAttribute('aria-valuenow'))).toBe(-13));
    // The growing take goes to the recogniser; the words it heard light up, in order.
    await waitFor(() => expect(clips.length).toBeGreaterThan(0));
    expect(clips[0]!.length).toBeGreaterThan(16000);
    await waitFor(() =>
      expect(
        Array.from(screen.getByTestId('prompt').querySelectorAll('.word')).map((word) =>
          word.classList.contains('lit'),
        ),
      ).toEqual([true, true, true, false, false]),
    );
    expect(screen.getByText('3 of 5 words heard')).toBeTruthy();

    await fireEvent.click(screen.getByRole('button', { name: /^Stop/ }));
    expect(mic.stopped).toHaveBeenCalled();
    await screen.findByText('The take sounds fine: keep it, or re-record.');
    const checked = callsOf(fake, 'checkRecording')[0]?.params as { text: string };
    expect(checked.text).toBe('The quick brown fox jumps.');
    await fireEvent.click(screen.getByRole('button', { name: 'Play the take' }));
    expect(mic.options.play).toHaveBeenCalledWith(expect.any(Float32Array), 16000);
    await fireEvent.click(screen.getByRole('button', { name: 'Keep this take' }));
    await screen.findByText('She sells sea shells.');
    const added = callsOf(fake, 'addRecording')[0]?.params as {
      profile: string;
      text: string;
      promptId: string;
      audio: { sampleRate: number };
    };
    expect(added).toMatchObject({
      profile: 'Ada',
      text: 'The quick brown fox jumps.',
      promptId: 'p001',
      audio: { sampleRate: 16000 },
    });
    expect(decodeClip(added).length).toBe(Math.ceil((1.5 * 16000) / 1360) * 1360);
    expect(screen.getByText('1 of 120 prompts recorded')).toBeTruthy();
  });

  it('warns, without blocking, when the take reads as another sentence than the prompt', async () => {
    const mic = fakeMicrophone();
    const { fake } = await setup({
      profiles: [profile({ name: 'Ada' })],
      enrollment: mic.options,
      answers: {
        recognizeClip: () => ({
          text: 'she had a beutiful warm collearing',
          words: [],
          elapsedMs: 9,
        }),
        checkRecording: () => GOOD_CHECK,
        addRecording: () => ({ recording: { id: 'r1' }, replaced: null }),
      },
    });
    await startRecording();
    mic.speak(1.5);
    await fireEvent.click(screen.getByRole('button', { name: /^Stop/ }));
    await screen.findByText(/Hark heard another sentence than the prompt/);
    expect(screen.queryByText('The take sounds fine: keep it, or re-record.')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Keep this take' }));
    await screen.findByText('She sells sea shells.');
    expect(callsOf(fake, 'addRecording')).toHaveLength(1);
  });

  it('warns about a silent take before it is kept, and re-records', async () => {
    const mic = fakeMicrophone();
    const { fake } = await setup({
      profiles: [profile({ name: 'Ada' })],
      enrollment: mic.options,
      answers: {
        recognizeClip: () => ({ text: '', words: [], elapsedMs: 5 }),
        checkRecording: () => ({
          levels: { durationSec: 1, speechLevelDb: -70, peakDb: -60, clippedFraction: 0 },
          problems: [{ code: 'silent', message: 'The recording is almost silent.' }],
        }),
      },
    });
    await startRecording();
    mic.speak(1, 0.0005);
    await fireEvent.click(screen.getByRole('button', { name: /^Stop/ }));
    const alert = await screen.findByText('The recording is almost silent.');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(
      (screen.getByRole('button', { name: 'Keep this take' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: 'Re-record' }));
    await screen.findByRole('button', { name: /^Stop/ });
    expect(screen.queryByText('The recording is almost silent.')).toBeNull();
    expect(callsOf(fake, 'addRecording')).toHaveLength(0);
  });

  it('flags clipping while recording and says when the microphone is refused', async () => {
    const mic = fakeMicrophone();
    await setup({
      profiles: [profile({ name: 'Ada' })],
      enrollment: mic.options,
      answers: {
        recognizeClip: () => ({ text: '', words: [], elapsedMs: 5 }),
        checkRecording: () => GOOD_CHECK,
      },
    });
    await startRecording();
    // A browser's samples may overshoot full scale; the meter still stops at 0 dBFS.
    mic.speak(0.3, 1.25);
    await screen.findByText('Too loud');
    expect(
      screen.getByRole('meter', { name: 'Input level' }).getAttribute('aria-valuetext'),
    ).toMatch(/, peak 0 dB$/);
    await fireEvent.click(screen.getByRole('button', { name: /^Stop/ }));
    await screen.findByText(/The recording is clipped/);
    // The meter rests once the take stops.
    expect(
      screen.getByRole('meter', { name: 'Input level' }).getAttribute('aria-valuetext'),
    ).toMatch(/, peak –∞$/);
    expect(screen.queryByText('Too loud')).toBeNull();

    mic.state.refuse = true;
    await fireEvent.click(screen.getByRole('button', { name: 'Re-record' }));
    await screen.findByText(/Hark may not use the microphone/);
  });
});

describe('a take that runs long', { timeout: 30_000 }, () => {
  it(`stops on its own at ${MAX_TAKE_SEC} s, says why, and never sends more`, async () => {
    expect(MAX_TAKE_SEC).toBe(60);
    const mic = fakeMicrophone();
    const { fake } = await setup({
      profiles: [profile({ name: 'Ada' })],
      enrollment: { ...mic.options, recognizeEveryMs: 60_000 },
      answers: {
        recognizeClip: () => ({ text: 'the quick brown fox jumps', words: [], elapsedMs: 5 }),
        checkRecording: () => GOOD_CHECK,
        addRecording: () => ({ recording: { id: 'r1' }, replaced: null }),
      },
    });
    await startRecording();
    mic.speak(62);
    await screen.findByText(
      'The take stopped on its own at 60 s, the longest a take may be. ' +
        'Keep it, or re-record the prompt in one go.',
    );
    expect(mic.stopped).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('button', { name: /^Stop/ })).toBeNull();
    await screen.findByText('The take sounds fine: keep it, or re-record.');
    const checked = callsOf(fake, 'checkRecording');
    expect(checked).toHaveLength(1);
    expect(decodeClip(checked[0]!.params).length).toBe(60 * 16000);
    await fireEvent.click(screen.getByRole('button', { name: 'Keep this take' }));
    await waitFor(() => expect(callsOf(fake, 'addRecording')).toHaveLength(1));
    expect(decodeClip(callsOf(fake, 'addRecording')[0]!.params).length).toBe(60 * 16000);
  });
});

describe('a microphone that opens late', { timeout: 20_000 }, () => {
  /** A microphone whose permission prompt is still showing until the test opens it. */
  function slowMicrophone() {
    let open: (() => void) | undefined;
    const stopped = vi.fn(async () => {});
    const options: EnrollmentOptions = {
      recognizeEveryMs: 15,
      startCapture: () =>
        new Promise((resolve) => {
          open = () => resolve({ nativeRate: 48000, stop: stopped });
        }),
    };
    return { options, stopped, open: () => open?.() };
  }

  it('is stopped when the profiles view closes while it opens', async () => {
    const mic = slowMicrophone();
    const { fake } = await setup({
      profiles: [profile({ name: 'Ada' })],
      enrollment: mic.options,
      answers: { recognizeClip: () => ({ text: '', words: [], elapsedMs: 5 }) },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Record' }));
    await screen.findByRole('button', { name: 'Starting…' });
    await fireEvent.click(screen.getByRole('button', { name: 'Close voice profiles' }));
    await waitFor(() =>
      expect(screen.queryByRole('heading', { name: 'Voice profiles' })).toBeNull(),
    );
    mic.open();
    await waitFor(() => expect(mic.stopped).toHaveBeenCalledTimes(1));
    await new Promise((done) => setTimeout(done, 60));
    expect(callsOf(fake, 'recognizeClip')).toHaveLength(0);
  });

  it('is stopped when another profile is picked while it opens, and Skip waits for it', async () => {
    const mic = slowMicrophone();
    await setup({
      profiles: [profile({ name: 'Ada' }), profile({ name: 'Bob' })],
      enrollment: mic.options,
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Record' }));
    await screen.findByRole('button', { name: 'Starting…' });
    expect(
      (screen.getByRole('button', { name: 'Skip this prompt' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: /^Bob/ }));
    await screen.findByRole('heading', { name: 'Bob', level: 2 });
    mic.open();
    await waitFor(() => expect(mic.stopped).toHaveBeenCalledTimes(1));
    expect(screen.queryByRole('button', { name: /^Stop/ })).toBeNull();
    expect(await screen.findByRole('button', { name: 'Record' })).toBeTruthy();
  });
});

describe('training', { timeout: 20_000 }, () => {
  const running: TrainingState = {
    phase: 'training',
    profile: 'Ada',
    fraction: 0.5,
    step: 20,
    loss: 1.2,
    losses: [
      { step: 10, loss: 2.4 },
      { step: 20, loss: 1.2 },
    ],
    validations: [{ step: 20, wer: 0.4, cer: 0.2 }],
    elapsedSec: 30,
    restarts: 0,
  };
  const enough = profile({ name: 'Ada', recordings: 6, speechSec: 20, needsMoreData: null });

  it('refuses to start without enough data and says how much more is needed', async () => {
    await setup({ profiles: [profile({ name: 'Ada' })] });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    expect(
      (screen.getByRole('button', { name: 'Start training' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    expect(
      screen.getByText('Before training: add 5 more recordings with at least 10.0 s more speech'),
    ).toBeTruthy();
  });

  it('starts, shows step, ETA and the chart as progress arrives, and cancels', async () => {
    const { fake } = await setup({
      profiles: [enough],
      answers: {
        startTraining: () => ({ ...IDLE_TRAINING, phase: 'preparing', profile: 'Ada' }),
        cancelTraining: () => ({ ...running, phase: 'cancelled' }),
      },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    await fireEvent.change(screen.getByLabelText('Training length'), { target: { value: '30' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Start training' }));
    await waitFor(() =>
      expect(callsOf(fake, 'startTraining')[0]?.params).toEqual({
        profile: 'Ada',
        maxTrainingSec: 30,
      }),
    );
    await screen.findByText(/Preparing the recordings/);
    // Once the recordings are ready, the bar does not sit at 100 % while the run gets going.
    fake.push({
      type: 'training-progress',
      state: { ...IDLE_TRAINING, phase: 'preparing', profile: 'Ada', fraction: 1 },
    });
    await screen.findByText(/The recordings are ready; training starts in a moment/);
    fake.push({ type: 'training-progress', state: running });
    await screen.findByText(/Step 20 · 50 % · about 30 s left/);
    const chart = screen.getByRole('img', { name: /^Training chart/ });
    expect(chart.getAttribute('aria-label')).toBe(
      'Training chart. Loss 1.200 at step 20. Validation word error rate 40.0 % at step 20.',
    );
    const lossPath = screen.getByTestId('loss-line').getAttribute('d') ?? '';
    expect(lossPath.split(' ')).toHaveLength(2);
    expect(lossPath).toMatch(/^M[\d.]+,[\d.]+ L[\d.]+,[\d.]+$/);
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel training' }));
    await screen.findByText('Training was cancelled.');
    expect(callsOf(fake, 'cancelTraining')).toHaveLength(1);
    // The length chosen is offered again next time.
    cleanup();
    await setup({ profiles: [enough] });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    expect((screen.getByLabelText('Training length') as HTMLSelectElement).value).toBe('30');
  });

  it('offers a way out of an interrupted run that cannot resume', async () => {
    const stuck = {
      ...enough,
      status: 'training' as const,
      needsMoreData: 'add 1 more recording',
    };
    let current: ProfileInfo = stuck;
    const { fake } = await setup({
      profiles: [stuck],
      training: { ...running, phase: 'cancelled' },
      answers: {
        listProfiles: () => ({ profiles: [current], active: { kind: 'base' } }),
        discardResult: () => {
          current = { ...enough, status: 'collecting' };
          return current;
        },
        getTrainingState: () => IDLE_TRAINING,
      },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    const group = await screen.findByRole('group', { name: 'Interrupted training run' });
    expect(
      (screen.getByRole('button', { name: 'Resume training' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    await fireEvent.click(
      within(group).getByRole('button', { name: 'Discard the interrupted run' }),
    );
    // Discarding asks first.
    expect(callsOf(fake, 'discardResult')).toHaveLength(0);
    await fireEvent.click(within(group).getByRole('button', { name: 'Press again to discard it' }));
    await waitFor(() =>
      expect(callsOf(fake, 'discardResult')[0]?.params).toEqual({ profile: 'Ada' }),
    );
    await waitFor(() =>
      expect(screen.queryByRole('group', { name: 'Interrupted training run' })).toBeNull(),
    );
    expect(screen.getByRole('button', { name: 'Start training' })).toBeTruthy();
  });

  it('shows why resuming an interrupted run failed', async () => {
    const stuck = { ...enough, status: 'training' as const };
    await setup({
      profiles: [stuck],
      answers: {
        startTraining: () => {
          throw new Error('the recordings of this run were removed');
        },
      },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Resume training' }));
    const group = await screen.findByRole('group', { name: 'Interrupted training run' });
    await waitFor(() =>
      expect(within(group).getByRole('alert').textContent).toBe(
        'Training did not resume: the recordings of this run were removed',
      ),
    );
    expect(within(group).getByRole('button', { name: 'Discard the interrupted run' })).toBeTruthy();
  });

  it('shows the result card, keeps it, then offers to use the profile now', async () => {
    const result = {
      werBefore: 0.5,
      werAfter: 0.25,
      cerBefore: 0.3,
      cerAfter: 0.1,
      validationUtterances: 2,
      trainingUtterances: 8,
      trainingAudioSec: 30,
      trainingSec: 60,
      steps: 40,
      stoppedBecause: 'converged' as const,
      examples: [{ reference: 'hello there', before: 'hallo dare', after: 'hello there' }],
      finishedAt: '2026-01-01T00:00:00Z',
    };
    const review = { ...enough, status: 'review' as const, pendingResult: result };
    const kept = {
      ...enough,
      status: 'ready' as const,
      hasModel: true,
      kept: {
        keptAt: '2026-01-01T00:00:00Z',
        werBefore: 0.5,
        werAfter: 0.25,
        validationUtterances: 2,
        trainingUtterances: 8,
        steps: 40,
      },
    };
    const { fake } = await setup({
      profiles: [review],
      training: { ...running, phase: 'finished', fraction: 1, result },
      answers: { keepResult: () => kept },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Voice profiles' }));
    const card = screen.getByRole('region', { name: 'Training result' });
    expect(card.querySelector('.before')?.textContent).toBe('50.0 %');
    expect(card.querySelector('.after')?.textContent).toBe('25.0 %');
    expect(within(card).getByText('hallo dare')).toBeTruthy();
    // Two held-back recordings make a rough figure, and the card says so.
    expect(card.querySelector('.few-held-back')?.textContent?.replace(/\s+/g, ' ')).toMatch(
      /A rough figure: 2 recordings decide it/,
    );
    // Discard asks first: one press throws nothing away.
    await fireEvent.click(within(card).getByRole('button', { name: 'Discard' }));
    expect(within(card).getByRole('button', { name: 'Press again to discard' })).toBeTruthy();
    expect(callsOf(fake, 'discardResult')).toHaveLength(0);
    await fireEvent.click(within(card).getByRole('button', { name: 'Keep' }));
    await waitFor(() => expect(callsOf(fake, 'keepResult')[0]?.params).toEqual({ profile: 'Ada' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Use Ada now' }));
    await waitFor(() =>
      expect(callsOf(fake, 'setActiveModel')[0]?.params).toEqual({
        model: { kind: 'profile', name: 'Ada' },
      }),
    );
    await screen.findByText('In use');
    expect((screen.getByLabelText('Transcribe with') as HTMLSelectElement).value).toBe(
      'profile:Ada',
    );
  });
});

describe('transcripts and profiles', { timeout: 20_000 }, () => {
  it('says which model made a transcript and adds a corrected stretch to a profile', async () => {
    const base = sampleRecord();
    const record = sampleRecord({
      madeBy: { kind: 'profile', name: 'Ada' },
      edits: { '1:1': 'again!' },
      transcript: { ...base.transcript, model: { name: 'profile:Ada', path: '/p/Ada/model' } },
    });
    const { fake, app } = await setup({
      profiles: [profile({ name: 'Ada', hasModel: true, status: 'ready' })],
      answers: {
        getTranscript: () => record,
        getMediaUrl: () => ({ url: '/media/rec1' }),
        addCorrection: () => ({ recording: { id: 'c1' } }),
      },
    });
    await app.openTranscript('rec1');
    await screen.findByText('voice profile Ada');
    // The engine's name for the model stays out of sight.
    expect(document.querySelector('.transcript .meta')?.textContent).not.toContain('profile:');
    // Play from "again": the stretch offered is its segment, with the correction.
    await fireEvent.click(
      screen.getByRole('button', { name: 'Add a stretch to a voice profile…' }),
    );
    const form = screen.getByRole('form', { name: 'Add this stretch to a voice profile' });
    expect(
      (within(form).getByLabelText('What is said (corrected)') as HTMLInputElement).value,
    ).toBe('hello world this is hark');
    await fireEvent.change(within(form).getByLabelText('Stretch'), { target: { value: '1' } });
    expect(
      (within(form).getByLabelText('What is said (corrected)') as HTMLInputElement).value,
    ).toBe('hello again!');
    await fireEvent.click(within(form).getByRole('button', { name: 'Add to Ada' }));
    await waitFor(() =>
      expect(callsOf(fake, 'addCorrection')[0]?.params).toEqual({
        profile: 'Ada',
        transcriptId: 'rec1',
        startSec: 2.5,
        endSec: 3.4,
        text: 'hello again!',
      }),
    );
    await screen.findByText('Added to the voice profile Ada.');
  });
});
