/**
 * The real UI in Debian's Chromium, through browser mode (`npm run serve`): drag-and-drop, the
 * queue, playback, corrections, export, history across restarts, a killed engine, frame times.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TranscriptRecord } from '../../src-main/api/contract';
import {
  ARTIFACTS,
  SPOKEN_TEXT,
  dropFiles,
  expectResponsiveFrames,
  launchChromium,
  makeFixtures,
  startFrameMonitor,
  startServer,
  stopFrameMonitor,
  type Fixtures,
  type RunningServer,
} from './harness';

let work: string;
let fixtures: Fixtures;
let userDataDir: string;
let server: RunningServer;
let context: BrowserContext;
let page: Page;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

function queueItem(name: string) {
  return page
    .getByRole('list', { name: 'Files in the queue' })
    .getByRole('listitem', { name: new RegExp(`^${name}:`) });
}

async function openApp(): Promise<void> {
  await page.goto(server.url);
  await page.getByRole('heading', { name: 'Queue' }).waitFor();
}

function readRecords(): TranscriptRecord[] {
  const dir = join(userDataDir, 'transcripts');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as TranscriptRecord);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'hark-e2e-'));
  fixtures = makeFixtures(join(work, 'fixtures'));
  userDataDir = join(work, 'user-data');
  server = await startServer({
    userDataDir,
    modelDir: fixtures.modelDir,
    rendererDir: inject('rendererDir'),
  });
  context = await launchChromium(join(work, 'chromium-profile'));
  page = context.pages()[0] ?? (await context.newPage());
});

afterAll(async () => {
  await context?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('Hark in the browser', () => {
  it('refuses requests without the token or from another origin', async () => {
    const bare = await fetch(`${server.origin}/`);
    expect(bare.status).toBe(401);
    const asset = await fetch(`${server.origin}/index.html`);
    expect(asset.status).toBe(401);
    const foreign = await fetch(server.url, {
      headers: { origin: 'http://evil.example' },
      redirect: 'manual',
    });
    expect(foreign.status).toBe(403);
    const withToken = await fetch(server.url, { redirect: 'manual' });
    expect(withToken.status).toBe(303);
    expect(withToken.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('shows the empty state, then transcribes a dropped WAV while a corrupt one fails clearly', async () => {
    await openApp();
    await expect(
      page.getByRole('heading', { name: 'Drop audio here to transcribe it' }).isVisible(),
    ).resolves.toBe(true);
    await page.getByRole('button', { name: /Engine: CPU/ }).waitFor({ timeout: 30_000 });
    await shot('01-empty');

    // The corrupt file first: the good one after it proves the queue goes on.
    await dropFiles(page, [fixtures.corruptWav, fixtures.speechWav]);
    const failed = queueItem('corrupt.wav');
    await failed.getByText('Failed').waitFor();
    await expect(failed.getByRole('alert').textContent()).resolves.toMatch(/header is cut short/);
    await queueItem('speech.wav').getByText('Done').waitFor();

    const transcriptTitle = page.getByRole('heading', { level: 1, name: 'speech.wav' });
    await transcriptTitle.waitFor();
    const words = page.getByRole('region', { name: 'Transcript' }).getByRole('button');
    const wordTexts = (await words.allTextContents()).map((text) => text.trim()).filter(Boolean);
    expect(wordTexts.join(' ')).toContain(SPOKEN_TEXT.split(' ').slice(0, 4).join(' '));
    // Every word carries its times and confidence.
    const title = await page
      .getByRole('button', { name: 'speech', exact: true })
      .getAttribute('title');
    expect(title).toMatch(/^\d+:\d\d\.\d–\d+:\d\d\.\d · confidence \d+%$/);
    await expect(page.getByRole('slider', { name: 'Playback position' }).isVisible()).resolves.toBe(
      true,
    );
    await shot('02-transcript-and-error');
  });

  it('plays from a clicked word and highlights the word being heard', async () => {
    const word = page.getByRole('button', { name: 'offline', exact: true });
    const title = (await word.getAttribute('title')) ?? '';
    const [, minutes = '0', seconds = '0'] = /^(\d+):(\d\d\.\d)/.exec(title) ?? [];
    const startSec = Number(minutes) * 60 + Number(seconds);
    expect(startSec).toBeGreaterThan(0.5);
    await word.click();
    const position = await page.evaluate(() => document.querySelector('audio')?.currentTime ?? -1);
    expect(position).toBeGreaterThanOrEqual(startSec - 0.11);
    expect(position).toBeLessThan(startSec + 1.5);
    await expect(word.getAttribute('class')).resolves.toMatch(/\bactive\b/);
    await page
      .getByRole('button', { name: 'Pause' })
      .click()
      .catch(() => undefined);
    await shot('03-playing-word');
  });

  it('keeps the model output, stores the correction beside it, and exports it in SRT', async () => {
    await page.getByRole('button', { name: 'hark', exact: true }).dblclick();
    const editor = page.getByRole('textbox', { name: 'Correct “hark”' });
    await editor.fill('Hark');
    await editor.press('Enter');
    await page.getByRole('button', { name: 'Hark', exact: true }).waitFor();
    await shot('04-corrected-word');

    const [record] = readRecords();
    const words =
      record?.transcript.segments.flatMap((segment) => segment.words.map((w) => w.text)) ?? [];
    expect(words).toContain('hark');
    expect(Object.values(record?.edits ?? {})).toEqual(['Hark']);

    await page.getByLabel('Export format').selectOption('srt');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export…' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('speech.srt');
    const srt = readFileSync((await download.path()) ?? '', 'utf8');
    expect(srt).toMatch(/^1\r?\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}/);
    expect(srt).toContain('Hark');
    expect(srt).not.toMatch(/\bhark\b/);
  });

  it('finds words with next and previous', async () => {
    const search = page.getByRole('searchbox', { name: 'Search the transcript' });
    await search.fill('e');
    const status = page.getByText(/^\d+ of \d+$/);
    await expect(status.textContent()).resolves.toMatch(/^1 of \d+$/);
    await page.getByRole('button', { name: 'Next match' }).click();
    await expect(status.textContent()).resolves.toMatch(/^2 of /);
    await page.getByRole('button', { name: 'Previous match' }).click();
    await expect(status.textContent()).resolves.toMatch(/^1 of /);
    await search.fill('');
  });

  it('keeps the page responsive while the engine transcribes a long file', async () => {
    // Measured from the moment the engine starts: preparing the drop in the page (decoding the
    // test's base64 file) is the test's own work, not the app's.
    await dropFiles(page, [fixtures.longWav]);
    await queueItem('long-talk.wav').getByText('Transcribing').waitFor();
    await startFrameMonitor(page);
    await shot('05-transcribing');
    await queueItem('long-talk.wav').getByText('Done').waitFor({ timeout: 90_000 });
    // The renderer's own main thread never blocks (what engine work on it would cause).
    expectResponsiveFrames(await stopFrameMonitor(page), 'during transcription');
  });

  it('restarts a killed engine, says so, and finishes the queue', async () => {
    await page.getByRole('button', { name: 'Clear finished' }).click();
    await dropFiles(page, [fixtures.longWav, fixtures.speechWav]);
    await queueItem('long-talk.wav').getByText('Transcribing').waitFor();
    const pid = server.enginePid();
    expect(pid).toBeGreaterThan(0);
    // The engine runs below normal priority, so the window is served first.
    expect(getPriority(pid)).toBeGreaterThan(getPriority(server.process.pid));
    process.kill(pid ?? 0, 'SIGKILL');
    const banner = page.getByRole('alert').filter({ hasText: 'The engine stopped unexpectedly' });
    await banner.waitFor();
    await shot('06-engine-restarting');
    await queueItem('long-talk.wav').getByText('Done').waitFor({ timeout: 90_000 });
    await queueItem('speech.wav').getByText('Done').waitFor({ timeout: 30_000 });
    expect(server.enginePid()).not.toBe(pid);
    await expect(banner.count()).resolves.toBe(0);
  });

  it('shows settings with the device really running', async () => {
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.waitFor();
    await expect(dialog.getByText(/Running on CPU/).isVisible()).resolves.toBe(true);
    await shot('07-settings');
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  it('still has the history, corrections included, after the server restarts', async () => {
    await server.stop();
    server = await startServer({
      userDataDir,
      modelDir: fixtures.modelDir,
      rendererDir: inject('rendererDir'),
    });
    await openApp();
    const history = page.getByRole('list', { name: 'Past transcripts' });
    await history
      .getByRole('button', { name: /speech\.wav/ })
      .first()
      .waitFor();
    // speech.wav and long-talk.wav, each transcribed twice.
    await expect(history.getByRole('listitem').count()).resolves.toBe(4);
    await history.getByRole('button', { name: /1 corrected/ }).click();
    await page.getByRole('button', { name: 'Hark', exact: true }).waitFor();
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('08-history-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
