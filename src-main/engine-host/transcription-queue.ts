import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { ApiError, toApiErrorInfo } from '../api/api-error';
import type { EngineMethods, HistoryEntry, Job, Progress, TranscriptRecord } from '../api/contract';
import { readJsonOrUndefined, SerialWriter, writeJsonAtomic } from './atomic-file';
import { EngineCrashedError } from './engine-supervisor';
import { toHistoryEntry } from './history-store';

export type TranscribeFn = (
  path: string,
  options: { signal: AbortSignal; onProgress: (progress: Progress) => void },
) => Promise<EngineMethods['transcribe']['result']>;

export interface TranscriptionQueueOptions {
  transcribe: TranscribeFn;
  saveTranscript: (
    input: Omit<TranscriptRecord, 'id' | 'createdAt' | 'edits'>,
  ) => Promise<TranscriptRecord>;
  /** Where the queue survives restarts (queue.json); in memory only when left out. */
  storePath?: string;
  onChange?: (jobs: Job[]) => void;
  onProgress?: (jobId: string, progress: Progress) => void;
  onTranscript?: (job: Job, entry: HistoryEntry) => void;
  /** A file that crashed the engine this many times fails instead of being tried again. */
  maxCrashesPerJob?: number;
}

function looksLikeJob(value: unknown): value is Job {
  if (typeof value !== 'object' || value === null) return false;
  const job = value as Partial<Job>;
  return (
    typeof job.id === 'string' && typeof job.path === 'string' && typeof job.state === 'string'
  );
}

/**
 * The files waiting for, undergoing and done with transcription, one at a time. The queue lives in
 * the host, not in the engine process: when the engine crashes, the job in flight goes back to the
 * queue and the rest wait for the restarted engine. It is saved on every change, so quitting
 * loses nothing either.
 *
 * @example
 * const queue = await TranscriptionQueue.open({ transcribe, saveTranscript, onChange });
 * queue.add(['/rec/a.wav', '/rec/b.wav']);
 */
export class TranscriptionQueue {
  private readonly options: TranscriptionQueueOptions;
  private jobs: Job[] = [];
  private active: { jobId: string; controller: AbortController; removed: boolean } | undefined;
  private readonly crashes = new Map<string, number>();
  private readonly writer = new SerialWriter();
  private idleWaiters: (() => void)[] = [];

  private constructor(options: TranscriptionQueueOptions) {
    this.options = options;
  }

  static async open(options: TranscriptionQueueOptions): Promise<TranscriptionQueue> {
    const queue = new TranscriptionQueue(options);
    if (options.storePath) {
      const stored = await readJsonOrUndefined(options.storePath);
      if (Array.isArray(stored)) {
        // A job that was running when the app stopped simply runs again.
        queue.jobs = stored.filter(looksLikeJob).map((job) => {
          if (job.state !== 'running') return job;
          const { progress: _progress, ...rest } = job;
          return { ...rest, state: 'queued' };
        });
      }
    }
    return queue;
  }

  list(): Job[] {
    return structuredClone(this.jobs);
  }

  /** Starts working if there is work; call once the host is ready. */
  resume(): void {
    void this.pump();
  }

  add(paths: string[]): Job[] {
    const added = paths.map((path): Job => ({
      id: randomUUID(),
      path,
      name: basename(path),
      state: 'queued',
      attempts: 0,
      addedAt: new Date().toISOString(),
    }));
    this.jobs.push(...added);
    this.changed();
    void this.pump();
    return structuredClone(added);
  }

  cancel(jobId: string): Job {
    const job = this.find(jobId);
    if (job.state === 'queued') {
      job.state = 'cancelled';
      this.changed();
    } else if (job.state === 'running' && this.active?.jobId === jobId) {
      this.active.controller.abort();
    }
    return structuredClone(job);
  }

  remove(jobId: string): boolean {
    const job = this.jobs.find((candidate) => candidate.id === jobId);
    if (!job) return false;
    if (this.active?.jobId === jobId) {
      this.active.removed = true;
      this.active.controller.abort();
    }
    this.jobs = this.jobs.filter((candidate) => candidate.id !== jobId);
    this.crashes.delete(jobId);
    this.changed();
    return true;
  }

