import { isAbsolute, resolve } from 'node:path';

/**
 * The files passed on the command line ("hark talk.wav", or the OS "open with"): everything
 * after the executable (and after the app path when run as `electron .`), except flags.
 *
 * @example
 * filesFromArgv(['/opt/Hark/hark', '--no-sandbox', 'talk.wav'], { cwd: '/home/me', isDefaultApp: false });
 * // ['/home/me/talk.wav']
 */
export function filesFromArgv(
  argv: readonly string[],
  options: { cwd: string; isDefaultApp: boolean },
): string[] {
  // Packaged: [exe, ...args]. Development (`electron . file`): [electron, '.', ...args].
  const args = argv.slice(options.isDefaultApp ? 2 : 1);
  const files: string[] = [];
  for (const arg of args) {
    if (arg === '' || arg.startsWith('-')) continue;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) continue;
    files.push(isAbsolute(arg) ? arg : resolve(options.cwd, arg));
  }
  return files;
}
