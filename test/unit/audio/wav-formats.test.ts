import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { WaveFile } from 'wavefile';
import { probeAudio, readAudioWhole } from '../../../src-main/engine/audio';
import {
  buildRiff,
  fmtBody,
  makeTempDir,
  maxAbsDifference,
  pcm16Bytes,
  sine,
  testSignal,
  wavefileReference,
  writeWithWavefile,
} from './wav-test-files';

const temp = makeTempDir('formats');
afterAll(() => temp.remove());

/** Reads a file at its own rate (no resampling), so samples compare one to one. */
async function decodeAtOwnRate(path: string): Promise<Float32Array> {
  const info = await probeAudio(path);
  return (await readAudioWhole(path, { targetSampleRate: info.sampleRate })).samples;
}

describe('decoding every WAV that wavefile writes, against wavefile decoding the same file', () => {
  const cases: { bitDepth: string; format: string; bits: number; tolerance: number }[] = [
    { bitDepth: '8', format: 'pcm8', bits: 8, tolerance: 1e-7 },
    { bitDepth: '16', format: 'pcm16', bits: 16, tolerance: 1e-7 },
    { bitDepth: '24', format: 'pcm24', bits: 24, tolerance: 1e-7 },
    { bitDepth: '32', format: 'pcm32', bits: 32, tolerance: 1e-7 },
    { bitDepth: '32f', format: 'float32', bits: 32, tolerance: 1e-7 },
    { bitDepth: '64', format: 'float64', bits: 64, tolerance: 1e-7 },
  ];
  for (const { bitDepth, format, bits, tolerance } of cases) {
    for (const channelCount of [1, 2]) {
      it(`${format}, ${channelCount} channel(s)`, async () => {
        const sampleRate = 22050;
        const frames = 5000;
        const channels = Array.from({ length: channelCount }, (_, channel) =>
          testSignal({ sampleRate, frames, channel }),
        );
        const path = temp.path(`${format}-${channelCount}.wav`);
        writeWithWavefile(path, { sampleRate, bitDepth, channels });

        const info = await probeAudio(path);
        expect(info).toMatchObject({
          format,
          sampleRate,
          channels: channelCount,
          bitsPerSample: bits,
          frames,
        });
        expect(info.durationSec).toBeCloseTo(frames / sampleRate, 9);
        expect(info.warnings).toEqual([]);
        const decoded = await decodeAtOwnRate(path);
        expect(maxAbsDifference(decoded, wavefileReference(path))).toBeLessThan(tolerance);
      });
    }
  }

  for (const codec of ['alaw', 'mulaw'] as const) {
    it(`${codec}, stereo`, async () => {
      const sampleRate = 8000;
      const channels = [0, 1].map((channel) => testSignal({ sampleRate, frames: 4000, channel }));
      const path = temp.path(`${codec}.wav`);
      writeWithWavefile(path, { sampleRate, bitDepth: '16', channels, codec });
      expect(await probeAudio(path)).toMatchObject({
        format: codec,
        channels: 2,
        frames: 4000,
        bitsPerSample: 8,
      });
      const decoded = await decodeAtOwnRate(path);
      expect(maxAbsDifference(decoded, wavefileReference(path))).toBeLessThan(1e-7);
      // Companding keeps the signal: within a few percent of a 16-bit step at full scale.
      const original = channels[0]!.map((left, i) => (left + channels[1]![i]!) / 2);
      expect(maxAbsDifference(decoded, original)).toBeLessThan(0.03);
    });
  }

  it('IMA ADPCM written by wavefile (mono, 256-byte blocks)', async () => {
    const sampleRate = 8000;
    const path = temp.path('ima-wavefile.wav');
    writeWithWavefile(path, {
      sampleRate,
      bitDepth: '16',
      channels: [sine({ frequencyHz: 440, sampleRate, seconds: 1 })],
      codec: 'ima-adpcm',
    });
    const info = await probeAudio(path);
    expect(info).toMatchObject({ format: 'ima-adpcm', channels: 1, bitsPerSample: 4 });
    const decoded = await decodeAtOwnRate(path);
    expect(decoded.length).toBe(info.frames);

    // wavefile's decoder repeats each block's header sample and leaves the last block out; line
    // its whole blocks up with the standard layout (505 samples per 256-byte block) and compare.
    const wav = new WaveFile(readFileSync(path));
    wav.fromIMAADPCM();
    const reference = wav.getSamples(false, Int16Array) as unknown as Int16Array;
    const wholeBlocks =
      Math.floor((wav.data as { samples: Uint8Array }).samples.length / 2 / 506) - 1;
    expect(wholeBlocks).toBeGreaterThan(5);
    for (let block = 0; block < wholeBlocks; block++) {
      const ours = Array.from(decoded.subarray(block * 505, (block + 1) * 505), (s) =>
        Math.round(s * 32768),
      );
      const theirs = Array.from(reference.subarray(block * 506 + 1, (block + 1) * 506));
      expect(ours).toEqual(theirs);
    }
  });

  it('IMA ADPCM stereo written by sox, against sox decoding it', async () => {
    const pcmPath = temp.path('ima-source.wav');
    const imaPath = temp.path('ima-sox.wav');
    const left = testSignal({ sampleRate: 16000, frames: 9000, channel: 0 });
    const right = testSignal({ sampleRate: 16000, frames: 9000, channel: 1 });
    writeWithWavefile(pcmPath, { sampleRate: 16000, bitDepth: '16', channels: [left, right] });
    execFileSync('sox', [pcmPath, '-e', 'ima-adpcm', imaPath]);
    const soxDecoded = execFileSync('sox', [
      imaPath,
      '-t',
      'raw',
      '-e',
      'signed-integer',
      '-b',
      '16',
      '-L',
      '-',
    ]);
    const soxSamples = new Int16Array(
      soxDecoded.buffer,
      soxDecoded.byteOffset,
      soxDecoded.length / 2,
    );

    const info = await probeAudio(imaPath);
    expect(info).toMatchObject({
      format: 'ima-adpcm',
      channels: 2,
      sampleRate: 16000,
      frames: 9000,
    });
    const decoded = await decodeAtOwnRate(imaPath);
    const expected = Array.from(
      { length: 9000 },
      (_, i) => (soxSamples[2 * i]! + soxSamples[2 * i + 1]!) / 65536,
    );
    expect(maxAbsDifference(decoded, expected)).toBeLessThan(1e-7);
    // And the codec really carried the signal.
    const original = left.map((l, i) => (l + right[i]!) / 2);
    const error = Math.sqrt(
      original.reduce((sum, s, i) => sum + (s - decoded[i]!) ** 2, 0) / original.length,
    );
    expect(error).toBeLessThan(0.03);
  });

  it('WAVE_FORMAT_EXTENSIBLE integer PCM (PCM SubFormat GUID, 12 and 20 valid bits)', async () => {
    for (const [channelCount, bitDepth, container] of [
      [1, '12', 16],
      [6, '20', 24],
    ] as const) {
      const sampleRate = 48000;
      const channels = Array.from({ length: channelCount }, (_, channel) =>
        testSignal({ sampleRate, frames: 3000, channel }),
      );
      const path = temp.path(`extensible-${channelCount}.wav`);
      const bytes = writeWithWavefile(path, { sampleRate, bitDepth, channels });
      expect(new DataView(bytes.buffer, bytes.byteOffset).getUint16(20, true)).toBe(0xfffe);
      expect(await probeAudio(path)).toMatchObject({
        channels: channelCount,
        format: `pcm${container}`,
        bitsPerSample: Number(bitDepth),
        frames: 3000,
      });
      expect(maxAbsDifference(await decodeAtOwnRate(path), wavefileReference(path))).toBeLessThan(
        1e-7,
      );
    }
  });

  it('more than two channels in a 40-byte fmt chunk (as wavefile writes them)', async () => {
    const sampleRate = 32000;
    const channels = [0, 1, 2].map((channel) => testSignal({ sampleRate, frames: 3000, channel }));
    const path = temp.path('three-channels.wav');
    writeWithWavefile(path, { sampleRate, bitDepth: '16', channels });
    expect(await probeAudio(path)).toMatchObject({ channels: 3, format: 'pcm16', frames: 3000 });
    expect(maxAbsDifference(await decodeAtOwnRate(path), wavefileReference(path))).toBeLessThan(
      1e-7,
    );
  });

  it('WAVE_FORMAT_EXTENSIBLE with the IEEE float SubFormat GUID', async () => {
    const samples = [0.5, -0.25, 0.125, 1.5];
    const data = new Uint8Array(samples.length * 4);
    samples.forEach((s, i) => new DataView(data.buffer).setFloat32(4 * i, s, true));
    const path = temp.path('extensible-float.wav');
    writeFileSync(
      path,
      buildRiff([
        {
          id: 'fmt ',
          body: fmtBody({
            formatTag: 0xfffe,
            channels: 1,
            sampleRate: 16000,
            bitsPerSample: 32,
            extensible: { validBits: 32, subFormatTag: 3 },
          }),
        },
        { id: 'data', body: data },
      ]),
    );
    expect(await probeAudio(path)).toMatchObject({ format: 'float32', frames: 4 });
    expect(Array.from(await decodeAtOwnRate(path))).toEqual(samples);
  });

  it('RIFX (big-endian) 16- and 24-bit files', async () => {
    for (const bitDepth of ['16', '24']) {
      const sampleRate = 11025;
      const channels = [0, 1].map((channel) => testSignal({ sampleRate, frames: 2000, channel }));
      const path = temp.path(`rifx-${bitDepth}.wav`);
      writeWithWavefile(path, { sampleRate, bitDepth, channels, container: 'RIFX' });
      expect(await probeAudio(path)).toMatchObject({
        container: 'RIFX',
        format: `pcm${bitDepth}`,
        frames: 2000,
      });
      expect(maxAbsDifference(await decodeAtOwnRate(path), wavefileReference(path))).toBeLessThan(
        1e-7,
      );
    }
  });

  it('RF64 with its 64-bit sizes in a ds64 chunk', async () => {
    const samples = Array.from(sine({ frequencyHz: 500, sampleRate: 16000, seconds: 0.05 }));
    const data = pcm16Bytes(samples);
    const ds64 = new Uint8Array(28);
    const view = new DataView(ds64.buffer);
    view.setUint32(8, data.length, true); // data size, low word
    view.setUint32(16, samples.length, true); // sample count, low word
    const path = temp.path('rf64.wav');
    writeFileSync(
      path,
      buildRiff(
        [
          { id: 'ds64', body: ds64 },
          {
            id: 'fmt ',
            body: fmtBody({ formatTag: 1, channels: 1, sampleRate: 16000, bitsPerSample: 16 }),
          },
          { id: 'data', body: data, declaredSize: 0xffffffff },
          { id: 'LIST', body: new Uint8Array(10) },
        ],
        { container: 'RF64', riffSize: 0xffffffff },
      ),
    );
    const info = await probeAudio(path);
    expect(info).toMatchObject({ container: 'RF64', frames: samples.length, warnings: [] });
    expect(
      maxAbsDifference(
        await decodeAtOwnRate(path),
        samples.map((s) => Math.round(s * 32767) / 32768),
      ),
    ).toBeLessThan(1e-7);
  });
});

