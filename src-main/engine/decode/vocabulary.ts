import { HarkError } from '../errors';

/** Names a CTC blank can have, in the order sherpa-onnx looks for them (offline-recognizer-ctc-impl.h). */
const BLANK_NAMES = ['<blk>', '<eps>', '<blank>'] as const;

/** The word-boundary marker of SentencePiece vocabularies (U+2581 LOWER ONE EIGHTH BLOCK). */
export const WORD_BOUNDARY = '\u2581';

/**
 * A model's output vocabulary, read from `tokens.txt` (one `symbol id` a line, the format
 * sherpa-onnx reads). Ids must be 0..size-1, each once. The blank is found by name (`<blk>`, or
 * `<eps>` / `<blank>` as sherpa-onnx also accepts); NeMo models put it last.
 *
 * @example
 * const vocab = Vocabulary.parse(await readFile(path, 'utf8'), path);
 * vocab.blankId; // e.g. 28
 * vocab.symbol(3); // "c"
 */
export class Vocabulary {
  readonly size: number;
  readonly blankId: number;
  private readonly symbols: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;

  private constructor(symbols: string[], blankId: number) {
    this.symbols = symbols;
    this.size = symbols.length;
    this.blankId = blankId;
    this.ids = new Map(symbols.map((symbol, id) => [symbol, id]));
  }

  /**
   * Parses tokens.txt text. `source` (usually the file path) names the file in errors.
   * A line holding only an id stands for the space symbol (a char vocabulary's word separator
   * written literally as " 3").
   */
  static parse(text: string, source: string): Vocabulary {
    const byId = new Map<number, string>();
    const lines = text.split('\n');
    lines.forEach((raw, index) => {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim() === '') return;
      const match = /^(.*?)[ \t]+(\d+)[ \t]*$/.exec(line) ?? /^()(\d+)$/.exec(line);
      if (!match) {
        throw new HarkError('MODEL_INVALID', `line ${index + 1} is not "symbol id": ${line}`, {
          file: source,
        });
      }
      const symbol = match[1] === '' ? ' ' : match[1]!;
      const id = Number(match[2]);
      if (byId.has(id)) {
        throw new HarkError('MODEL_INVALID', `line ${index + 1}: id ${id} appears twice`, {
          file: source,
        });
      }
      byId.set(id, symbol);
    });
    if (byId.size === 0) {
      throw new HarkError('MODEL_INVALID', 'the vocabulary is empty', { file: source });
    }
    const symbols: string[] = [];
    for (let id = 0; id < byId.size; id++) {
      const symbol = byId.get(id);
      if (symbol === undefined) {
        throw new HarkError(
          'MODEL_INVALID',
          `not a model's token list: the ids should run from 0 to ${byId.size - 1} without a gap, and ${id} is missing`,
          { file: source },
        );
      }
      symbols.push(symbol);
    }
    const seen = new Set<string>();
    for (const symbol of symbols) {
      if (seen.has(symbol)) {
        throw new HarkError('MODEL_INVALID', `symbol "${symbol}" appears twice`, { file: source });
      }
      seen.add(symbol);
    }
    const blankName = BLANK_NAMES.find((name) => seen.has(name));
    if (blankName === undefined) {
      throw new HarkError('MODEL_INVALID', 'no blank token (<blk>) in the vocabulary', {
        file: source,
      });
    }
    return new Vocabulary(symbols, symbols.indexOf(blankName));
  }

  /** The symbol of `id`; throws a RangeError outside 0..size-1. */
  symbol(id: number): string {
    const symbol = this.symbols[id];
    if (symbol === undefined) throw new RangeError(`token id ${id} is outside 0..${this.size - 1}`);
    return symbol;
  }

  /** The id of `symbol`, or undefined. */
  idOf(symbol: string): number | undefined {
    return this.ids.get(symbol);
  }

  /**
   * True for tokens that carry no text: the blank and other `<...>` specials such as `<unk>`,
   * `<pad>`, `<s>` (but not byte tokens like `<0x41>`, which Hark does not decode and skips too).
   */
  isSpecial(id: number): boolean {
    const symbol = this.symbol(id);
    return (
      id === this.blankId || (symbol.length > 2 && symbol.startsWith('<') && symbol.endsWith('>'))
    );
  }
}
