import { describe, expect, it } from 'vitest';
import { segmentFromWords, wordsToSegments } from '../../../src-main/engine/decode';
import { HarkError } from '../../../src-main/engine/errors';
import {
  formatTimestamp,
  formatTranscript,
  subtitleCues,
  type TranscriptFormat,
} from '../../../src-main/engine/output';
import type { Segment, Transcript, Word } from '../../../src-main/engine/types';

// ---- fixtures ----

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A few minutes of made-up words with pauses and sentence ends, in time order. */
function syntheticWords(count: number, seed = 1): Word[] {
  const random = seeded(seed);
  const words: Word[] = [];
  let t = 0.3;
  for (let i = 0; i < count; i++) {
    const letters = 1 + Math.floor(random() * 11);
    let text = Array.from({ length: letters }, () =>
      String.fromCharCode(97 + Math.floor(random() * 26)),
    ).join('');
    if (random() < 0.08) text += '.';
    const duration = 0.1 + letters * 0.05 * (0.5 + random());
    words.push({ text, startSec: t, endSec: t + duration, confidence: random() });
    t += duration + (random() < 0.1 ? 0.4 + random() * 2 : random() * 0.15);
  }
  return words;
}

function transcriptOf(segments: Segment[]): Transcript {
  return {
    text: segments.map((s) => s.text).join(' '),
    segments,
    model: { name: 'test', path: '/models/test' },
    device: { provider: 'cpu', rejected: [{ provider: 'cuda', reason: 'not installed' }] },
    audio: {
      path: '/tmp/in.wav',
      durationSec: 300,
      sampleRate: 16000,
      channels: 1,
      format: 'PCM 16-bit',
    },
    realTimeFactor: 0.05,
    timings: { audioSec: 0.1, featuresSec: 0.2, modelSec: 1, decodingSec: 0.01, totalSec: 1.31 },
  };
}

// ---- a small subtitle parser, written from the SRT / WebVTT formats ----

interface ParsedCue {
  index?: number;
  startSec: number;
  endSec: number;
  lines: string[];
}

function parseTime(text: string, separator: ',' | '.'): number {
  const match = new RegExp(`^(\\d{2,}):([0-5]\\d):([0-5]\\d)\\${separator}(\\d{3})$`).exec(text);
  if (!match) throw new Error(`bad timestamp "${text}"`);
  return (
    Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]) + Number(match[4]) / 1000
  );
}

function parseSubtitles(text: string, kind: 'srt' | 'vtt'): ParsedCue[] {
  expect(text.includes('\r')).toBe(false);
  let body = text;
  if (kind === 'vtt') {
    expect(text.startsWith('WEBVTT\n\n') || text === 'WEBVTT\n').toBe(true);
    body = text.slice('WEBVTT\n'.length);
  }
  const blocks = body
    .split('\n\n')
    .map((b) => b.replace(/^\n+|\n+$/g, ''))
    .filter((b) => b !== '');
  return blocks.map((block) => {
    const lines = block.split('\n');
    let index: number | undefined;
    if (kind === 'srt') {
      expect(lines[0]).toMatch(/^\d+$/);
      index = Number(lines.shift());
    }
    const timing = /^(\S+) --> (\S+)$/.exec(lines.shift() ?? '');
    if (!timing) throw new Error(`bad timing line in block:\n${block}`);
    const separator = kind === 'srt' ? ',' : '.';
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.trim()).not.toBe('');
    return {
      index,
      startSec: parseTime(timing[1]!, separator),
      endSec: parseTime(timing[2]!, separator),
      lines,
    };
  });
}

const unescapeVtt = (s: string) =>
  s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

