import type { DecodingMethod, DecodingSettings } from '../../src-main/api/contract';
import {
  BEAM_WIDTH_RANGE,
  HOTWORD_LIMITS,
} from '../../src-main/engine/transcribe/decoding-defaults';
import type { AppState } from './AppState.svelte';

/**
 * The custom-words box as phrases: one a line, trimmed, blank lines and `#` comments dropped.
 *
 * @example
 * hotwordLines('Siobhan\n\n  new york :3 \n# names'); // ['Siobhan', 'new york :3']
 */
export function hotwordLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Why a custom-words list cannot be saved, or undefined when it can. */
export function hotwordProblem(lines: readonly string[]): string | undefined {
  if (lines.length > HOTWORD_LIMITS.maxPhrases) {
    return `At most ${HOTWORD_LIMITS.maxPhrases} words or phrases, not ${lines.length}.`;
  }
  const long = lines.find((line) => line.length > HOTWORD_LIMITS.maxPhraseLength);
  if (long !== undefined) {
    // Quoted, not numbered: comments and blank lines make a count of phrases miss the box's lines.
    return `“${long.slice(0, 30)}…” is longer than ${HOTWORD_LIMITS.maxPhraseLength} characters.`;
  }
  return undefined;
}

/**
 * The decoding part of the settings dialog: the method, the beam width, and the custom-words
 * list being edited (saved on request, so typing does not restart anything).
 *
 * @example
 * const decoding = new DecodingSettingsState(app);
 * decoding.hotwordsText = 'Siobhan\nKubernetes';
 * await decoding.saveHotwords();
 */
export class DecodingSettingsState {
  private readonly app: AppState;
  /** The box as typed; null while untouched (it then shows what is saved). */
  private typed = $state<string | null>(null);
  saving = $state(false);
  error = $state<string | undefined>();

  constructor(app: AppState) {
    this.app = app;
  }

  get current(): DecodingSettings | undefined {
    return this.app.settings?.decoding;
  }

  get hotwordsText(): string {
    return this.typed ?? (this.current?.hotwords ?? []).join('\n');
  }

  set hotwordsText(text: string) {
    this.typed = text;
    this.error = undefined;
  }

  /** The box differs from what is saved. */
  get dirty(): boolean {
    if (this.typed === null) return false;
    return hotwordLines(this.typed).join('\n') !== (this.current?.hotwords ?? []).join('\n');
  }

  get problem(): string | undefined {
    return this.typed === null ? undefined : hotwordProblem(hotwordLines(this.typed));
  }

  async setMethod(method: DecodingMethod): Promise<void> {
    await this.update({ method });
  }

  async setBeamWidth(beamWidth: number): Promise<void> {
    if (
      !Number.isInteger(beamWidth) ||
      beamWidth < BEAM_WIDTH_RANGE.min ||
      beamWidth > BEAM_WIDTH_RANGE.max
    ) {
      this.error = `The beam width must be a whole number from ${BEAM_WIDTH_RANGE.min} to ${BEAM_WIDTH_RANGE.max}.`;
      return;
    }
    await this.update({ beamWidth });
  }

  async saveHotwords(): Promise<void> {
    if (this.typed === null) return;
    const hotwords = hotwordLines(this.typed);
    const problem = hotwordProblem(hotwords);
    if (problem) {
      this.error = problem;
      return;
    }
    if (await this.update({ hotwords })) this.typed = null;
  }

  /** Back to what is saved. */
  revertHotwords(): void {
    this.typed = null;
    this.error = undefined;
  }

  private async update(decoding: Partial<DecodingSettings>): Promise<boolean> {
    this.saving = true;
    this.error = undefined;
    try {
      this.app.settings = await this.app.client.call('updateSettings', { decoding });
      return true;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      return false;
    } finally {
      this.saving = false;
    }
  }
}
