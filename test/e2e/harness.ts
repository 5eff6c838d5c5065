/** What the end-to-end tests share: fixtures, the browser-mode server, Chromium, drag-and-drop. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildSpellingModel, writeModelFolder } from '../helpers/tiny-models';

const ROOT = resolve(__dirname, '..', '..');

/** What the tiny model "hears" in any audio: it spells this text whatever the input. */
export const SPOKEN_TEXT = 'hello world this is hark an offline speech recognizer';

export interface Fixtures {
  modelDir: string;
  speechWav: string;
  longWav: string;
  corruptWav: string;
}

/** A tiny model and WAVs made with espeak-ng and sox: speech, a long file, a corrupt one. */
export function makeFixtures(dir: string): Fixtures {
  mkdirSync(dir, { recursive: true });
  const modelDir = writeModelFolder(
    join(dir, 'model'),
    buildSpellingModel({ text: SPOKEN_TEXT, framesPerToken: 2, leadingBlankFrames: 4 }),
  );
  const speechWav = join(dir, 'speech.wav');
  execFileSync('espeak-ng', [
    '-s',
    '110',
    '-w',
    speechWav,
    'hello world, this is hark, an offline speech recognizer',
  ]);
  const longWav = join(dir, 'long-talk.wav');
  execFileSync('sox', [speechWav, longWav, 'repeat', '40']);
  const corruptWav = join(dir, 'corrupt.wav');
  // A WAV cut off inside its header, as a failed copy leaves it.
  writeFileSync(corruptWav, readFileSync(speechWav).subarray(0, 30));
  return { modelDir, speechWav, longWav, corruptWav };
}

export interface RunningServer {
  url: string;
  origin: string;
  process: ChildProcess;
  /** The engine process's pid (the server's child). */
  enginePid(): number | undefined;
  stop(): Promise<void>;
}

/** Starts `serve.ts` as `npm run serve` does (minus the build) and waits for its URL. */
export async function startServer(options: {
  userDataDir: string;
  modelDir: string;
  rendererDir: string;
  /**
   * Lowers the least data voice-profile training accepts, "RECORDINGS,SECONDS" (serve.ts
   * --test-minimum-data), so a run on a few short prompts is allowed.
   */
  testMinimumData?: string;
}): Promise<RunningServer> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'src-main', 'browser', 'serve.ts'),
      '--user-data',
      options.userDataDir,
      '--model',
      options.modelDir,
      '--renderer',
      options.rendererDir,
      ...(options.testMinimumData ? ['--test-minimum-data', options.testMinimumData] : []),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stderr?.on('data', (data: Buffer) => (output += data.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the server did not start:\n${output}`)),
      60_000,
    );
    child.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[0]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    origin: new URL(url).origin,
    process: child,
    enginePid() {
      // The server has other children too (tsx's esbuild service): pick the engine by its entry.
      const lines = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(child.pid)], {
        encoding: 'utf8',
      }).split('\n');
      const engine = lines.find((line) => line.includes('engine-process'));
      return engine ? Number(engine.trim().split(/\s+/)[0]) : undefined;
    },
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * Chromium's fake microphone playing `wav` in a loop (16-bit PCM WAV), the permission prompt
 * accepted by itself.
 */
export function fakeMicrophoneArgs(wav: string): string[] {
  return [
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-audio-capture=${wav}`,
  ];
}

/** Debian's Chromium with a fresh profile (--user-data-dir); `extraArgs` add switches. */
export function launchChromium(
  profileDir: string,
  extraArgs: string[] = [],
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
}

/** Drags files onto the page and drops them, as a user dragging from a file manager. */
export async function dropFiles(page: Page, paths: string[]): Promise<void> {
  const files = paths.map((path) => ({
    name: path.split('/').pop() ?? 'audio.wav',
    base64: readFileSync(path).toString('base64'),
  }));
  const transfer = await page.evaluateHandle((list) => {
    const data = new DataTransfer();
    for (const file of list) {
      const bytes = Uint8Array.from(atob(file.base64), (char) => char.charCodeAt(0));
      data.items.add(new File([bytes], file.name, { type: 'audio/wav' }));
    }
    return data;
  }, files);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer: transfer });
  await page.dispatchEvent('body', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
}

/** Starts recording the gaps between animation frames and long tasks in the page. */
export async function startFrameMonitor(page: Page): Promise<void> {
  await page.evaluate(() => {
    const state = { deltas: [] as number[], longTasks: [] as number[], running: true };
    (window as unknown as { __frames: typeof state }).__frames = state;
    let last = performance.now();
    const tick = (now: number) => {
      state.deltas.push(now - last);
      last = now;
      if (state.running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) state.longTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
}

export async function stopFrameMonitor(page: Page): Promise<{
  frames: number;
  maxFrameMs: number;
  p99FrameMs: number;
  /** Gaps between frames of 50 ms or more. */
  slowFrames: number;
  longTasks: number[];
}> {
  return page.evaluate(() => {
    const state = (
      window as unknown as { __frames: { deltas: number[]; longTasks: number[]; running: boolean } }
    ).__frames;
    state.running = false;
    // The first delta spans the monitor's own start-up.
    const deltas = state.deltas.slice(1);
    const sorted = [...deltas].sort((a, b) => a - b);
    return {
      frames: deltas.length,
      maxFrameMs: Math.max(0, ...deltas),
      p99FrameMs: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
      slowFrames: deltas.filter((ms) => ms >= 50).length,
      longTasks: state.longTasks,
    };
  });
}

export type FrameFigures = Awaited<ReturnType<typeof stopFrameMonitor>>;

/**
 * The page's main thread was never blocked while `what` went on. Work of the page's own on its
 * main thread shows as long tasks (the browser's report of a task over 50 ms) and as many late
 * frames. The OS scheduler adds noise of its own: on two CPUs shared with the engine, Chromium's
 * compositor and the test, a frame now and then waits two or three vsyncs with nothing of the
 * page's running (CI saw one 50.0 ms gap with no long task), and a short task the OS pauses is
 * reported long. So: at most 1 % of the frames (at least one) 50 ms late or more, none 100 ms,
 * and at most one long task, under 100 ms. When other programs hold the CPUs (load above the
 * CPU count), frames may wait any time for them: only the share of late frames and tasks long
 * enough to be real work (over 150 ms) are held.
 */
export function expectResponsiveFrames(frames: FrameFigures, what: string): void {
  const load = loadavg()[0] ?? 0;
  console.log(
    `frames ${what}: ${frames.frames}, longest ${frames.maxFrameMs.toFixed(1)} ms, ` +
      `99th percentile ${frames.p99FrameMs.toFixed(1)} ms, ${frames.slowFrames} of 50 ms or more, ` +
      `long tasks ${JSON.stringify(frames.longTasks)}, load ${load.toFixed(1)} on ${cpus().length} CPUs`,
  );
  expect(frames.frames).toBeGreaterThan(30);
  expect(frames.slowFrames).toBeLessThanOrEqual(Math.max(1, Math.floor(frames.frames / 100)));
  if (load <= cpus().length) {
    expect(frames.maxFrameMs).toBeLessThan(100);
    expect(frames.longTasks.length).toBeLessThanOrEqual(1);
    expect(frames.longTasks.filter((ms) => ms >= 100)).toEqual([]);
  } else {
    console.warn('the machine is overloaded: checking the share of late frames and long work');
    expect(frames.longTasks.filter((ms) => ms > 150)).toEqual([]);
  }
}

export const ARTIFACTS = join(ROOT, 'test-artifacts');
