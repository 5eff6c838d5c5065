import { describe, expect, it } from 'vitest';
import { checkParams, MAX_CLIP_BASE64_CHARS } from '../../../src-main/api/contract';
import { decodeClip, clipAt16k, encodeClip } from '../../../src-main/engine-host/pcm-clip';
import { transcriptModelOf } from '../../../src-main/engine-host/profile-info';

const clip = encodeClip(Float32Array.from([0, 0.5, -0.25, 1]));

/** The message of the SchemaError a request's params throw, or 'ok'. */
function verdict(name: Parameters<typeof checkParams>[0], params: unknown): string {
  try {
    checkParams(name, params);
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('voice-profile requests', () => {
  it.each([
    ['createProfile', { name: 'Ada' }, 'ok'],
    ['createProfile', { name: '' }, 'createProfile params.name must have at least 1 characters'],
    ['createProfile', { name: 'Ada', extra: 1 }, 'createProfile params.extra is not a known field'],
    ['renameProfile', { name: 'Ada' }, 'renameProfile params.newName is required'],
    ['deleteProfile', { name: 7 }, 'deleteProfile params.name must be a string, got number 7'],
    ['importProfile', {}, 'ok'],
    ['importProfile', { path: '/a.harkprofile', name: 'Bo' }, 'ok'],
    ['setActiveModel', { model: { kind: 'base' } }, 'ok'],
    ['setActiveModel', { model: { kind: 'profile', name: 'Ada' } }, 'ok'],
    [
      'setActiveModel',
      { model: { kind: 'profile' } },
      'setActiveModel params.model must be { kind: "base" } or { kind: "profile", name }',
    ],
    [
      'setActiveModel',
      { model: { kind: 'base', name: 'x' } },
      'setActiveModel params.model must be { kind: "base" } or { kind: "profile", name }',
    ],
    ['nextPrompts', { profile: 'Ada', count: 5 }, 'ok'],
    [
      'nextPrompts',
      { profile: 'Ada', count: 0 },
      'nextPrompts params.count must be between 1 and 500',
    ],
    ['checkRecording', { audio: clip }, 'ok'],
    [
      'checkRecording',
      { audio: { ...clip, sampleRate: 4000 } },
      'checkRecording params.audio.sampleRate must be between 8000 and 96000',
    ],
    [
      'checkRecording',
      { audio: { ...clip, float32Base64: 'not base64!' } },
      'checkRecording params.audio.float32Base64 must match',
    ],
    [
      'checkRecording',
      { audio: { sampleRate: 16000, samples: [0.1] } },
      'checkRecording params.audio.samples is not a known field',
    ],
    ['addRecording', { profile: 'Ada', audio: clip, text: 'hello', promptId: 'p001' }, 'ok'],
    [
      'addRecording',
      { profile: 'Ada', audio: clip, text: '' },
      'addRecording params.text must have at least 1 characters',
    ],
    [
      'addRecording',
      { profile: 'Ada', audio: clip, text: 'hi', promptId: '../p' },
      'addRecording params.promptId must match',
    ],
    ['removeRecording', { profile: 'Ada', id: 'rec-1' }, 'ok'],
    ['removeRecording', { profile: 'Ada', id: 'a/b' }, 'removeRecording params.id must match'],
    ['getRecordingUrl', { profile: 'Ada' }, 'getRecordingUrl params.id is required'],
    ['importFolder', { profile: 'Ada' }, 'ok'],
    [
      'importFiles',
      { profile: 'Ada', paths: [] },
      'importFiles params.paths must have at least 1 items',
    ],
    ['importManifest', { profile: 'Ada', path: '/m.jsonl' }, 'ok'],
    [
      'addCorrection',
      { profile: 'Ada', transcriptId: 't1', startSec: -1, endSec: 2, text: 'x' },
      'addCorrection params.startSec must be between 0 and Infinity',
    ],
    ['recognizeClip', { audio: clip, model: { kind: 'base' } }, 'ok'],
    [
      'startTraining',
      { profile: 'Ada', maxTrainingSec: 2 },
      'startTraining params.maxTrainingSec must be between 5 and 86400',
    ],
    ['startTraining', { profile: 'Ada' }, 'ok'],
    ['cancelTraining', {}, 'ok'],
    ['keepResult', {}, 'keepResult params.profile is required'],
    ['discardResult', { profile: 'Ada' }, 'ok'],
  ] as const)('%s %j → %s', (name, params, expected) => {
    const message = verdict(name, params);
    if (expected === 'ok') expect(message).toBe('ok');
    else expect(message.startsWith(expected)).toBe(true);
  });

  it('caps a clip at MAX_CLIP_BASE64_CHARS', () => {
    const huge = { sampleRate: 16000, float32Base64: 'A'.repeat(MAX_CLIP_BASE64_CHARS + 4) };
    expect(verdict('recognizeClip', { audio: huge })).toMatch(/must have at most/);
  });
});

describe('PCM clips', () => {
  it('round-trips Float32 samples through base64', () => {
    expect([...decodeClip(clip)]).toEqual([0, 0.5, -0.25, 1]);
  });

  it('refuses bytes that are not whole samples, and samples that are not numbers', () => {
    expect(() => decodeClip({ sampleRate: 16000, float32Base64: 'AAAAAAA=' })).toThrow(
      /holds 5 bytes, not a whole number of 4-byte Float32 samples/,
    );
    expect(() => decodeClip(encodeClip(Float32Array.from([0, Number.NaN])))).toThrow(
      /samples that are not numbers/,
    );
  });

  it('resamples to 16 kHz only when needed', () => {
    const second48k = new Float32Array(48000).fill(0.1);
    expect(clipAt16k(encodeClip(second48k, 48000)).length).toBe(16000);
    expect(clipAt16k(encodeClip(new Float32Array(800))).length).toBe(800);
  });
});

describe('which model made a transcript', () => {
  it('reads the profile from the model card name, anything else is a base model', () => {
    expect(transcriptModelOf({ model: { name: 'profile:Zoë K', path: '/p' } })).toEqual({
      kind: 'profile',
      name: 'Zoë K',
    });
    expect(transcriptModelOf({ model: { name: 'base-en', path: '/m' } })).toEqual({
      kind: 'base',
      name: 'base-en',
    });
  });
});
