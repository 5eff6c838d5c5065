import type { MenuCommand } from '../../src-main/api/contract';

export type ShortcutAction = MenuCommand | 'next-match' | 'previous-match' | 'escape';

interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** Focus is somewhere typing happens: single-key shortcuts must not fire there. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

/**
 * The app's keyboard shortcuts (Ctrl on Windows/Linux, Cmd on macOS):
 * Ctrl+O open, Ctrl+E export, Ctrl+F find, F3 / Shift+F3 next / previous match, Ctrl+, settings,
 * Space play/pause (outside text fields), Escape closes what is open.
 */
export function shortcutFor(
  event: KeyLike,
  typing: boolean,
  isMac: boolean,
): ShortcutAction | undefined {
  const command = isMac ? event.metaKey : event.ctrlKey;
  if (command && !event.altKey) {
    switch (event.key.toLowerCase()) {
      case 'o':
        return 'open';
      case 'e':
        return 'export';
      case 'f':
        return 'find';
      case ',':
        return 'settings';
      case 'g':
        return event.shiftKey ? 'previous-match' : 'next-match';
    }
    return undefined;
  }
  if (event.key === 'F3') return event.shiftKey ? 'previous-match' : 'next-match';
  if (event.key === 'Escape') return 'escape';
  if (event.key === ' ' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
    return 'play-pause';
  }
  return undefined;
}
