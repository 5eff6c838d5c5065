import type { EnrollmentPrompt, RecordingCheck } from '../../src-main/api/contract';
import { PeakHold, TakeStats, toDb, type TakeSummary } from '../lib/audio-levels';
import type { HarkClient } from '../lib/hark-client';
import {
  CAPTURE_RATE,
  float32ToBase64,
  joinChunks,
  microphoneErrorText,
  playSamples,
  startCapture,
  type Capture,
  type CaptureChunk,
  type Playback,
} from '../lib/microphone';
import { heardWords, promptWords, readsOffPrompt } from '../lib/prompt-alignment';
import { MAX_TAKE_SAMPLES, MAX_TAKE_SEC } from '../lib/take-length';
import { errorMessage } from '../lib/error-message';

export type EnrollmentPhase = 'idle' | 'starting' | 'recording' | 'review' | 'saving';

export interface EnrollmentOptions {
  /** The microphone (tests pass a fake that feeds chunks). */
  startCapture?: (onChunk: (chunk: CaptureChunk) => void) => Promise<Capture>;
  play?: (samples: Float32Array, sampleRate: number) => Playback;
  /** How often the growing take is recognised while recording. */
  recognizeEveryMs?: number;
  /** Called after a take was kept (the profile's counts changed). */
  onKept?: () => void;
  now?: () => number;
}

/** Prompts fetched at a time. */
const PROMPT_BATCH = 20;
/** The recogniser only gets the take once it holds this much audio. */
const MIN_RECOGNIZE_SEC = 0.6;
/** Recognise at most the last 30 s (the request's limit). */
const MAX_RECOGNIZE_SAMPLES = 29 * CAPTURE_RATE;

/**
 * Reading prompts into the microphone, one at a time: record (level meter, words lighting up as
 * the recogniser hears them), review (warnings, playback), keep or re-record.
 *
 * @example
 * const enrollment = new EnrollmentState(client, 'Ada');
 * await enrollment.load();
 * await enrollment.start(); // … await enrollment.stop(); await enrollment.keep();
 */
export class EnrollmentState {
  readonly profile: string;
  private readonly client: HarkClient;
  private readonly options: EnrollmentOptions;

  prompts = $state<EnrollmentPrompt[]>([]);
  index = $state(0);
  recorded = $state(0);
  total = $state(0);
  phase = $state<EnrollmentPhase>('idle');
  levelDb = $state(-Infinity);
  peakDb = $state(-Infinity);
  clipping = $state(false);
  elapsedSec = $state(0);
  hypothesis = $state('');
  /** The hypothesis is the recogniser's reading of the whole take (set once it stops). */
  heardWhole = $state(false);
  summary = $state<TakeSummary | undefined>();
  check = $state<RecordingCheck | undefined>();
  error = $state<string | undefined>();
  /** Said when the take stopped on its own (it reached MAX_TAKE_SEC). */
  notice = $state<string | undefined>();
  playing = $state(false);

  current = $derived(this.prompts[this.index]);
  words = $derived(promptWords(this.current?.text ?? ''));
  lit = $derived(heardWords(this.words, this.hypothesis));
  /** The whole take reads as another sentence than the prompt: a warning, not a block. */
  offPrompt = $derived(
    this.heardWhole && readsOffPrompt(this.current?.text ?? '', this.hypothesis),
  );
  /** Problems that stop the take from being kept (the host's checks, after the take). */
  blocking = $derived(this.check?.problems ?? []);

  private chunks: Float32Array[] = [];
  /** Samples in `chunks`; never more than MAX_TAKE_SAMPLES. */
  private takeSamples = 0;
  private stats = new TakeStats(CAPTURE_RATE);
  private readonly hold = new PeakHold();
  private capture: Capture | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private recognizing = false;
  private playback: Playback | undefined;
  /** Bumped per take, so a late recognition of an earlier take is ignored. */
  private take = 0;

  constructor(client: HarkClient, profile: string, options: EnrollmentOptions = {}) {
    this.client = client;
    this.profile = profile;
    this.options = options;
  }

  private now(): number {
    return this.options.now?.() ?? performance.now();
  }

  async load(): Promise<void> {
    try {
      const next = await this.client.call('nextPrompts', {
        profile: this.profile,
        count: PROMPT_BATCH,
      });
      this.prompts = next.prompts;
      this.index = 0;
      this.recorded = next.recorded;
      this.total = next.total;
    } catch (error) {
      this.error = `The prompts could not be loaded: ${errorMessage(error)}`;
    }
  }

  private resetTake(): void {
    this.take += 1;
    this.chunks = [];
    this.takeSamples = 0;
    this.stats = new TakeStats(CAPTURE_RATE);
    this.hold.reset();
    this.levelDb = -Infinity;
    this.peakDb = -Infinity;
    this.clipping = false;
    this.elapsedSec = 0;
    this.hypothesis = '';
    this.heardWhole = false;
    this.summary = undefined;
    this.check = undefined;
    this.error = undefined;
    this.notice = undefined;
  }

  async start(): Promise<void> {
    if (this.phase === 'recording' || this.phase === 'starting' || !this.current) return;
    this.stopPlayback();
    this.resetTake();
    this.phase = 'starting';
    // dispose() and advance() bump the take while the microphone opens (a permission prompt can
    // take long): a capture that opens after that is stopped at once, not left running.
    const take = this.take;
    let capture: Capture;
    try {
      const begin = this.options.startCapture ?? startCapture;
      capture = await begin((chunk) => this.onChunk(chunk));
    } catch (error) {
      if (take !== this.take) return;
      this.phase = 'idle';
      this.error = microphoneErrorText(error);
      return;
    }
    if (take !== this.take) {
      void capture.stop();
      return;
    }
    this.capture = capture;
    this.phase = 'recording';
    this.timer = setInterval(() => void this.recognize(), this.options.recognizeEveryMs ?? 1000);
    if (this.takeSamples >= MAX_TAKE_SAMPLES) void this.stop();
  }

