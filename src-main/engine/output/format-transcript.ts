import { HarkError } from '../errors';
import type { Transcript } from '../types';
import { subtitleCues, type SubtitleCue, type SubtitleCueOptions } from './subtitle-cues';

export const TRANSCRIPT_FORMATS = ['txt', 'json', 'srt', 'vtt'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/**
 * HH:MM:SS,mmm (SRT) or HH:MM:SS.mmm (WebVTT), rounded to the millisecond; hours grow past 99.
 *
 * @example
 * formatTimestamp(3725.5, 'srt'); // "01:02:05,500"
 */
export function formatTimestamp(seconds: number, style: 'srt' | 'vtt'): string {
  const totalMs = Math.max(0, Math.round(seconds * 1000));
  const ms = totalMs % 1000;
  const totalSec = (totalMs - ms) / 1000;
  const s = totalSec % 60;
  const m = Math.floor(totalSec / 60) % 60;
  const h = Math.floor(totalSec / 3600);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)}${style === 'srt' ? ',' : '.'}${String(ms).padStart(3, '0')}`;
}

/**
 * SubRip: numbered cues from 1, "start --> end" with comma milliseconds, the lines, a blank line.
 *
 * @example
 * formatSrt([{ startSec: 0, endSec: 1.5, lines: ['hello'] }]);
 * // "1\n00:00:00,000 --> 00:00:01,500\nhello\n"
 */
export function formatSrt(cues: readonly SubtitleCue[]): string {
  return cues
    .map((cue, i) => {
      const lines = cue.lines.map((line) => line.replaceAll('-->', '->'));
      return [
        String(i + 1),
        `${formatTimestamp(cue.startSec, 'srt')} --> ${formatTimestamp(cue.endSec, 'srt')}`,
        ...lines,
      ].join('\n');
    })
    .map((block) => `${block}\n`)
    .join('\n');
}

const escapeVtt = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * WebVTT: the "WEBVTT" header, a blank line, then cues ("start --> end" with dot milliseconds,
 * the lines with &, < and > escaped) separated by blank lines.
 *
 * @example
 * formatVtt([{ startSec: 0, endSec: 1.5, lines: ['hello'] }]);
 * // "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nhello\n"
 */
export function formatVtt(cues: readonly SubtitleCue[]): string {
  const blocks = cues.map((cue) =>
    [
      `${formatTimestamp(cue.startSec, 'vtt')} --> ${formatTimestamp(cue.endSec, 'vtt')}`,
      ...cue.lines.map(escapeVtt),
    ].join('\n'),
  );
  return ['WEBVTT', ...blocks].map((block) => `${block}\n`).join('\n');
}

/** Plain text: one segment a line (the transcript's text when it has no segments). */
export function formatTxt(transcript: Transcript): string {
  const lines =
    transcript.segments.length > 0
      ? transcript.segments.map((s) => s.text.trim()).filter((line) => line !== '')
      : [transcript.text.trim()].filter((line) => line !== '');
  return lines.map((line) => `${line}\n`).join('');
}

const TIME_KEYS = new Set(['startSec', 'endSec']);

/**
 * The whole transcript as indented JSON; word and segment times are rounded to the millisecond and
 * confidences to four decimals so the file reads cleanly.
 */
export function formatJson(transcript: Transcript): string {
  const json = JSON.stringify(
    transcript,
    (key, value: unknown) => {
      if (typeof value !== 'number') return value;
      if (TIME_KEYS.has(key)) return Math.round(value * 1000) / 1000;
      if (key === 'confidence') return Math.round(value * 10000) / 10000;
      return value;
    },
    2,
  );
  return `${json}\n`;
}

/**
 * A transcript as the text of a TXT, JSON, SRT or VTT file. Subtitles are split into readable cues
 * by {@link subtitleCues}; `cueOptions` tunes that.
 *
 * @example
 * await writeFile(`${name}.srt`, formatTranscript(transcript, 'srt'));
 */
export function formatTranscript(
  transcript: Transcript,
  format: TranscriptFormat,
  cueOptions?: Partial<SubtitleCueOptions>,
): string {
  switch (format) {
    case 'txt':
      return formatTxt(transcript);
    case 'json':
      return formatJson(transcript);
    case 'srt':
      return formatSrt(subtitleCues(transcript.segments, cueOptions));
    case 'vtt':
      return formatVtt(subtitleCues(transcript.segments, cueOptions));
    default:
      throw new HarkError(
        'INVALID_ARGUMENT',
        `unknown output format "${String(format)}" (use ${TRANSCRIPT_FORMATS.join(', ')})`,
      );
  }
}
