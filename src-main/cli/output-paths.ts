/** Where the CLI writes each output. */
import path from 'node:path';

/**
 * The output for `input`: `DIR/NAME.FORMAT` for `NAME.wav`, beside the input without an output
 * folder.
 *
 * @example
 * outputPathFor('rec/talk.wav', 'srt', 'subs'); // 'subs/talk.srt'
 * outputPathFor('rec/talk.wav', 'txt', undefined); // 'rec/talk.txt'
 */
export function outputPathFor(input: string, format: string, outDir: string | undefined): string {
  const name = path.basename(input, path.extname(input)) || path.basename(input);
  return path.join(outDir ?? path.dirname(input), `${name}.${format}`);
}