  private onChunk(chunk: CaptureChunk): void {
    if (this.phase !== 'recording' && this.phase !== 'starting') return;
    const room = MAX_TAKE_SAMPLES - this.takeSamples;
    if (room <= 0) return;
    const samples = chunk.samples.length > room ? chunk.samples.subarray(0, room) : chunk.samples;
    this.chunks.push(samples);
    this.takeSamples += samples.length;
    this.stats.add(samples, chunk);
    this.elapsedSec += samples.length / CAPTURE_RATE;
    this.levelDb = toDb(chunk.rms);
    this.peakDb = this.hold.update(toDb(chunk.peak), this.now());
    this.clipping = chunk.clipped > 0;
    if (this.takeSamples >= MAX_TAKE_SAMPLES) this.stopAtLimit();
  }

  /** A take longer than the request's limit could not be sent, so it ends here. */
  private stopAtLimit(): void {
    this.notice =
      `The take stopped on its own at ${MAX_TAKE_SEC} s, the longest a take may be. ` +
      'Keep it, or re-record the prompt in one go.';
    if (this.phase === 'recording') void this.stop();
  }

  /** The take so far (never over MAX_TAKE_SAMPLES, so it always fits in a request). */
  private takeAudio(): Float32Array {
    return joinChunks(this.chunks).subarray(0, MAX_TAKE_SAMPLES);
  }

  /**
   * Sends the take so far to the recogniser; the prompt's heard words light up. True when it
   * read the take (not when the take is too short, another reading runs, or it failed).
   */
  private async recognize(): Promise<boolean> {
    if (this.recognizing || this.elapsedSec < MIN_RECOGNIZE_SEC) return false;
    this.recognizing = true;
    const take = this.take;
    try {
      const samples = this.takeAudio();
      const tail = samples.subarray(Math.max(0, samples.length - MAX_RECOGNIZE_SAMPLES));
      const result = await this.client.call('recognizeClip', {
        audio: { sampleRate: CAPTURE_RATE, float32Base64: float32ToBase64(tail) },
      });
      if (take === this.take) this.hypothesis = result.text;
      return take === this.take;
    } catch {
      // Lighting words up is a help, not a requirement: the take can be kept without it.
      return false;
    } finally {
      this.recognizing = false;
    }
  }

  async stop(): Promise<void> {
    const capture = this.capture;
    // A second stop (the limit reached as Stop is pressed) finds the capture already taken.
    if (this.phase !== 'recording' || !capture) return;
    this.capture = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
    await capture.stop();
    this.phase = 'review';
    // The meter rests while the take is reviewed (the take's facts say how loud it was).
    this.levelDb = -Infinity;
    this.peakDb = -Infinity;
    this.clipping = false;
    this.hold.reset();
    this.summary = this.stats.summary();
    const samples = this.takeAudio();
    const take = this.take;
    const audio = { sampleRate: CAPTURE_RATE, float32Base64: float32ToBase64(samples) };
    const waitForRecognizer = async () => {
      while (this.recognizing) await new Promise((done) => setTimeout(done, 20));
    };
    await waitForRecognizer();
    try {
      const [check, heardWhole] = await Promise.all([
        this.client.call('checkRecording', { audio, text: this.current?.text ?? '' }),
        this.recognize(),
      ]);
      if (take === this.take) {
        this.check = check;
        this.heardWhole = heardWhole;
      }
    } catch (error) {
      if (take === this.take) this.error = `The take could not be checked: ${errorMessage(error)}`;
    }
  }

  reRecord(): Promise<void> {
    if (this.phase !== 'review' && this.phase !== 'idle') return Promise.resolve();
    this.phase = 'idle';
    return this.start();
  }

  play(): void {
    if (this.chunks.length === 0) return;
    this.stopPlayback();
    const play = this.options.play ?? playSamples;
    const playback = play(this.takeAudio(), CAPTURE_RATE);
    this.playback = playback;
    this.playing = true;
    void playback.ended.then(() => {
      if (this.playback === playback) {
        this.playing = false;
        this.playback = undefined;
      }
    });
  }

  stopPlayback(): void {
    this.playback?.stop();
    this.playback = undefined;
    this.playing = false;
  }

  /** Keeps the take (the host checks it again) and moves to the next prompt. */
  async keep(): Promise<boolean> {
    const prompt = this.current;
    if (this.phase !== 'review' || !prompt || this.blocking.length > 0) return false;
    this.stopPlayback();
    this.phase = 'saving';
    try {
      const samples = this.takeAudio();
      const { replaced } = await this.client.call('addRecording', {
        profile: this.profile,
        audio: { sampleRate: CAPTURE_RATE, float32Base64: float32ToBase64(samples) },
        text: prompt.text,
        promptId: prompt.id,
      });
      if (!replaced) this.recorded += 1;
      this.options.onKept?.();
      await this.advance();
      return true;
    } catch (error) {
      this.phase = 'review';
      this.error = `The take was not kept: ${errorMessage(error)}`;
      return false;
    }
  }

  /** The next prompt without recording this one. */
  async skip(): Promise<void> {
    if (this.phase === 'starting' || this.phase === 'recording' || this.phase === 'saving') return;
    this.stopPlayback();
    await this.advance();
  }

  private async advance(): Promise<void> {
    this.resetTake();
    this.phase = 'idle';
    if (this.index + 1 < this.prompts.length) this.index += 1;
    else await this.load();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.take += 1;
    void this.capture?.stop();
    this.capture = undefined;
    this.stopPlayback();
    this.phase = 'idle';
  }
}
