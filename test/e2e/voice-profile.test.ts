/**
 * A voice profile end to end, in Debian's Chromium with a fake microphone (a WAV looped by
 * Chromium): read five prompts, train a short run, see the word error rate before and after, use
 * the profile, and transcribe a file with it (the transcript says the profile made it).
 *
 * The base model is a copy of models/base-en (fine-tuning needs the Conformer layout; the tiny
 * "spelling" model of the other end-to-end test has none); the server lowers the least data a run
 * accepts to five recordings (serve --test-minimum-data).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ENROLLMENT_PROMPTS } from '../../src-main/engine/prompts';
import {
  ARTIFACTS,
  dropFiles,
  expectResponsiveFrames,
  fakeMicrophoneArgs,
  launchChromium,
  startFrameMonitor,
  startServer,
  stopFrameMonitor,
  type RunningServer,
} from './harness';

const ROOT = resolve(__dirname, '..', '..');
const TAKES = 5;

let work: string;
let server: RunningServer;
let context: BrowserContext;
let page: Page;
let speechWav: string;
let microphoneWav: string;
const consoleErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'hark-e2e-profile-'));
  // A copy: the training script may replace models/base-en while this runs.
  const modelDir = join(work, 'base-en');
  cpSync(join(ROOT, 'models', 'base-en'), modelDir, { recursive: true });
  // The microphone reads the first prompt, with a breath of silence around it, in a loop.
  const firstPrompt = ENROLLMENT_PROMPTS[0]?.text ?? 'the quick brown fox';
  const spoken = join(work, 'prompt.wav');
  execFileSync('espeak-ng', ['-s', '150', '-w', spoken, firstPrompt]);
  microphoneWav = join(work, 'microphone.wav');
  execFileSync('sox', [
    spoken,
    '-r',
    '48000',
    '-b',
    '16',
    '-c',
    '1',
    microphoneWav,
    'pad',
    '0.4',
    '0.6',
  ]);
  speechWav = join(work, 'dictation.wav');
  execFileSync('sox', [spoken, '-r', '16000', '-b', '16', '-c', '1', speechWav]);
  server = await startServer({
    userDataDir: join(work, 'user-data'),
    modelDir,
    rendererDir: inject('rendererDir'),
    testMinimumData: `${TAKES},2`,
  });
  context = await launchChromium(join(work, 'chromium-profile'), fakeMicrophoneArgs(microphoneWav));
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
});

afterAll(async () => {
  await context?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a voice profile in the browser', () => {
  it('records five prompts with the fake microphone, trains, keeps, and transcribes with it', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Queue' }).waitFor();
    await page.getByRole('button', { name: 'Voice profiles' }).click();
    await page.getByLabel('New profile name').fill('Ada');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Ada', level: 2 }).waitFor();

    const record = page.getByRole('button', { name: 'Record', exact: true });
    const stop = page.getByRole('button', { name: /^Stop \(/ });
    let heardSomething = false;
    let offPromptSeen = false;
    for (let take = 1; take <= TAKES; take++) {
      await record.click();
      await stop.waitFor();
      if (take === 1) await startFrameMonitor(page);
      // The meter moves with the fake microphone's audio.
      await page.waitForFunction(
        () => Number(document.querySelector('[role="meter"]')?.getAttribute('aria-valuenow')) > -50,
        undefined,
        { timeout: 10_000 },
      );
      // Long enough for the looped sentence; the recogniser runs on the growing take meanwhile.
      await page.waitForFunction(
        () =>
          /Stop \((\d+\.\d) s\)/.exec(document.body.innerText)?.[1] !== undefined &&
          Number(/Stop \((\d+\.\d) s\)/.exec(document.body.innerText)?.[1]) >= 4.5,
        undefined,
        { timeout: 20_000 },
      );
      if (take === 1) {
        // Capture and the recogniser's requests never block the page's main thread.
        expectResponsiveFrames(await stopFrameMonitor(page), 'while recording');
        await shot('enrollment-recording');
      }
      await stop.click();
      // The microphone reads the first prompt over and over: later prompts hear another sentence,
      // which is said, and the take may still be kept.
      await page
        .getByText(/The take sounds fine: keep it, or re-record\.|Hark heard another sentence/)
        .waitFor({ timeout: 20_000 });
      heardSomething ||= (await page.getByText(/heard: “/).count()) > 0;
      if (take > 1)
        offPromptSeen ||= (await page.getByText(/Hark heard another sentence/).count()) > 0;
      if (take === 1) {
        // The take plays back (Web Audio) before it is kept.
        await page.getByRole('button', { name: 'Play the take' }).click();
        await page.getByRole('button', { name: 'Stop playback' }).waitFor();
        await page.getByRole('button', { name: 'Play the take' }).waitFor({ timeout: 15_000 });
      }
      await page.getByRole('button', { name: 'Keep this take' }).click();
      await page.getByText(`${take} of ${ENROLLMENT_PROMPTS.length} prompts recorded`).waitFor();
    }
    expect(heardSomething).toBe(true);
    expect(offPromptSeen).toBe(true);
    await page.getByText('enough to train').waitFor({ timeout: 10_000 });
    expect(
      await page
        .getByRole('list', { name: 'Recordings of this profile' })
        .getByRole('listitem')
        .count(),
    ).toBe(TAKES);

    // A kept take plays from the server.
    await page
      .getByRole('list', { name: 'Recordings of this profile' })
      .getByRole('button', { name: /^Play “/ })
      .first()
      .click();
    await page.waitForFunction(
      () => {
        const audio = document.querySelector('.recordings audio') as HTMLAudioElement | null;
        return audio !== null && audio.error === null && audio.currentTime > 0.2;
      },
      undefined,
      { timeout: 15_000 },
    );

    // A short run: progress and the chart live, then the result card.
    await page.getByLabel('Training length').selectOption('30');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.getByRole('progressbar', { name: 'Training progress' }).waitFor({ timeout: 30_000 });
    // The chart follows the run: wait for a few steps (or the end of a very short run).
    await page.waitForFunction(
      () => {
        const label = document.querySelector('svg[role="img"]')?.getAttribute('aria-label') ?? '';
        const step = Number(/Loss [\d.]+ at step (\d+)/.exec(label)?.[1] ?? 0);
        return step >= 4 || document.querySelector('[aria-label="Training result"]') !== null;
      },
      undefined,
      { timeout: 90_000 },
    );
    expect(
      await page.getByRole('img', { name: /^Training chart\. Loss [\d.]+ at step \d+/ }).count(),
    ).toBe(1);
    await page
      .getByRole('heading', { name: 'Train on your voice' })
      .evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
    await shot('training');
    const result = page.getByRole('region', { name: 'Training result' });
    await result.waitFor({ timeout: 120_000 });
    const before = await result.locator('.before').textContent();
    const after = await result.locator('.after').textContent();
    expect(before).toMatch(/^\d+\.\d %$/);
    expect(after).toMatch(/^\d+\.\d %$/);
    await page
      .getByRole('heading', { name: 'Train on your voice' })
      .evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
    await shot('training-result');
    await result.getByRole('button', { name: 'Keep', exact: true }).click();
    await page.getByRole('button', { name: 'Use Ada now' }).click();
    await page.getByText('In use').waitFor();
    expect(await page.getByLabel('Transcribe with').inputValue()).toBe('profile:Ada');

    // A file transcribed now is the profile's.
    await dropFiles(page, [speechWav]);
    // The profiles stay in view (a take is never cut short); the result waits in the history.
    const history = page.getByRole('list', { name: 'Past transcripts' });
    await history.getByText('by voice profile Ada').waitFor({ timeout: 60_000 });
    expect(await page.getByRole('heading', { name: 'Voice profiles' }).count()).toBe(1);
    await history.getByRole('button', { name: /^dictation\.wav/ }).click();
    await page.locator('#transcript-title').waitFor();
    await page.getByText('voice profile Ada', { exact: true }).waitFor();
    await shot('profile-transcript');
    // The profile view in the dark theme, with the kept model's card.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('button', { name: 'Voice profiles' }).click();
    await page.getByText(/^Kept model: word error rate/).waitFor();
    await shot('profile-dark');
    expect(consoleErrors.filter((text) => !/favicon/.test(text))).toEqual([]);
  }, 300_000);
});
