import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { HarkError, type ErrorCode } from '../../../src-main/engine/errors';
import { probeAudio, readAudio, readAudioWhole } from '../../../src-main/engine/audio';
import {
  buildRiff,
  fmtBody,
  makeTempDir,
  pcm16Bytes,
  sine,
  writeWithWavefile,
  ascii,
} from './wav-test-files';

const temp = makeTempDir('bad');
afterAll(() => temp.remove());
afterEach(() => vi.restoreAllMocks());

/** Both the probe and the first read of the stream must fail with this code, naming the file. */
async function expectFailure(path: string, code: ErrorCode, detail: RegExp): Promise<HarkError> {
  const fromProbe = await probeAudio(path).catch((error: unknown) => error);
  const fromRead = await readAudio(path)
    .next()
    .catch((error: unknown) => error);
  for (const error of [fromProbe, fromRead]) {
    expect(error).toBeInstanceOf(HarkError);
    const harkError = error as HarkError;
    expect(harkError.code).toBe(code);
    expect(harkError.file).toBe(path);
    expect(harkError.message).toContain(path);
    expect(harkError.detail).toMatch(detail);
  }
  return fromProbe as HarkError;
}

const samples = Array.from(sine({ frequencyHz: 440, sampleRate: 16000, seconds: 0.25 }));
const pcmFmt = {
  id: 'fmt ',
  body: fmtBody({ formatTag: 1, channels: 1, sampleRate: 16000, bitsPerSample: 16 }),
};
const goodWav = buildRiff([pcmFmt, { id: 'data', body: pcm16Bytes(samples) }]);

function file(name: string, bytes: Uint8Array | string): string {
  const path = temp.path(name);
  writeFileSync(path, bytes);
  return path;
}

describe('files that cannot be opened', () => {
  it('a missing file', async () => {
    await expectFailure(temp.path('nowhere.wav'), 'FILE_NOT_FOUND', /not found/);
  });

  it('an unreadable file (permission denied; simulated, as tests may run as root)', async () => {
    const path = file('locked.wav', goodWav);
    vi.spyOn(fs, 'open').mockRejectedValue(
      Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' }),
    );
    await expectFailure(path, 'FILE_UNREADABLE', /permission denied/);
  });

  it('a directory', async () => {
    const path = temp.path('folder.wav');
    mkdirSync(path);
    await expectFailure(path, 'FILE_IS_DIRECTORY', /directory/);
  });
});

describe('files that are not WAV', () => {
  it('an MP3 file', async () => {
    const mp3 = new Uint8Array([
      ...ascii('ID3'),
      4,
      0,
      0,
      0,
      0,
      0,
      0,
      0xff,
      0xfb,
      0x90,
      0x64,
      ...new Array(400).fill(0),
    ]);
    await expectFailure(file('song.mp3', mp3), 'WAV_NOT_RIFF', /not a WAV file.*MP3/);
  });

  it('a text file', async () => {
    await expectFailure(
      file('notes.wav', 'hello, this is not audio\n'),
      'WAV_NOT_RIFF',
      /text file/,
    );
  });

  it('a RIFF file of another type (AVI)', async () => {
    const avi = goodWav.slice();
    avi.set(ascii('AVI '), 8);
    await expectFailure(file('movie.wav', avi), 'WAV_NOT_RIFF', /'AVI '/);
  });
});

