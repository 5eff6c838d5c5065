/** How long a first press waits for the second. */
export const PRESS_AGAIN_MS = 4000;

/**
 * A button that loses something asks first: its first press arms it for one thing (a profile, a
 * recording, a result) for a few seconds, and only a second press on the same thing acts.
 *
 * @example
 * const confirm = new PressTwice();
 * if (confirm.press(recording.id)) void profiles.removeRecording(recording.id);
 * // the label: confirm.armed === recording.id ? 'Press again to remove' : 'Remove'
 */
export class PressTwice {
  /** What the last first press was for, while it waits for the second. */
  armed = $state<string | undefined>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** True when this press should act: the second one on `key` in time. */
  press(key: string): boolean {
    if (this.armed === key) {
      this.disarm();
      return true;
    }
    clearTimeout(this.timer);
    this.armed = key;
    this.timer = setTimeout(() => this.disarm(), PRESS_AGAIN_MS);
    return false;
  }

  disarm(): void {
    clearTimeout(this.timer);
    this.armed = undefined;
  }
}
