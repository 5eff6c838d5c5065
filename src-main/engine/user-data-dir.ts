import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The folder Electron uses as userData for an app named `appName`, so the desktop app, browser
 * mode and the CLIs share history, settings and voice profiles.
 *
 * @example
 * defaultUserDataDir('Hark'); // '/home/me/.config/Hark' on Linux
 */
export function defaultUserDataDir(
  appName: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), appName);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', appName);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), appName);
}
