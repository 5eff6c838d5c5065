export {
  formatTranscript,
  formatSrt,
  formatVtt,
  formatTxt,
  formatJson,
  formatTimestamp,
  TRANSCRIPT_FORMATS,
  type TranscriptFormat,
} from './format-transcript';
export {
  subtitleCues,
  layoutLines,
  DEFAULT_CUE_OPTIONS,
  type SubtitleCue,
  type SubtitleCueOptions,
} from './subtitle-cues';
