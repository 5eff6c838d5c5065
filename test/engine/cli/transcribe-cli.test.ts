import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTranscribeCli } from '../../../src-main/cli/transcribe-cli';
import { buildKneserNey, formatArpa } from '../../../src-main/engine/lm';
import { buildSpellingModel, writeModelFolder } from '../../helpers/tiny-models';
import { float32WithNaN, pcm16Sine, wavBytes } from './wav-bytes';

const REPO = resolve(__dirname, '../../..');
const ENTRY = join(REPO, 'src-main', 'cli', 'transcribe.ts');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as `npm run transcribe` does (node --import tsx, from the repository root). */
function runCli(
  args: string[],
  options: { onStderr?: (text: string, interrupt: () => void) => void } = {},
): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr, () => child.kill('SIGINT'));
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

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

function temporaryFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) =>
    name.endsWith('.tmp'),
  );
}

describe('npm run transcribe', () => {
  let dir: string;
  let modelDir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hark-cli-'));
    modelDir = writeModelFolder(
      join(dir, 'model'),
      buildSpellingModel({ text: 'hello world', framesPerToken: 3 }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('transcribes the good files of a batch and names each bad file and its problem on one line', async () => {
    const inputs = join(dir, 'batch');
    mkdirSync(inputs);
    const write = (name: string, bytes: Uint8Array | string): string => {
      writeFileSync(join(inputs, name), bytes);
      return name;
    };
    const good = [
      write(
        'speech-16k.wav',
        wavBytes({ data: pcm16Sine({ seconds: 2, sampleRate: 16000, channels: 1 }) }),
      ),
      write(
        'stereo-44k.wav',
        wavBytes({
          sampleRate: 44100,
          channels: 2,
          data: pcm16Sine({ seconds: 2, sampleRate: 44100, channels: 2 }),
        }),
      ),
      // A data size past the end of the file (a recorder that died): decoded, with a warning.
      write(
        'overstated.wav',
        wavBytes({
          data: pcm16Sine({ seconds: 2, sampleRate: 16000, channels: 1 }),
          declaredDataSize: 1_000_000,
        }),
      ),
    ];
    const valid = wavBytes({ data: pcm16Sine({ seconds: 1, sampleRate: 16000, channels: 1 }) });
    const bad: Record<string, RegExp> = {
      [write('notes.wav', 'these are my meeting notes, not audio\n')]: /text file|not a WAV/i,
      [write('truncated.wav', valid.subarray(0, 22))]: /truncated|cut|ends/i,
      [write(
        'lying.wav',
        wavBytes({
          data: valid.subarray(44),
          extraChunk: { id: 'LIST', body: new Uint8Array(8), declaredSize: 5_000_000 },
        }),
      )]: /LIST|truncated|ends|beyond/i,
      [write('zero-samples.wav', wavBytes({ data: new Uint8Array(0) }))]: /no samples|empty/i,
      [write(
        'mp3-inside.wav',
        wavBytes({ formatTag: 0x55, bitsPerSample: 0, data: new Uint8Array(400) }),
      )]: /MP3/,
      [write('zero-hertz.wav', wavBytes({ sampleRate: 0, data: valid.subarray(44) }))]:
        /0 Hz|sample rate/i,
      [write(
        'nan.wav',
        wavBytes({ formatTag: 3, bitsPerSample: 32, data: float32WithNaN(16000) }),
      )]: /NaN|not a number|bad sample/i,
      'missing.wav': /not found/,
    };
    mkdirSync(join(inputs, 'folder.wav'));
    bad['folder.wav'] = /directory/;

    const files = [good[0]!, ...Object.keys(bad), good[1]!, good[2]!].map((name) =>
      join(inputs, name),
    );
    const outDir = join(inputs, 'out');
    const run = await runCli([...files, '--model', modelDir, '--format', 'json', '--out', outDir]);

    expect(run.code).toBe(1);
    const errorLines = run.stderr.split('\n').filter((line) => line.startsWith('error: '));
    expect(errorLines).toHaveLength(Object.keys(bad).length);
    for (const [name, problem] of Object.entries(bad)) {
      const line = errorLines.find((l) => l.startsWith(`error: ${join(inputs, name)}: `));
      expect(line, `an error line for ${name} in:\n${run.stderr}`).toBeDefined();
      expect(line).toMatch(problem);
    }
    expect(run.stderr).toMatch(
      new RegExp(`3 of ${files.length} files transcribed, ${Object.keys(bad).length} failed`),
    );
    expect(run.stderr).toContain(`warning: ${join(inputs, 'overstated.wav')}: `);
    for (const name of good) {
      const output = join(inputs, 'out', name.replace(/\.wav$/, '.json'));
      const json = JSON.parse(readFileSync(output, 'utf8')) as Record<string, unknown>;
      expect(json.text).toBe('hello world');
      expect(json).toMatchObject({
        model: { name: 'model' },
        device: { provider: expect.any(String) },
        audio: { durationSec: expect.closeTo(2, 2) },
        realTimeFactor: expect.any(Number),
      });
      const words = (
        json.segments as { words: { startSec: number; endSec: number; confidence: number }[] }[]
      )[0]!.words;
      expect(words.map((w) => Object.keys(w).sort())).toEqual([
        ['confidence', 'endSec', 'startSec', 'text'],
        ['confidence', 'endSec', 'startSec', 'text'],
      ]);
    }
    expect(readdirSync(join(inputs, 'out')).sort()).toEqual([
      'overstated.json',
      'speech-16k.json',
      'stereo-44k.json',
    ]);
    expect(temporaryFiles(inputs)).toEqual([]);
    expect(run.stdout.trim().split('\n')).toEqual(
      good.map((name) => join(outDir, name.replace(/\.wav$/, '.json'))),
    );
  });

  it('writes beside the input without --out, and exits 0 when every file succeeds', async () => {
    const inputs = join(dir, 'beside');
    mkdirSync(inputs);
    writeFileSync(
      join(inputs, 'a.wav'),
      wavBytes({ data: pcm16Sine({ seconds: 1.5, sampleRate: 16000, channels: 1 }) }),
    );
    const run = await runCli([join(inputs, 'a.wav'), '--model', modelDir, '--format=srt']);
    expect(run.code).toBe(0);
    expect(readFileSync(join(inputs, 'a.srt'), 'utf8')).toMatch(
      /^1\n00:00:00,000 --> 00:00:0\d,\d{3}\nhello world\n/,
    );
    expect(run.stderr).toMatch(/1 of 1 files transcribed in/);
  });

  it('on Ctrl-C stops the file being transcribed, writes no partial output and exits 130', async () => {
    const inputs = join(dir, 'interrupt');
    mkdirSync(inputs);
    // Ten minutes of audio: long enough to be interrupted in the middle.
    writeFileSync(
      join(inputs, 'long.wav'),
      wavBytes({ data: pcm16Sine({ seconds: 600, sampleRate: 16000, channels: 1 }) }),
    );
    writeFileSync(
      join(inputs, 'next.wav'),
      wavBytes({ data: pcm16Sine({ seconds: 1, sampleRate: 16000, channels: 1 }) }),
    );
    let interrupted = false;
    const files = [join(inputs, 'long.wav'), join(inputs, 'next.wav')];
    const run = await runCli(
      [...files, '--model', modelDir, '--out', join(inputs, 'out'), '--threads', '1'],
      {
        onStderr: (text, kill) => {
          if (!interrupted && /long\.wav: 25%/.test(text)) {
            interrupted = true;
            kill();
          }
        },
      },
    );
    expect(interrupted).toBe(true);
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/0 of 2 files transcribed, 2 not done \(interrupted\)/);
    expect(existsSync(join(inputs, 'out', 'long.txt'))).toBe(false);
    expect(existsSync(join(inputs, 'out', 'next.txt'))).toBe(false);
    expect(temporaryFiles(inputs)).toEqual([]);
  });

  it('explains bad arguments with the usage and exit code 2; --help exits 0', async () => {
    const out = sink();
    const err = sink();
    expect(
      await runTranscribeCli(['a.wav', '--format', 'docx'], {
        stdout: out.stream,
        stderr: err.stream,
      }),
    ).toBe(2);
    expect(err.text()).toMatch(/--format must be one of txt, json, srt, vtt, got "docx"/);
    expect(err.text()).toMatch(/Usage: npm run transcribe/);
    expect(await runTranscribeCli([], { stdout: out.stream, stderr: err.stream })).toBe(2);
    expect(await runTranscribeCli(['--help'], { stdout: out.stream, stderr: err.stream })).toBe(0);
    expect(out.text()).toMatch(/--device auto\|cpu\|cuda\|dml\|coreml\|webgpu/);
  });

  it('decodes with beam search, a language model and a hotwords file, and says so in the JSON', async () => {
    const inputs = join(dir, 'beam');
    mkdirSync(inputs);
    const audio = join(inputs, 'hello.wav');
    writeFileSync(
      audio,
      wavBytes({ data: pcm16Sine({ seconds: 2, sampleRate: 16000, channels: 1 }) }),
    );
    const lmDir = join(inputs, 'lm');
    mkdirSync(lmDir);
    const lm = buildKneserNey(
      [
        ['hello', 'world'],
        ['hello', 'there'],
      ],
      { order: 2 },
    ).model;
    writeFileSync(join(lmDir, 'lm.arpa'), formatArpa(lm));
    writeFileSync(
      join(lmDir, 'lm.json'),
      JSON.stringify({ name: 'test-lm', decoding: { alpha: 0.4, beta: 1 } }),
    );
    const hotwords = join(inputs, 'names.txt');
    writeFileSync(hotwords, '# names\nWorld :2\n');

    const transcribe = async (extra: string[], outDir: string) => {
      const out = sink();
      const err = sink();
      const args = [audio, '--model', modelDir, '--format', 'json', '--out', outDir, ...extra];
      const code = await runTranscribeCli(args, { stdout: out.stream, stderr: err.stream });
      const json = existsSync(join(outDir, 'hello.json'))
        ? (JSON.parse(readFileSync(join(outDir, 'hello.json'), 'utf8')) as Record<string, unknown>)
        : undefined;
      return { code, stderr: err.text(), json };
    };
    const wordsOf = (json: Record<string, unknown> | undefined) =>
      (json?.segments as { words: object[] }[]).flatMap((segment) => segment.words);

    const beam = await transcribe(
      ['--lm', lmDir, '--hotwords', hotwords, '--beam-width', '4', '--beta', '0.5'],
      join(inputs, 'beam-out'),
    );
    expect(beam.code, beam.stderr).toBe(0);
    expect(beam.stderr).toMatch(
      /decoding: beam search \(width 4\) with LM test-lm \(α 0\.4, β 0\.5\), 1 hotwords/,
    );
    expect(beam.json).toMatchObject({
      text: 'hello world',
      decoding: {
        method: 'beam',
        beamWidth: 4,
        languageModel: { name: 'test-lm', path: lmDir },
        alpha: 0.4,
        beta: 0.5,
        hotwords: 1,
      },
    });
    const greedy = await transcribe(['--decoding', 'greedy'], join(inputs, 'greedy-out'));
    expect(greedy.code).toBe(0);
    expect(greedy.json).toMatchObject({ text: 'hello world', decoding: { method: 'greedy' } });
    expect(wordsOf(beam.json)).toEqual(wordsOf(greedy.json));

    const missing = await transcribe(['--hotwords', join(inputs, 'nope.txt')], join(inputs, 'x'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `error: ${join(inputs, 'nope.txt')}: the hotwords file does not exist\n`,
    );
    const noLm = await transcribe(['--lm', join(inputs, 'no-lm')], join(inputs, 'y'));
    expect(noLm.code).toBe(1);
    expect(noLm.stderr).toMatch(
      /^error: the model cannot start: .*no-lm: no language model here\n$/,
    );
    const mixed = await transcribe(
      ['--decoding', 'greedy', '--hotwords', hotwords],
      join(inputs, 'z'),
    );
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--hotwords only applies to --decoding beam/);
  });

  it('exits 2 for a voice profile that does not exist, saying how to make one', async () => {
    const previous = process.env.HARK_DATA_DIR;
    process.env.HARK_DATA_DIR = join(dir, 'no-profiles-yet');
    try {
      const err = sink();
      const code = await runTranscribeCli(['x.wav', '--profile', 'Nobody'], {
        stdout: sink().stream,
        stderr: err.stream,
      });
      expect(code).toBe(2);
      expect(err.text()).toMatch(
        /^error: .*there is no profile named "Nobody", nor any other yet: npm run finetune -- --profile NAME --create/,
      );
    } finally {
      if (previous === undefined) delete process.env.HARK_DATA_DIR;
      else process.env.HARK_DATA_DIR = previous;
    }
  });

  it('fails with exit code 1 and one line when the model cannot start', async () => {
    const out = sink();
    const err = sink();
    const code = await runTranscribeCli(['x.wav', '--model', join(dir, 'no-such-model')], {
      stdout: out.stream,
      stderr: err.stream,
    });
    expect(code).toBe(1);
    expect(err.text()).toMatch(
      /^error: the model cannot start: .*no-such-model: model folder not found\n$/,
    );
  });
});