function checkCues(cues: ParsedCue[], segments: Segment[]): void {
  let previousEnd = 0;
  for (const cue of cues) {
    expect(cue.startSec).toBeGreaterThanOrEqual(previousEnd);
    expect(cue.endSec).toBeGreaterThanOrEqual(cue.startSec);
    expect(cue.endSec - cue.startSec).toBeLessThanOrEqual(7 + 1e-9);
    expect(cue.lines.length).toBeLessThanOrEqual(2);
    for (const line of cue.lines) expect([...line].length).toBeLessThanOrEqual(42);
    previousEnd = cue.endSec;
  }
  const said = segments.map((s) => s.text).join(' ');
  expect(cues.map((c) => c.lines.join(' ')).join(' ')).toBe(said);
}

// ---- tests ----

describe('formatTimestamp', () => {
  it('writes HH:MM:SS,mmm for SRT and HH:MM:SS.mmm for VTT, rounded to the millisecond', () => {
    expect(formatTimestamp(0, 'srt')).toBe('00:00:00,000');
    expect(formatTimestamp(3725.5, 'srt')).toBe('01:02:05,500');
    expect(formatTimestamp(59.9996, 'vtt')).toBe('00:01:00.000');
    expect(formatTimestamp(0.0404, 'vtt')).toBe('00:00:00.040');
    expect(formatTimestamp(360000.25, 'vtt')).toBe('100:00:00.250');
  });
});

describe('subtitles', () => {
  const segments = wordsToSegments(syntheticWords(600));
  const transcript = transcriptOf(segments);

  it('writes valid SRT: numbered from 1, readable cues, all text in order', () => {
    const srt = formatTranscript(transcript, 'srt');
    const cues = parseSubtitles(srt, 'srt');
    expect(cues.map((c) => c.index)).toEqual(cues.map((_, i) => i + 1));
    expect(cues.length).toBeGreaterThan(segments.length); // long segments were split
    checkCues(cues, segments);
  });

  it('writes valid WebVTT with the header and escaped text', () => {
    const words: Word[] = [
      { text: 'a<b>', startSec: 0.5, endSec: 1, confidence: 1 },
      { text: 'tom&jerry', startSec: 1, endSec: 1.6, confidence: 1 },
    ];
    const tricky = [
      ...segments,
      segmentFromWords(
        words.map((w) => ({ ...w, startSec: w.startSec + 1000, endSec: w.endSec + 1000 })),
      ),
    ];
    const vtt = formatTranscript(transcriptOf(tricky), 'vtt');
    expect(vtt).toContain('a&lt;b&gt; tom&amp;jerry');
    const cues = parseSubtitles(vtt, 'vtt').map((c) => ({ ...c, lines: c.lines.map(unescapeVtt) }));
    checkCues(cues, tricky);
  });

  it('times each cue by its own words', () => {
    const cues = subtitleCues(segments);
    const words = segments.flatMap((s) => s.words);
    let next = 0;
    for (const cue of cues) {
      const count = cue.lines.join(' ').split(' ').length;
      const first = words[next]!;
      const last = words[next + count - 1]!;
      expect(cue.startSec).toBeCloseTo(first.startSec, 9);
      expect(cue.endSec).toBeGreaterThanOrEqual(Math.min(last.endSec, first.startSec + 7) - 1e-9);
      next += count;
    }
    expect(next).toBe(words.length);
  });

  it('balances two lines and obeys narrower limits', () => {
    const words = 'the quick brown fox jumps over the lazy dog and keeps running far away'
      .split(' ')
      .map((text, i) => ({ text, startSec: i * 0.3, endSec: i * 0.3 + 0.25, confidence: 1 }));
    const [first] = subtitleCues([segmentFromWords(words)]);
    const [top, bottom] = first!.lines;
    expect(Math.abs(top!.length - bottom!.length)).toBeLessThanOrEqual(8);
    const narrow = subtitleCues([segmentFromWords(words)], {
      maxCharsPerLine: 16,
      maxLines: 1,
      maxCueSec: 1,
    });
    for (const cue of narrow) {
      expect(cue.lines).toHaveLength(1);
      expect(cue.lines[0]!.length).toBeLessThanOrEqual(16);
      expect(cue.endSec - cue.startSec).toBeLessThanOrEqual(1 + 1e-9);
    }
    expect(narrow.map((c) => c.lines[0]).join(' ')).toBe(words.map((w) => w.text).join(' '));
  });

  it('ends a full cue after a comma in its second half', () => {
    const text =
      'after the long rain had finally stopped for good, the children ran outside to play in the puddles';
    const words = text
      .split(' ')
      .map((t, i) => ({ text: t, startSec: i * 0.2, endSec: i * 0.2 + 0.15, confidence: 1 }));
    const cues = subtitleCues([segmentFromWords(words)]);
    expect(cues[0]!.lines.join(' ')).toBe('after the long rain had finally stopped for good,');
    expect(cues.map((c) => c.lines.join(' ')).join(' ')).toBe(text);
  });

  it('handles a word longer than a line and a word longer than a cue', () => {
    const long = 'x'.repeat(100);
    const segment = segmentFromWords([
      { text: long, startSec: 0, endSec: 2, confidence: 1 },
      { text: 'drawn', startSec: 2, endSec: 12, confidence: 1 },
    ]);
    const cues = parseSubtitles(formatTranscript(transcriptOf([segment]), 'srt'), 'srt');
    expect(cues.flatMap((c) => c.lines).join('')).toBe(`${long}drawn`);
    for (const cue of cues) {
      expect(cue.endSec - cue.startSec).toBeLessThanOrEqual(7);
      for (const line of cue.lines) expect(line.length).toBeLessThanOrEqual(42);
    }
  });

  it('spreads an edited segment’s text over its time when its words no longer match', () => {
    const original = segmentFromWords([
      { text: 'helo', startSec: 10, endSec: 10.5, confidence: 0.4 },
      { text: 'wrld', startSec: 10.6, endSec: 11, confidence: 0.5 },
    ]);
    const edited: Segment = { ...original, text: 'Hello, wonderful world!' };
    const cues = subtitleCues([edited]);
    expect(cues).toHaveLength(1);
    expect(cues[0]!.lines).toEqual(['Hello, wonderful world!']);
    expect(cues[0]!.startSec).toBe(10);
    expect(cues[0]!.endSec).toBeCloseTo(11, 9);
  });

  it('writes an empty but valid file for an empty transcript', () => {
    expect(formatTranscript(transcriptOf([]), 'vtt')).toBe('WEBVTT\n');
    expect(formatTranscript(transcriptOf([]), 'srt')).toBe('');
  });
});