  retry(jobId: string): Job {
    const job = this.find(jobId);
    if (job.state === 'failed' || job.state === 'cancelled' || job.state === 'done') {
      job.state = 'queued';
      delete job.error;
      delete job.progress;
      delete job.transcriptId;
      this.crashes.delete(jobId);
      this.changed();
      void this.pump();
    }
    return structuredClone(job);
  }

  /** Drops the done jobs whose transcript was deleted (their Open would find nothing). */
  forgetTranscript(transcriptId: string): void {
    const before = this.jobs.length;
    this.jobs = this.jobs.filter(
      (job) => !(job.state === 'done' && job.transcriptId === transcriptId),
    );
    if (this.jobs.length !== before) this.changed();
  }

  /** Drops the done and cancelled jobs; failed ones stay, for Retry or Remove. */
  clearFinished(): Job[] {
    this.jobs = this.jobs.filter((job) => job.state !== 'done' && job.state !== 'cancelled');
    this.changed();
    return this.list();
  }

  /** Resolves when nothing is queued or running (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (!this.active && !this.jobs.some((job) => job.state === 'queued')) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves when the queue file is written. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  private find(jobId: string): Job {
    const job = this.jobs.find((candidate) => candidate.id === jobId);
    if (!job) throw new ApiError('NOT_FOUND', `no job with id ${jobId} in the queue`);
    return job;
  }

  private async pump(): Promise<void> {
    if (this.active) return;
    const job = this.jobs.find((candidate) => candidate.state === 'queued');
    if (!job) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    const active = { jobId: job.id, controller: new AbortController(), removed: false };
    this.active = active;
    job.state = 'running';
    job.attempts += 1;
    delete job.error;
    this.changed();
    try {
      const result = await this.options.transcribe(job.path, {
        signal: active.controller.signal,
        onProgress: (progress) => {
          if (active.removed) return;
          job.progress = progress;
          this.options.onProgress?.(job.id, progress);
        },
      });
      if (active.controller.signal.aborted) throw new ApiError('CANCELLED', 'cancelled');
      const record = await this.options.saveTranscript({
        name: job.name,
        sourcePath: job.path,
        transcript: result.transcript,
        waveform: result.waveform,
      });
      job.state = 'done';
      job.transcriptId = record.id;
      job.progress = {
        fraction: 1,
        etaSec: 0,
        processedSec: result.transcript.audio.durationSec,
        durationSec: result.transcript.audio.durationSec,
      };
      if (!active.removed)
        this.options.onTranscript?.(structuredClone(job), toHistoryEntry(record));
    } catch (error) {
      this.settleFailure(job, error, active.controller.signal.aborted);
    }
    this.active = undefined;
    this.changed();
    void this.pump();
  }

  private settleFailure(job: Job, error: unknown, aborted: boolean): void {
    if (aborted) {
      job.state = 'cancelled';
      return;
    }
    if (error instanceof EngineCrashedError) {
      if (error.intentional) {
        job.state = 'queued';
        job.attempts -= 1;
        return;
      }
      const crashes = (this.crashes.get(job.id) ?? 0) + 1;
      this.crashes.set(job.id, crashes);
      if (crashes < (this.options.maxCrashesPerJob ?? 2)) {
        job.state = 'queued';
        delete job.progress;
        return;
      }
      job.state = 'failed';
      job.error = {
        code: 'ENGINE_CRASHED',
        message: `the engine stopped ${crashes} times while transcribing this file`,
        file: job.path,
      };
      return;
    }
    const info = toApiErrorInfo(error);
    job.state = info.code === 'CANCELLED' ? 'cancelled' : 'failed';
    job.error = info.file === undefined ? { ...info, file: job.path } : info;
  }

  private changed(): void {
    const jobs = this.list();
    this.options.onChange?.(jobs);
    const storePath = this.options.storePath;
    if (storePath) {
      void this.writer.write(() => writeJsonAtomic(storePath, this.list())).catch(() => undefined);
    }
  }
}
