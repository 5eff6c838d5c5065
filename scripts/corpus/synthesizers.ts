/**
 * Runs the speech synthesizers: espeak-ng and flite once per sentence (they start in
 * milliseconds), festival once per batch through a Scheme script (its start-up costs more than a
 * sentence). Every result is 16 kHz mono Float32; pitch offsets that a voice cannot make itself
 * are made by `sox pitch`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarkError } from '../../src-main/engine/errors';
import { resample } from './dsp';
import type { Voice } from './voices';
import { decodePcm16Wav } from './wav';

export interface SynthesisRequest {
  voice: Voice;
  spoken: string;
  /** Speaking-rate factor, 1 = the voice's default. */
  tempo: number;
  pitchSemitones: number;
}

export interface SynthesisOptions {
  /** A folder for this process's temporary files. */
  workDir: string;
  sampleRate: number;
  /** A name unique within `workDir` for this request's files. */
  name: string;
}

const ESPEAK_DEFAULT_WPM = 175;
/** espeak-ng `-p` units per semitone around its default of 50 (measured: 30 units ≈ 5 semitones). */
const ESPEAK_PITCH_UNITS_PER_SEMITONE = 6;
/** Smallest pitch offset worth a sox pass. */
const PITCH_EPSILON_SEMITONES = 0.05;

interface ProcessResult {
  stdout: string;
  stderr: string;
}

/** Runs a program, resolving when it exits 0; a HarkError names the program and its complaint. */
export function runProgram(
  program: string,
  args: readonly string[],
  options: { input?: string; timeoutMs: number },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new HarkError('INTERNAL', `${program} could not start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else {
        const why = signal ? `was killed (${signal})` : `exited with ${code}`;
        reject(new HarkError('INTERNAL', `${program} ${why}: ${stderr.trim().slice(0, 300)}`));
      }
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

async function readAs16k(file: string, sampleRate: number): Promise<Float32Array> {
  if (!existsSync(file))
    throw new HarkError('FILE_NOT_FOUND', 'the synthesizer wrote no audio', { file });
  const audio = decodePcm16Wav(readFileSync(file), file);
  return resample(audio.samples, { fromRate: audio.sampleRate, toRate: sampleRate });
}

async function shiftPitchWithSox(
  file: string,
  semitones: number,
  name: string,
  workDir: string,
): Promise<string> {
  if (Math.abs(semitones) < PITCH_EPSILON_SEMITONES) return file;
  const shifted = join(workDir, `${name}.pitch.wav`);
  await runProgram('sox', [file, shifted, 'pitch', (semitones * 100).toFixed(0)], {
    timeoutMs: 60_000,
  });
  return shifted;
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(high, value));
}

export function espeakArguments(request: SynthesisRequest, outputFile: string): string[] {
  const { voice } = request;
  return [
    '-v',
    voice.variant ? `${voice.name}+${voice.variant}` : voice.name,
    '-s',
    String(Math.round(ESPEAK_DEFAULT_WPM * request.tempo)),
    '-p',
    String(Math.round(clamp(50 + ESPEAK_PITCH_UNITS_PER_SEMITONE * request.pitchSemitones, 0, 99))),
    '-w',
    outputFile,
    '--stdin',
  ];
}

export function fliteArguments(request: SynthesisRequest, outputFile: string): string[] {
  const { voice } = request;
  const args = [
    '-voice',
    voice.name,
    '--setf',
    `duration_stretch=${(1 / request.tempo).toFixed(4)}`,
  ];
  if (voice.pitchMethod === 'native' && voice.baseF0Hz !== undefined) {
    const f0 = voice.baseF0Hz * 2 ** (request.pitchSemitones / 12);
    args.push('--setf', `int_f0_target_mean=${f0.toFixed(1)}`);
  }
  args.push('-t', request.spoken, '-o', outputFile);
  return args;
}

/**
 * Synthesizes one sentence with espeak-ng or flite.
 *
 * @example
 * const samples = await synthesizeOne(
 *   { voice: espeakVoice('en-us', 'f2'), spoken: 'Hello there.', tempo: 1, pitchSemitones: 0 },
 *   { workDir: '/tmp/x', sampleRate: 16000, name: 'u1' });
 */
export async function synthesizeOne(
  request: SynthesisRequest,
  options: SynthesisOptions,
): Promise<Float32Array> {
  const raw = join(options.workDir, `${options.name}.raw.wav`);
  const files = [raw, join(options.workDir, `${options.name}.pitch.wav`)];
  try {
    if (request.voice.synthesizer === 'espeak') {
      await runProgram('espeak-ng', espeakArguments(request, raw), {
        input: request.spoken,
        timeoutMs: 60_000,
      });
    } else if (request.voice.synthesizer === 'flite') {
      await runProgram('flite', fliteArguments(request, raw), { timeoutMs: 120_000 });
    } else {
      const [result] = await synthesizeFestivalBatch([request], options);
      if (result instanceof Error) throw result;
      return result as Float32Array;
    }
    const pitched =
      request.voice.pitchMethod === 'sox'
        ? await shiftPitchWithSox(raw, request.pitchSemitones, options.name, options.workDir)
        : raw;
    return await readAs16k(pitched, options.sampleRate);
  } finally {
    for (const file of files) rmSync(file, { force: true });
  }
}

function schemeString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The Scheme program that makes one festival process speak every request of a batch. */
export function festivalScript(
  requests: readonly SynthesisRequest[],
  files: readonly string[],
  sampleRate: number,
): string {
  const lines: string[] = [];
  let currentVoice = '';
  requests.forEach((request, index) => {
    const name = request.voice.name;
    if (!/^[a-z0-9_]+$/.test(name))
      throw new HarkError('INVALID_ARGUMENT', `bad festival voice name ${name}`);
    if (name !== currentVoice) {
      lines.push(`(voice_${name})`);
      if (name.endsWith('_hts')) lines.push('(set! hark_hts_params hts_engine_params)');
      currentVoice = name;
    }
    // HTS voices take their speed from the engine's -r; the others stretch durations.
    if (name.endsWith('_hts')) {
      lines.push(
        `(set! hts_engine_params (append hark_hts_params (list (list "-r" ${request.tempo.toFixed(4)}))))`,
      );
      lines.push("(Parameter.set 'Duration_Stretch 1.0)");
    } else {
      lines.push(`(Parameter.set 'Duration_Stretch ${(1 / request.tempo).toFixed(4)})`);
    }
    lines.push(
      `(unwind-protect (begin (set! utt (utt.synth (Utterance Text ${schemeString(request.spoken)}))) ` +
        `(utt.wave.resample utt ${sampleRate}) (utt.save.wave utt ${schemeString(files[index] as string)} 'riff)) ` +
        `(format t "HARK_FAILED ${index}\\n"))`,
    );
  });
  return `${lines.join('\n')}\n`;
}

