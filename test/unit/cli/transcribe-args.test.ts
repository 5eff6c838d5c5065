import { describe, expect, it } from 'vitest';
import { outputPathFor } from '../../../src-main/cli/output-paths';
import {
  formatDuration,
  progressBar,
  quarterMarksCrossed,
} from '../../../src-main/cli/progress-line';
import { parseTranscribeArgs, UsageError } from '../../../src-main/cli/transcribe-args';
import { DEFAULT_DECODING } from '../../../src-main/engine/transcribe/decoding-defaults';

describe('parseTranscribeArgs', () => {
  it('takes files and options in any order, in both --name value and --name=value forms', () => {
    expect(
      parseTranscribeArgs([
        'a.wav',
        '--format',
        'srt',
        'b.wav',
        '--out=subs',
        '--device',
        'cpu',
        '--threads',
        '3',
        '--model',
        'm',
      ]),
    ).toEqual({
      files: ['a.wav', 'b.wav'],
      format: 'srt',
      outDir: 'subs',
      modelDir: 'm',
      device: 'cpu',
      threads: 3,
      decoding: DEFAULT_DECODING.method,
      lmDir: undefined,
      hotwordsFile: undefined,
      beamWidth: undefined,
      alpha: undefined,
      beta: undefined,
      noSpeechGate: false,
      help: false,
    });
  });

  it('defaults to txt, auto device, outputs beside the inputs and the bundled model', () => {
    expect(parseTranscribeArgs(['x.wav'])).toMatchObject({
      format: 'txt',
      device: 'auto',
      outDir: undefined,
      modelDir: undefined,
      threads: undefined,
    });
  });

  it('treats everything after -- as files, even names that look like options', () => {
    expect(parseTranscribeArgs(['--', '--format', '-x.wav']).files).toEqual(['--format', '-x.wav']);
  });

  it.each([
    [[], /no input files/],
    [['a.wav', '--format', 'docx'], /--format must be one of txt, json, srt, vtt, got "docx"/],
    [['a.wav', '--device', 'tpu'], /--device must be one of auto, cpu, cuda, dml, coreml, webgpu/],
    [['a.wav', '--threads', '0'], /--threads must be a whole number/],
    [['a.wav', '--threads', '2.5'], /--threads must be a whole number/],
    [['a.wav', '--out'], /--out needs a value/],
    [['a.wav', '--out='], /--out needs a value/],
    [['a.wav', '--verbose'], /unknown option --verbose/],
    [['a.wav', '--format', 'txt', '--format', 'srt'], /--format is given twice/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseTranscribeArgs(argv)).toThrow(UsageError);
    expect(() => parseTranscribeArgs(argv)).toThrow(message);
  });

  it('turns the speech gate off with --no-speech-gate, which takes no value', () => {
    expect(parseTranscribeArgs(['a.wav', '--no-speech-gate']).noSpeechGate).toBe(true);
    expect(() => parseTranscribeArgs(['a.wav', '--no-speech-gate=yes'])).toThrow(
      /--no-speech-gate takes no value/,
    );
  });

  it('needs no files for --help', () => {
    expect(parseTranscribeArgs(['-h']).help).toBe(true);
  });
});

