import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFinetuneCli, trainingLine } from '../../../src-main/cli/finetune-cli';
import { ProfileStore } from '../../../src-main/engine/profiles';
import { fileSha256 } from '../../../src-main/engine/profiles/base-model';
import { speak, wavBytes, writeRandomModel } from './profile-fixtures';

const REPO = resolve(__dirname, '../../..');
const ENTRY = join(REPO, 'src-main', 'cli', 'finetune.ts');
const dir = mkdtempSync(join(tmpdir(), 'hark-finetune-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/** Runs the CLI in a child process as `npm run finetune` does; `onStderr` may kill it. */
function runChild(
  args: string[],
  onStderr?: (text: string, kill: () => void) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      onStderr?.(stderr, () => child.kill('SIGKILL'));
    });
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

describe('npm run finetune', () => {
  const root = join(dir, 'profiles');
  const pairs = join(dir, 'pairs');
  let base: string;

  beforeAll(async () => {
    base = await writeRandomModel(join(dir, 'base'));
    mkdirSync(pairs);
    const words = ['yes', 'no', 'stop', 'go', 'left', 'right'];
    for (const [i, word] of words.entries()) {
      for (const speed of [120, 160]) {
        const samples = speak(word, { voice: 'en-us', speed }, dir);
        writeFileSync(join(pairs, `${word}-${speed}.wav`), wavBytes(samples, 16000));
        writeFileSync(join(pairs, `${word}-${speed}.txt`), `${word}\n`);
      }
      if (i === 0)
        writeFileSync(join(pairs, 'orphan.wav'), wavBytes(new Float32Array(8000), 16000));
    }
  });

  it('explains its usage', async () => {
    const out = sink();
    const err = sink();
    expect(
      await runFinetuneCli(['--data', 'x.jsonl'], { stdout: out.stream, stderr: err.stream }),
    ).toBe(2);
    expect(err.text()).toContain('--profile NAME is required');
    expect(await runFinetuneCli(['--help'], { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(out.text()).toContain('Usage: npm run finetune');
  });

  it('names a missing profile and says how to create it', async () => {
    const out = sink();
    const err = sink();
    const code = await runFinetuneCli(['--profile', 'Ghost', '--root', root], {
      stdout: out.stream,
      stderr: err.stream,
    });
    expect(code).toBe(1);
    expect(err.text()).toContain('there is no profile named "Ghost"; add --create to make it');
  });

  it('imports, trains, prints before/after and keeps the model', async () => {
    const out = sink();
    const err = sink();
    const code = await runFinetuneCli(
      ['--profile', 'Cli', '--create', '--base', base, '--root', root, '--folder', pairs],
      { stdout: out.stream, stderr: err.stream },
    );
    expect(err.text()).toContain('created profile "Cli"');
    expect(err.text()).toMatch(/added 12 recordings .* skipped 1/);
    expect(err.text()).toMatch(/skipped .*orphan\.wav: there is no orphan\.txt/);
    expect(code).toBe(0);
    expect(out.text()).toMatch(/before \d+\.\d% {2}after \d+\.\d%/);
    // A random model does not get better, so `--keep auto` throws the result away.
    const profile = await new Promise<Awaited<ReturnType<ProfileStore['get']>>>((done) => {
      void ProfileStore.open({ root }).then((s) => s.get('Cli').then(done));
    });
    expect(profile.recordings).toBe(12);
    expect(out.text()).toMatch(/discarded|kept/);
  });

  it('fits the progress line to the terminal: a narrower bar, then a shorter label, then a cut', () => {
    const state = {
      fraction: 0.5,
      step: 8,
      loss: 1.883,
      wer: 1.063,
      bestWer: 1.031,
      elapsedSec: 26.2,
    };
    const wide = trainingLine(state, 120);
    expect(wide).toBe(
      '[##########..........]   50%  step 8  loss 1.883  held-back WER 106.3% (best 103.1%)  26.2 s',
    );
    const eighty = trainingLine(state, 80);
    expect(eighty.length).toBeLessThan(80);
    expect(eighty).toMatch(
      /^\[#+\.+\] +50% {2}step 8 {2}loss 1\.883 {2}WER 106\.3% \(best 103\.1%\) {2}26\.2 s$/,
    );
    expect(trainingLine(state, 60)).toBe(
      ' 50%  step 8  loss 1.883  WER 106.3% (best 103.1%)  26.2 s',
    );
    expect(trainingLine(state, 30)).toHaveLength(29);
  });

  it('draws a progress bar on a terminal, also one that does not say its width', async () => {
    const out = sink();
    const err = sink();
    const terminal = Object.assign(err.stream, { isTTY: true, columns: 0 });
    const code = await runFinetuneCli(
      ['--profile', 'Bar', '--create', '--base', base, '--root', root, '--folder', pairs],
      { stdout: out.stream, stderr: terminal },
    );
    expect(code).toBe(0);
    expect(err.text()).toMatch(/\r\[[#.]{10,20}\] +\d+% {2}step \d+ {2}loss \d+\.\d{3}/);
    expect(err.text()).toMatch(/ WER \d+\.\d% \(best \d+\.\d%\)/);
  });

  it('survives a kill mid-run: the kept model stays intact and the next run resumes', async () => {
    const common = ['--profile', 'Kill', '--root', root, '--threads', '1'];
    const first = await runChild([
      ...common,
      ...['--create', '--base', base, '--folder', pairs, '--max-epochs', '2', '--keep', 'yes'],
    ]);
    expect(first.code).toBe(0);
    const store = await ProfileStore.open({ root });
    const keptDir = (await store.get('Kill')).modelDir!;
    const keptHash = await fileSha256(join(keptDir, 'model.onnx'));

    let killedAfter = '';
    const killed = await runChild(
      [...common, '--max-epochs', '100000', '--patience', '100000', '--max-sec', '300'],
      (stderr, kill) => {
        const match = /epoch 3, step (\d+)/.exec(stderr);
        if (match && !killedAfter) {
          killedAfter = match[1]!;
          kill();
        }
      },
    );
    expect(killed.signal).toBe('SIGKILL');
    const afterKill = await (await ProfileStore.open({ root })).get('Kill');
    expect(afterKill.status).toBe('training');
    expect(afterKill.modelDir).toBe(keptDir);
    expect(await fileSha256(join(keptDir, 'model.onnx'))).toBe(keptHash);

    const resumed = await runChild([...common, '--max-sec', '1', '--keep', 'yes']);
    expect(resumed.code).toBe(0);
    const step = Number(/resuming the interrupted run at step (\d+)/.exec(resumed.stderr)?.[1]);
    expect(step).toBeGreaterThanOrEqual(Number(killedAfter));
    expect(resumed.stdout).toMatch(/kept: "Kill"/);
    const final = await (await ProfileStore.open({ root })).get('Kill');
    expect(final.status).toBe('ready');
    // The kept model is now the resumed run's (its weights may equal the first run's when
    // neither beat the base model on the held-back recordings, so the card tells them apart).
    const card = JSON.parse(readFileSync(join(final.modelDir!, 'model.json'), 'utf8')) as {
      training: { steps: number };
    };
    expect(card.training.steps).toBeGreaterThanOrEqual(Number(killedAfter));
  });

  it("transcribes with a profile's kept model: npm run transcribe -- --profile NAME", async () => {
    const trained = await runFinetuneCli(
      [
        ...['--profile', 'Speaker', '--create', '--base', base, '--root', root],
        ...['--folder', pairs, '--max-epochs', '1', '--keep', 'no'],
      ],
      { stdout: sink().stream, stderr: sink().stream },
    );
    expect(trained).toBe(0);
    await (await ProfileStore.open({ root })).discardResult('Speaker');
    const env = { ...process.env, HARK_DATA_DIR: dir };
    const wav = join(pairs, 'yes-120.wav');
    const outDir = join(dir, 'transcripts');

    // Not kept yet: the error names the profile and what to do.
    const untrained = await runTranscribe(['--profile', 'Speaker', wav], env);
    expect(untrained.code).toBe(1);
    expect(untrained.stderr).toMatch(/profile "Speaker" has no trained model yet; train it first/);
    const missing = await runTranscribe(['--profile', 'Nobody', wav], env);
    // A name that is no profile is a bad argument (exit 2); the error lists the profiles there are.
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no profile named "Nobody"; the profiles here: .*"Speaker"/);

    const kept = await runFinetuneCli(
      [...['--profile', 'Speaker', '--root', root, '--max-epochs', '1', '--keep', 'yes']],
      { stdout: sink().stream, stderr: sink().stream },
    );
    expect(kept).toBe(0);
    const modelDir = (await (await ProfileStore.open({ root })).get('Speaker')).modelDir!;
    const run = await runTranscribe(
      ['--profile', 'Speaker', '--decoding', 'greedy', '--format', 'json', '--out', outDir, wav],
      env,
    );
    expect(run.stderr).toContain('model voice profile "Speaker" on ');
    expect(run.code).toBe(0);
    const transcript = JSON.parse(readFileSync(join(outDir, 'yes-120.json'), 'utf8')) as {
      model: { path: string };
    };
    expect(resolve(transcript.model.path)).toBe(resolve(modelDir));
  });
});

/** `npm run transcribe` in a child process with its own environment. */
function runTranscribe(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'src-main', 'cli', 'transcribe.ts'), ...args],
      { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
