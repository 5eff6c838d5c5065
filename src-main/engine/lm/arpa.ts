import { HarkError } from '../errors';
import { LOG10_ZERO, NgramModel, type NgramOrderEntries } from './ngram-model';

/** Parses a log10 value as ARPA writers print it ("-inf" from some tools means never). */
function parseLog10(text: string): number {
  if (text === '-inf' || text === '-Infinity') return LOG10_ZERO;
  return Number(text);
}

/**
 * Reads a language model in the ARPA text format (SRILM, KenLM, Hark's `npm run lm`):
 * a `\data\` section with `ngram N=count` lines, then `\N-grams:` sections of
 * `log10prob w1 ... wN [log10backoff]` lines, then `\end\`. Text before `\data\` is ignored.
 * The declared counts must match. HarkError MODEL_INVALID names the file and the line.
 *
 * @example
 * const model = parseArpa(await readFile('lm.arpa', 'utf8'), 'lm.arpa');
 * model.order; // 3
 */
export function parseArpa(text: string, source: string): NgramModel {
  let lineNumber = 0;
  const fail = (message: string): never => {
    throw new HarkError('MODEL_INVALID', `line ${lineNumber}: ${message}`, { file: source });
  };
  const lines = text.split('\n');
  let index = 0;
  const next = (): string | undefined => {
    while (index < lines.length) {
      lineNumber = index + 1;
      const line = lines[index++]!.trim();
      if (line !== '') return line;
    }
    lineNumber = lines.length;
    return undefined;
  };

  let line = next();
  while (line !== undefined && line !== '\\data\\') line = next();
  if (line === undefined) fail('no \\data\\ section: not an ARPA file');
  const declared: number[] = [];
  for (line = next(); line !== undefined && line.startsWith('ngram '); line = next()) {
    const match = /^ngram\s+(\d+)\s*=\s*(\d+)$/.exec(line);
    if (!match || Number(match[1]) !== declared.length + 1) fail(`bad count line "${line}"`);
    declared.push(Number(match![2]));
  }
  if (declared.length === 0) fail('no "ngram N=count" lines');
  const order = declared.length;

  const words = new Map<string, number>();
  const vocabulary: string[] = [];
  const orders: NgramOrderEntries[] = [];
  for (let n = 1; n <= order; n++) {
    if (line !== `\\${n}-grams:`) fail(`expected \\${n}-grams:, found "${line ?? 'the end'}"`);
    const count = declared[n - 1]!;
    const ids = new Uint32Array(count * n);
    const prob = new Float32Array(count);
    const backoff = n < order ? new Float32Array(count) : undefined;
    let i = 0;
    for (line = next(); line !== undefined && !line.startsWith('\\'); line = next()) {
      if (i >= count) fail(`more ${n}-grams than the ${count} declared`);
      const fields = line.split(/\s+/);
      if (fields.length !== n + 1 && fields.length !== n + 2) {
        fail(`a ${n}-gram line needs ${n + 1} or ${n + 2} fields: "${line}"`);
      }
      if (fields.length === n + 2 && n === order) fail(`a highest-order n-gram has a backoff`);
      const logProb = parseLog10(fields[0]!);
      if (!Number.isFinite(logProb) || logProb > 1e-6) fail(`bad log10 probability "${fields[0]}"`);
      prob[i] = logProb;
      for (let k = 0; k < n; k++) {
        const word = fields[k + 1]!;
        let id = words.get(word);
        if (id === undefined) {
          if (n > 1) fail(`the word "${word}" has no unigram`);
          id = vocabulary.length;
          words.set(word, id);
          vocabulary.push(word);
        }
        ids[i * n + k] = id;
      }
      if (backoff && fields.length === n + 2) {
        const value = parseLog10(fields[n + 1]!);
        if (!Number.isFinite(value)) fail(`bad backoff "${fields[n + 1]}"`);
        backoff[i] = value;
      }
      i++;
    }
    if (i !== count) fail(`${i} ${n}-grams where ${count} were declared`);
    orders.push({ ids, prob, ...(backoff ? { backoff } : {}) });
  }
  if (line !== '\\end\\') fail(`expected \\end\\, found "${line ?? 'the end of the file'}"`);
  return NgramModel.fromEntries({ vocabulary, orders }, source);
}

/** A log10 value as ARPA prints it: 7 significant digits, 0 without a sign. */
function formatLog10(value: number): string {
  if (value === 0) return '0';
  return String(Number(value.toPrecision(7)));
}

/**
 * Writes a model as ARPA text, n-grams sorted by word ids (itself sorted by spelling), backoff
 * weights printed only where they are not 0.
 *
 * @example
 * await writeFile('lm.arpa', formatArpa(model));
 */
export function formatArpa(model: NgramModel): string {
  const parts: string[] = ['\\data\\\n'];
  model.levels.forEach((level, k) => parts.push(`ngram ${k + 1}=${level.count}\n`));
  model.levels.forEach((level, k) => {
    const n = k + 1;
    parts.push(`\n\\${n}-grams:\n`);
    const rows = model.rows(n);
    const lines: string[] = new Array<string>(level.count);
    for (let i = 0; i < level.count; i++) {
      const words: string[] = [];
      for (let j = 0; j < n; j++) words.push(model.vocabulary[rows[i * n + j]!]!);
      const backoff = level.backoff?.get(i) ?? 0;
      lines[i] =
        `${formatLog10(level.prob.get(i))}\t${words.join(' ')}` +
        (backoff !== 0 ? `\t${formatLog10(backoff)}` : '');
    }
    parts.push(lines.join('\n'), '\n');
  });
  parts.push('\n\\end\\\n');
  return parts.join('');
}