describe('decoding arguments', () => {
  it('reads the method, the LM, hotwords, beam width and weights', () => {
    expect(
      parseTranscribeArgs([
        'a.wav',
        '--decoding',
        'beam',
        '--lm=models/lm-en',
        '--hotwords',
        'names.txt',
        '--beam-width',
        '32',
        '--alpha',
        '0.8',
        '--beta=-1.5',
      ]),
    ).toMatchObject({
      decoding: 'beam',
      lmDir: 'models/lm-en',
      hotwordsFile: 'names.txt',
      beamWidth: 32,
      alpha: 0.8,
      beta: -1.5,
    });
    expect(parseTranscribeArgs(['a.wav', '--decoding', 'beam', '--lm', 'none']).lmDir).toBeNull();
  });

  it('reads a voice profile, which leaves the model folder to the profile', () => {
    expect(parseTranscribeArgs(['a.wav', '--profile', 'Ada L.'])).toMatchObject({
      profile: 'Ada L.',
      modelDir: undefined,
    });
    expect(parseTranscribeArgs(['a.wav']).profile).toBeUndefined();
  });

  it('implies beam search from a beam-only option, and keeps the default otherwise', () => {
    expect(parseTranscribeArgs(['a.wav', '--hotwords', 'n.txt']).decoding).toBe('beam');
    expect(parseTranscribeArgs(['a.wav', '--beam-width', '4']).decoding).toBe('beam');
    expect(parseTranscribeArgs(['a.wav', '--lm', 'dir']).decoding).toBe('beam');
    expect(parseTranscribeArgs(['a.wav']).decoding).toBe(DEFAULT_DECODING.method);
    expect(parseTranscribeArgs(['a.wav', '--lm', 'none']).decoding).toBe(DEFAULT_DECODING.method);
    expect(parseTranscribeArgs(['a.wav', '--decoding', 'greedy', '--lm', 'none'])).toMatchObject({
      decoding: 'greedy',
      lmDir: null,
    });
  });

  it.each([
    [['a.wav', '--decoding', 'viterbi'], /--decoding must be one of greedy, beam, got "viterbi"/],
    [['a.wav', '--decoding', 'greedy', '--lm', 'd'], /--lm only applies to --decoding beam/],
    [
      ['a.wav', '--decoding', 'greedy', '--hotwords', 'h', '--alpha', '1'],
      /--hotwords, --alpha only applies to --decoding beam/,
    ],
    [['a.wav', '--beam-width', '0'], /--beam-width must be a whole number from 1 to 128/],
    [['a.wav', '--beam-width', '129'], /--beam-width must be a whole number from 1 to 128/],
    [['a.wav', '--beam-width', '8.5'], /--beam-width must be a whole number/],
    [['a.wav', '--alpha', 'high'], /--alpha must be a number, got "high"/],
    [['a.wav', '--beta', 'Infinity'], /--beta must be a number/],
    [['a.wav', '--hotwords'], /--hotwords needs a value/],
    [
      ['a.wav', '--profile', 'Ada', '--model', 'dir'],
      /--model and --profile both choose the model/,
    ],
    [['a.wav', '--profile'], /--profile needs a value/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseTranscribeArgs(argv)).toThrow(UsageError);
    expect(() => parseTranscribeArgs(argv)).toThrow(message);
  });
});

describe('outputPathFor', () => {
  it('names the output after the input, in the output folder or beside the input', () => {
    expect(outputPathFor('rec/talk.wav', 'json', 'out')).toBe('out/talk.json');
    expect(outputPathFor('rec/talk.WAV', 'srt', undefined)).toBe('rec/talk.srt');
    expect(outputPathFor('rec/talk.final.wav', 'vtt', undefined)).toBe('rec/talk.final.vtt');
    expect(outputPathFor('noext', 'txt', 'o')).toBe('o/noext.txt');
  });
});

describe('progress display', () => {
  it('draws a bar that grows with the fraction and fits the terminal', () => {
    const half = progressBar(
      { fraction: 0.5, etaSec: 30, processedSec: 60, durationSec: 120 },
      'talk.wav',
      100,
    );
    expect(half).toBe('[##########..........]  50%  1:00/2:00  ETA 0:30  talk.wav');
    const start = progressBar(
      { fraction: 0, etaSec: undefined, processedSec: 0, durationSec: 4000 },
      'x.wav',
      100,
    );
    expect(start).toBe('[....................]   0%  0:00/1:06:40  ETA --:--  x.wav');
    expect(
      progressBar(
        { fraction: 0.25, etaSec: 1, processedSec: 1, durationSec: 4 },
        'a-very-long-name.wav',
        30,
      ),
    ).toHaveLength(29);
  });

  it('prints each quarter mark once as progress passes it', () => {
    expect(quarterMarksCrossed(0, 0.1)).toEqual([]);
    expect(quarterMarksCrossed(0.2, 0.55)).toEqual([25, 50]);
    expect(quarterMarksCrossed(0.5, 0.6)).toEqual([]);
    expect(quarterMarksCrossed(0.6, 1)).toEqual([75]);
  });

  it('formats durations for people', () => {
    expect(formatDuration(12.34)).toBe('12.3 s');
    expect(formatDuration(125)).toBe('2:05');
  });
});
