import type { Transcript, WordEdits } from './contract';

/** The key of a word in WordEdits. */
export function wordKey(segmentIndex: number, wordIndex: number): string {
  return `${segmentIndex}:${wordIndex}`;
}

/** Normalises a correction typed by the user: one line, single spaces, trimmed. */
export function cleanCorrection(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The transcript as the user wants it: the model's output with their corrections applied.
 * The model's output is not modified; a correction of '' removes the word.
 *
 * @example
 * applyEdits(transcript, { '0:1': 'world' }).segments[0].words[1].text; // 'world'
 */
export function applyEdits(transcript: Transcript, edits: WordEdits): Transcript {
  if (Object.keys(edits).length === 0) return transcript;
  const segments = transcript.segments.map((segment, segmentIndex) => {
    let changed = false;
    const words = [];
    for (const [wordIndex, word] of segment.words.entries()) {
      const edit = edits[wordKey(segmentIndex, wordIndex)];
      if (edit === undefined) {
        words.push(word);
        continue;
      }
      changed = true;
      const text = cleanCorrection(edit);
      if (text !== '') words.push({ ...word, text });
    }
    if (!changed) return segment;
    return { ...segment, words, text: words.map((word) => word.text).join(' ') };
  });
  const text = segments
    .map((segment) => segment.text)
    .filter((part) => part !== '')
    .join(' ');
  return { ...transcript, segments, text };
}

/** How many words the user corrected. */
export function countEdits(edits: WordEdits): number {
  return Object.keys(edits).length;
}
