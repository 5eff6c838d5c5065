import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAudio, readAudioWhole } from '../../../src-main/engine/audio';
import { isHarkError } from '../../../src-main/engine/errors';
import { ProfileStore, RecordingRejectedError } from '../../../src-main/engine/profiles';
import { speak, tone, wavBytes, writeRandomModel } from './profile-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'hark-profile-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let store: ProfileStore;
beforeAll(async () => {
  store = await ProfileStore.open({ root: join(dir, 'profiles') });
  await store.create('Ada', { baseModelDir: await writeRandomModel(join(dir, 'base')) });
});

async function problemsOf(samples: Float32Array, text: string, sampleRate = 16000) {
  const error = await store
    .addRecording('Ada', { samples, text, sampleRate })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RecordingRejectedError);
  return (error as RecordingRejectedError).problems.map((p) => p.code);
}

describe('a profile dataset', () => {
  it('keeps a good recording as a 16 kHz WAV and refuses silent, clipped or mismatched ones', async () => {
    const before = (await store.recordings('Ada')).length;
    const speech = speak('hello there', { voice: 'en-us', speed: 160 }, dir);
    const recording = await store.addRecording('Ada', {
      samples: speech,
      text: 'Hello there!',
    });
    expect(recording.text).toBe('Hello there!');
    const info = await probeAudio(recording.audioPath);
    expect(info.sampleRate).toBe(16000);
    expect(info.durationSec).toBeCloseTo(speech.length / 16000, 2);

    // 48 kHz input is stored at 16 kHz with the same duration.
    const at48k = tone(1.5, 0.3, 300, 48000);
    const resampled = await store.addRecording('Ada', {
      samples: at48k,
      sampleRate: 48000,
      text: 'la',
    });
    expect(resampled.durationSec).toBeCloseTo(1.5, 2);

    expect(await problemsOf(tone(2, 0.001), 'hello')).toEqual(['silent']);
    const square = tone(2, 1).map((x) => (x >= 0 ? 1 : -1));
    expect(await problemsOf(square, 'hello')).toEqual(['clipped']);
    expect(await problemsOf(tone(0.5, 0.3), 'a sentence far too long for half a second')).toEqual([
      'text-too-long',
    ]);
    expect(await problemsOf(tone(6, 0.3), 'hi')).toEqual(['text-too-short']);
    expect(await problemsOf(tone(1, 0.3), '  ?! ')).toEqual(['empty-text']);
    expect(await problemsOf(tone(0.1, 0.3), 'a')).toEqual(['too-short']);
    expect((await store.recordings('Ada')).length).toBe(before + 2);

    await store.removeRecording('Ada', resampled.id);
    expect((await store.recordings('Ada')).map((r) => r.id)).not.toContain(resampled.id);
  });

  it('imports a folder of WAV + .txt pairs, skipping bad pairs with their reasons', async () => {
    const folder = join(dir, 'pairs');
    mkdirSync(folder);
    const good = speak('good morning', { voice: 'en', speed: 150 }, dir);
    writeFileSync(join(folder, 'good.wav'), wavBytes(good, 16000));
    writeFileSync(join(folder, 'good.txt'), 'good morning\n');
    writeFileSync(join(folder, 'phone.wav'), wavBytes(tone(1.2, 0.3, 300, 8000), 8000));
    writeFileSync(join(folder, 'phone.txt'), 'hello');
    writeFileSync(join(folder, 'no-text.wav'), wavBytes(good, 16000));
    writeFileSync(join(folder, 'no-audio.txt'), 'where is it');
    writeFileSync(join(folder, 'broken.wav'), 'RIFF....WAVEjunk');
    writeFileSync(join(folder, 'broken.txt'), 'broken');
    writeFileSync(join(folder, 'quiet.wav'), wavBytes(new Float32Array(16000), 16000));
    writeFileSync(join(folder, 'quiet.txt'), 'silence');
    writeFileSync(join(folder, 'long.wav'), wavBytes(tone(0.4, 0.3), 16000));
    writeFileSync(join(folder, 'long.txt'), 'this text cannot possibly fit in such a short clip');

    const report = await store.importFolder('Ada', folder);
    expect(report.added.map((r) => r.text).sort()).toEqual(['good morning', 'hello']);
    const phone = report.added.find((r) => r.text === 'hello')!;
    expect((await readAudioWhole(phone.audioPath)).info.sampleRate).toBe(16000);
    expect(phone.durationSec).toBeCloseTo(1.2, 2);
    const reasons = Object.fromEntries(
      report.skipped.map((s) => [s.source.split('/').pop(), s.reason]),
    );
    expect(reasons['no-text.wav']).toMatch(/no no-text\.txt/);
    expect(reasons['no-audio.txt']).toMatch(/no no-audio\.wav/);
    expect(reasons['broken.wav']).toBeTruthy();
    expect(reasons['quiet.wav']).toMatch(/silent/);
    expect(reasons['long.wav']).toMatch(/^The text is too long for .* s of audio/);

    // Importing the same folder again adds nothing.
    const again = await store.importFolder('Ada', folder);
    expect(again.added).toEqual([]);
    expect(again.skipped.filter((s) => s.reason === 'already in the profile')).toHaveLength(2);
  });

  it('imports a NeMo manifest and reports entries whose audio is missing', async () => {
    const folder = join(dir, 'nemo');
    mkdirSync(join(folder, 'wav'), { recursive: true });
    writeFileSync(join(folder, 'wav', 'a.wav'), wavBytes(tone(1, 0.2, 250), 16000));
    writeFileSync(
      join(folder, 'manifest.jsonl'),
      [
        { audio_filepath: 'wav/a.wav', duration: 1, text: 'first' },
        { audio_filepath: 'wav/missing.wav', duration: 1, text: 'second' },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n'),
    );
    const report = await store.importManifest('Ada', join(folder, 'manifest.jsonl'));
    expect(report.added.map((r) => [r.text, r.source])).toEqual([['first', 'import']]);
    expect(report.skipped).toHaveLength(1);
    expect(report.skipped[0]!.source).toContain('missing.wav');
  });

  it('adds a corrected stretch of a transcribed file as a cut clip', async () => {
    const file = join(dir, 'meeting.wav');
    const audio = new Float32Array(16000 * 4);
    audio.set(tone(1, 0.4, 330), 16000 * 2);
    writeFileSync(file, wavBytes(audio, 16000));
    const clip = await store.addCorrection('Ada', {
      audioPath: file,
      startSec: 2,
      endSec: 3,
      text: 'hark',
    });
    expect(clip.source).toBe('correction');
    expect(clip.durationSec).toBeCloseTo(1.2, 2);
    expect(clip.origin).toContain('meeting.wav 2.00-3.00');
    const { samples } = await readAudioWhole(clip.audioPath);
    // The tone starts 0.1 s (the padding) into the clip.
    expect(Math.abs(samples[1000]!)).toBeLessThan(1e-3);
    expect(Math.max(...samples.subarray(1700, 2000).map(Math.abs))).toBeGreaterThan(0.3);

    const pastTheEnd = await store
      .addCorrection('Ada', { audioPath: file, startSec: 9, endSec: 10, text: 'x' })
      .catch((e: unknown) => e);
    expect(isHarkError(pastTheEnd) && pastTheEnd.code).toBe('INVALID_ARGUMENT');
  });
});