/**
 * Synthesizes a batch with one festival process (voices may change within the batch). Each
 * request yields its samples or the Error that kept it from being spoken.
 */
export async function synthesizeFestivalBatch(
  requests: readonly SynthesisRequest[],
  options: SynthesisOptions,
): Promise<(Float32Array | Error)[]> {
  if (requests.length === 0) return [];
  const files = requests.map((_, index) => join(options.workDir, `${options.name}.f${index}.wav`));
  const script = join(options.workDir, `${options.name}.scm`);
  writeFileSync(script, festivalScript(requests, files, options.sampleRate));
  try {
    try {
      await runProgram('festival', ['-b', script], {
        timeoutMs: 60_000 + 20_000 * requests.length,
      });
    } catch (error) {
      // Keep what was written before the failure; the rest report the error below.
      if (!files.some((file) => existsSync(file))) throw error;
    }
    const results: (Float32Array | Error)[] = [];
    for (const [index, request] of requests.entries()) {
      const file = files[index] as string;
      try {
        const pitched = await shiftPitchWithSox(
          file,
          request.pitchSemitones,
          `${options.name}.f${index}`,
          options.workDir,
        );
        results.push(await readAs16k(pitched, options.sampleRate));
      } catch (error) {
        results.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return results;
  } finally {
    rmSync(script, { force: true });
    for (const [index, file] of files.entries()) {
      rmSync(file, { force: true });
      rmSync(join(options.workDir, `${options.name}.f${index}.pitch.wav`), { force: true });
    }
  }
}