describe('broken headers', () => {
  it('an empty file', async () => {
    await expectFailure(file('empty.wav', new Uint8Array(0)), 'WAV_TRUNCATED', /empty/);
  });

  it('a file cut inside the RIFF header', async () => {
    await expectFailure(
      file('cut-10.wav', goodWav.subarray(0, 10)),
      'WAV_TRUNCATED',
      /RIFF header/,
    );
  });

  it('a file cut inside the fmt chunk', async () => {
    await expectFailure(
      file('cut-30.wav', goodWav.subarray(0, 30)),
      'WAV_TRUNCATED',
      /inside the 'fmt ' chunk/,
    );
  });

  it('a file cut inside the data chunk header', async () => {
    await expectFailure(
      file('cut-40.wav', goodWav.subarray(0, 40)),
      'WAV_TRUNCATED',
      /inside a chunk header/,
    );
  });

  it('a file cut inside a LIST chunk before the data', async () => {
    const bytes = buildRiff([
      pcmFmt,
      { id: 'LIST', body: new Uint8Array(200) },
      { id: 'data', body: pcm16Bytes(samples) },
    ]);
    await expectFailure(
      file('cut-list.wav', bytes.subarray(0, 100)),
      'WAV_TRUNCATED',
      /inside the 'LIST' chunk/,
    );
  });

  it('no fmt chunk', async () => {
    const bytes = buildRiff([{ id: 'data', body: pcm16Bytes(samples) }]);
    await expectFailure(file('no-fmt.wav', bytes), 'WAV_BAD_HEADER', /no 'fmt ' chunk/);
  });

  it('garbage where a chunk should start', async () => {
    const bytes = new Uint8Array([...goodWav.subarray(0, 36), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await expectFailure(
      file('garbage.wav', bytes),
      'WAV_BAD_HEADER',
      /no valid chunk header at byte 36/,
    );
  });

  it('zero channels', async () => {
    const fmt = fmtBody({
      formatTag: 1,
      channels: 0,
      sampleRate: 16000,
      bitsPerSample: 16,
      blockAlign: 2,
    });
    const bytes = buildRiff([
      { id: 'fmt ', body: fmt },
      { id: 'data', body: pcm16Bytes(samples) },
    ]);
    await expectFailure(file('no-channels.wav', bytes), 'WAV_BAD_HEADER', /0 channels/);
  });
});

describe('headers whose sizes lie', () => {
  it('a data size larger than the file: decodes what is there and warns', async () => {
    const bytes = buildRiff([
      pcmFmt,
      { id: 'data', body: pcm16Bytes(samples), declaredSize: 10 * samples.length * 2 },
    ]);
    const path = file('cut-short.wav', bytes);
    const { info, samples: decoded } = await readAudioWhole(path);
    expect(info.frames).toBe(samples.length);
    expect(decoded.length).toBe(samples.length);
    expect(info.warnings).toHaveLength(1);
    expect(info.warnings[0]).toMatch(
      new RegExp(
        `declares ${20 * samples.length} bytes but the file holds only ${2 * samples.length}`,
      ),
    );
    expect((await probeAudio(path)).warnings).toEqual(info.warnings);
  });

  it('a data size of 0xFFFFFFFF (a streamed header): decodes to the end of the file and warns', async () => {
    const bytes = buildRiff([
      pcmFmt,
      { id: 'data', body: pcm16Bytes(samples), declaredSize: 0xffffffff },
    ]);
    const info = await probeAudio(file('streamed.wav', bytes));
    expect(info.frames).toBe(samples.length);
    expect(info.warnings.join()).toMatch(/placeholder size \(0xFFFFFFFF\)/);
  });

  it('a WAV that espeak-ng streamed to stdout (placeholder sizes): same samples as its file output', async () => {
    const streamed = temp.path('espeak-stdout.wav');
    writeFileSync(streamed, execFileSync('espeak-ng', ['--stdout', 'testing one two three']));
    const written = temp.path('espeak-file.wav');
    execFileSync('espeak-ng', ['-w', written, 'testing one two three']);
    const fromStream = await readAudioWhole(streamed);
    const fromFile = await readAudioWhole(written);
    expect(fromFile.info.warnings).toEqual([]);
    expect(fromStream.info.warnings.join()).toMatch(/placeholder size/);
    expect(fromStream.info.frames).toBe(fromFile.info.frames);
    expect(Array.from(fromStream.samples)).toEqual(Array.from(fromFile.samples));
  });

  it('a data size of 0 followed by samples (a header never finished): decodes them and warns', async () => {
    const bytes = buildRiff([pcmFmt, { id: 'data', body: pcm16Bytes(samples), declaredSize: 0 }], {
      riffSize: 0,
    });
    const info = await probeAudio(file('unfinished.wav', bytes));
    expect(info.frames).toBe(samples.length);
    expect(info.warnings.join()).toMatch(/declares 0 bytes/);
  });

  it('a data chunk that ends inside the first sample frame', async () => {
    const bytes = buildRiff([
      pcmFmt,
      { id: 'data', body: new Uint8Array([1]), declaredSize: 2000, omitPad: true },
    ]);
    await expectFailure(
      file('one-byte.wav', bytes),
      'WAV_NO_SAMPLES',
      /holds no audio: it was cut short 1 byte into it, before the first whole sample/,
    );
  });

  it('a header whose data chunk was never written', async () => {
    const bytes = buildRiff([
      pcmFmt,
      { id: 'data', body: new Uint8Array(0), declaredSize: 32000, omitPad: true },
    ]);
    await expectFailure(
      file('header-only.wav', bytes),
      'WAV_NO_SAMPLES',
      /^the file holds no audio: it ends right after its header, though the header announces 32000 bytes/,
    );
  });
});

describe('no samples', () => {
  it('a data chunk of size 0', async () => {
    await expectFailure(
      file('zero-data.wav', buildRiff([pcmFmt, { id: 'data', body: new Uint8Array(0) }])),
      'WAV_NO_SAMPLES',
      /empty \(0 bytes\)/,
    );
  });

  it('no data chunk at all', async () => {
    await expectFailure(
      file('no-data.wav', buildRiff([pcmFmt, { id: 'LIST', body: new Uint8Array(8) }])),
      'WAV_NO_SAMPLES',
      /no 'data' chunk/,
    );
  });

  it('zero samples written by wavefile', async () => {
    const path = temp.path('wavefile-empty.wav');
    writeWithWavefile(path, { sampleRate: 16000, bitDepth: '16', channels: [new Float64Array(0)] });
    await expectFailure(path, 'WAV_NO_SAMPLES', /empty/);
  });
});

describe('codecs and rates Hark does not take', () => {
  it('MP3 inside a WAV (format tag 0x0055)', async () => {
    const fmt = fmtBody({
      formatTag: 0x0055,
      channels: 1,
      sampleRate: 16000,
      bitsPerSample: 0,
      blockAlign: 1,
    });
    const bytes = buildRiff([
      { id: 'fmt ', body: fmt },
      { id: 'data', body: new Uint8Array(500) },
    ]);
    await expectFailure(file('mp3-in-wav.wav', bytes), 'WAV_UNSUPPORTED_CODEC', /MP3.*0x0055/);
  });

  it('GSM 6.10 inside a WAV, as sox writes it', async () => {
    const path = temp.path('gsm.wav');
    execFileSync('sox', [
      '-n',
      '-r',
      '8000',
      '-c',
      '1',
      '-e',
      'gsm-full-rate',
      path,
      'synth',
      '0.2',
      'sine',
      '440',
    ]);
    await expectFailure(path, 'WAV_UNSUPPORTED_CODEC', /GSM 6\.10.*0x0031/);
  });

  it('WAVE_FORMAT_EXTENSIBLE with an unknown SubFormat GUID', async () => {
    const guidBytes = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);
    const fmt = fmtBody({
      formatTag: 0xfffe,
      channels: 1,
      sampleRate: 16000,
      bitsPerSample: 16,
      extensible: { validBits: 16, guidBytes },
    });
    const bytes = buildRiff([
      { id: 'fmt ', body: fmt },
      { id: 'data', body: pcm16Bytes(samples) },
    ]);
    await expectFailure(
      file('odd-guid.wav', bytes),
      'WAV_UNSUPPORTED_CODEC',
      /SubFormat GUID \{13121110-1514-1716-1819-1A1B1C1D1E1F\}/,
    );
  });

  it('4-bit integer PCM', async () => {
    const fmt = fmtBody({
      formatTag: 1,
      channels: 1,
      sampleRate: 16000,
      bitsPerSample: 4,
      blockAlign: 1,
    });
    const bytes = buildRiff([
      { id: 'fmt ', body: fmt },
      { id: 'data', body: new Uint8Array(100) },
    ]);
    await expectFailure(file('pcm4.wav', bytes), 'WAV_UNSUPPORTED_CODEC', /4-bit integer PCM/);
  });

  for (const sampleRate of [0, 4000, 7999, 192001, 1_000_000]) {
    it(`a sample rate of ${sampleRate} Hz`, async () => {
      const fmt = fmtBody({ formatTag: 1, channels: 1, sampleRate, bitsPerSample: 16 });
      const bytes = buildRiff([
        { id: 'fmt ', body: fmt },
        { id: 'data', body: pcm16Bytes(samples) },
      ]);
      await expectFailure(
        file(`rate-${sampleRate}.wav`, bytes),
        'WAV_BAD_SAMPLE_RATE',
        new RegExp(`^sample rate ${sampleRate} Hz is outside`),
      );
    });
  }
});

describe('bad samples', () => {
  function floatWav(values: number[], bits: 32 | 64, sampleRate = 16000): Uint8Array {
    const data = new Uint8Array(values.length * (bits / 8));
    const view = new DataView(data.buffer);
    values.forEach((value, i) =>
      bits === 32 ? view.setFloat32(4 * i, value, true) : view.setFloat64(8 * i, value, true),
    );
    const fmt = fmtBody({ formatTag: 3, channels: 1, sampleRate, bitsPerSample: bits });
    return buildRiff([
      { id: 'fmt ', body: fmt },
      { id: 'data', body: data },
    ]);
  }

  it('NaN in a float32 file is refused, naming the time of the first bad sample', async () => {
    const values = new Array(16000).fill(0.1);
    values[8000] = Number.NaN; // at 0.500 s
    values[12000] = Number.NaN;
    const path = file('nan.wav', floatWav(values, 32));
    const error = await readAudioWhole(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HarkError);
    expect((error as HarkError).code).toBe('WAV_BAD_SAMPLES');
    expect((error as HarkError).detail).toMatch(/NaN sample at 0\.500 s \(frame 8000, channel 1\)/);
    // The header itself is fine: probing does not read samples.
    expect((await probeAudio(path)).frames).toBe(16000);
  });

  it('Infinity in a float64 file is refused, naming its time', async () => {
    const values = new Array(48000).fill(-0.2);
    values[36000] = Number.NEGATIVE_INFINITY; // 0.750 s at 48 kHz
    const error = await readAudioWhole(file('inf.wav', floatWav(values, 64, 48000))).catch(
      (caught: unknown) => caught,
    );
    expect((error as HarkError).code).toBe('WAV_BAD_SAMPLES');
    expect((error as HarkError).detail).toMatch(/-Infinity sample at 0\.750 s/);
  });
});