describe('txt and json', () => {
  const segments = wordsToSegments(syntheticWords(80, 5));
  const transcript = transcriptOf(segments);

  it('TXT holds one segment a line', () => {
    const txt = formatTranscript(transcript, 'txt');
    expect(txt.endsWith('\n')).toBe(true);
    expect(txt.trimEnd().split('\n')).toEqual(segments.map((s) => s.text));
  });

  it('JSON holds the whole transcript with times to the millisecond', () => {
    const parsed = JSON.parse(formatTranscript(transcript, 'json')) as Transcript;
    expect(parsed.model).toEqual(transcript.model);
    expect(parsed.device).toEqual(transcript.device);
    expect(parsed.audio).toEqual(transcript.audio);
    expect(parsed.realTimeFactor).toBe(transcript.realTimeFactor);
    expect(parsed.text).toBe(transcript.text);
    const words = parsed.segments.flatMap((s) => s.words);
    const original = segments.flatMap((s) => s.words);
    expect(words.map((w) => w.text)).toEqual(original.map((w) => w.text));
    words.forEach((w, i) => {
      expect(Math.abs(w.startSec - original[i]!.startSec)).toBeLessThanOrEqual(0.0005);
      expect(Math.abs(w.endSec - original[i]!.endSec)).toBeLessThanOrEqual(0.0005);
      expect(Math.abs(w.confidence - original[i]!.confidence)).toBeLessThanOrEqual(0.00005);
      expect(String(w.startSec).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(3);
    });
  });

  it('rejects an unknown format with a HarkError', () => {
    expect(() => formatTranscript(transcript, 'docx' as TranscriptFormat)).toThrow(HarkError);
  });
});