describe('chunk list', () => {
  const samples = Array.from(sine({ frequencyHz: 300, sampleRate: 8000, seconds: 0.1 }));
  const expected = samples.map((s) => Math.round(s * 32767) / 32768);
  const fmt = {
    id: 'fmt ',
    body: fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 }),
  };
  const data = { id: 'data', body: pcm16Bytes(samples) };

  it('skips LIST, JUNK and fact chunks, padding odd-sized ones', async () => {
    const path = temp.path('chunks.wav');
    writeFileSync(
      path,
      buildRiff([
        { id: 'JUNK', body: new Uint8Array(28) },
        fmt,
        { id: 'LIST', body: new Uint8Array(13).fill(0x41) }, // odd size: a pad byte follows
        { id: 'fact', body: new Uint8Array(4) },
        data,
        { id: 'LIST', body: new Uint8Array(7) },
      ]),
    );
    const info = await probeAudio(path);
    expect(info.frames).toBe(samples.length);
    expect(info.warnings).toEqual([]);
    expect(maxAbsDifference(await decodeAtOwnRate(path), expected)).toBeLessThan(1e-7);
  });

  it('tolerates an odd-sized chunk whose pad byte is missing, with a warning', async () => {
    const path = temp.path('no-pad.wav');
    writeFileSync(
      path,
      buildRiff([fmt, { id: 'LIST', body: new Uint8Array(13).fill(0x41), omitPad: true }, data]),
    );
    const info = await probeAudio(path);
    expect(info.frames).toBe(samples.length);
    expect(info.warnings.join()).toMatch(/LIST.*pad byte/);
    expect(maxAbsDifference(await decodeAtOwnRate(path), expected)).toBeLessThan(1e-7);
  });

  it('finds a fmt chunk that comes after the data chunk', async () => {
    const path = temp.path('data-first.wav');
    writeFileSync(path, buildRiff([data, fmt]));
    expect(maxAbsDifference(await decodeAtOwnRate(path), expected)).toBeLessThan(1e-7);
  });

  it('mixes channels to mono by averaging', async () => {
    const left = sine({ frequencyHz: 440, sampleRate: 16000, seconds: 0.1, amplitude: 0.6 });
    const path = temp.path('opposite.wav');
    writeWithWavefile(path, {
      sampleRate: 16000,
      bitDepth: '32f',
      channels: [left, left.map((s) => -s), left.map(() => 0.3)],
    });
    const mono = await decodeAtOwnRate(path);
    expect(maxAbsDifference(mono, new Float64Array(mono.length).fill(0.1))).toBeLessThan(1e-6);
  });

  it('accepts the lowest and highest supported rates', async () => {
    for (const sampleRate of [8000, 192000]) {
      const path = temp.path(`rate-${sampleRate}.wav`);
      writeWithWavefile(path, {
        sampleRate,
        bitDepth: '16',
        channels: [sine({ frequencyHz: 100, sampleRate, seconds: 0.05 })],
      });
      const { info, samples } = await readAudioWhole(path);
      expect(info.sampleRate).toBe(sampleRate);
      expect(samples.length).toBe(Math.round((info.frames * 16000) / sampleRate));
    }
  });
});
