/**
 * Transcribes cached hidden states with the trainable part of the model and any weights a run
 * holds at the moment: validation WER between steps without exporting a model.
 */
import type { AcousticModelConfig } from '../acoustic/config';
import { characterTokens } from '../dataset/character-tokens';
import { greedyCtcDecode } from '../decode';
import { HarkError } from '../errors';
import { openSession, type DeviceChoice, type RuntimeSession } from '../runtime/onnx-runtime';
import { charErrorRate, wordErrorRate } from '../text/error-rate';
import type { ParameterSet } from '../train/parameters';
import {
  buildSuffixScorer,
  isTrainable,
  SCORER_OUTPUT,
  type SplitOptions,
} from './finetune-graphs';
import type { LogProbRows } from './blank-calibration';
import { suffixFeeds, type HiddenUtterance } from './hidden-states';
import { cachedWidth } from './split-model';

/** Word and character error rates of a set of transcripts. */
export interface ErrorRates {
  wer: number;
  cer: number;
}

const SCORER_BATCH_SEC = 60;
const SYMBOLS = characterTokens().map((s) => (s === '\u2581' ? ' ' : s));

/**
 * @example
 * const scorer = await SuffixScorer.open(parameters, config, { frozenBlocks: 6 }, { threads: 2 });
 * const { wer } = await scorer.errorRates(validation, (name) => trainer.parameter(name));
 */
export class SuffixScorer {
  private constructor(
    private readonly session: RuntimeSession,
    private readonly config: AcousticModelConfig,
    private readonly trainableNames: string[],
    /** Width of a cached frame (split-model.ts cachedWidth). */
    private readonly width: number,
  ) {}

  static async open(
    parameters: ParameterSet,
    config: AcousticModelConfig,
    split: SplitOptions,
    options: { device?: DeviceChoice; threads?: number } = {},
  ): Promise<SuffixScorer> {
    const session = await openSession(buildSuffixScorer(parameters, config, split), {
      device: options.device ?? 'cpu',
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      warmUpFeeds: 'skip',
      label: 'fine-tuning scorer',
    });
    return new SuffixScorer(
      session,
      config,
      parameters.names.filter((name) => isTrainable(name, split)),
      cachedWidth(config, split),
    );
  }

  /**
   * Calls `visit(index, rows, numFrames)` with each item's log-probabilities (numFrames × V,
   * row-major, a view valid only during the call) under the trainable weights `weight(name)`.
   */
  private async forEachPosterior(
    items: readonly HiddenUtterance[],
    weight: (name: string) => Float32Array,
    parameters: ParameterSet,
    visit: (index: number, rows: Float32Array, numFrames: number) => void,
  ): Promise<void> {
    const weights = Object.fromEntries(
      this.trainableNames.map((name) => [
        name,
        { type: 'float32' as const, data: weight(name), dims: parameters.spec(name).dims },
      ]),
    );
    const order = items.map((_, i) => i).sort((a, b) => items[a]!.frames - items[b]!.frames);
    for (let start = 0; start < order.length;) {
      let end = start + 1;
      while (
        end < order.length &&
        items[order[end]!]!.durationSec * (end - start + 1) <= SCORER_BATCH_SEC
      ) {
        end++;
      }
      const members = order.slice(start, end).map((i) => items[i]!);
      const out = await this.session.run({
        ...suffixFeeds(members, this.width, { withTargets: false }),
        ...weights,
      });
      const logProbs = out[SCORER_OUTPUT];
      if (logProbs?.type !== 'float32')
        throw new HarkError('INTERNAL', 'the scorer returned nothing');
      const [, paddedFrames, vocabSize] = logProbs.dims as [number, number, number];
      members.forEach((u, b) => {
        // The model's own output length (⌊T/4⌋), as decoding counts frames.
        const numFrames = Math.min(
          paddedFrames,
          Math.floor(u.featureFrames / this.config.subsamplingFactor),
        );
        const rows = logProbs.data.subarray(
          b * paddedFrames * vocabSize,
          (b * paddedFrames + numFrames) * vocabSize,
        );
        visit(order[start + b]!, rows, numFrames);
      });
      start = end;
    }
  }

  /** Greedy transcripts of `items` with the trainable weights `weight(name)` gives. */
  async transcribe(
    items: readonly HiddenUtterance[],
    weight: (name: string) => Float32Array,
    parameters: ParameterSet,
  ): Promise<string[]> {
    const texts: string[] = new Array(items.length);
    const vocabSize = this.config.vocabSize;
    await this.forEachPosterior(items, weight, parameters, (index, rows, numFrames) => {
      const tokens = greedyCtcDecode(rows, { numFrames, vocabSize, blankId: vocabSize - 1 });
      texts[index] = tokens
        .map((t) => SYMBOLS[t.id] ?? '')
        .join('')
        .replace(/\s+/g, ' ')
        .trim();
    });
    return texts;
  }

  /**
   * Each item's posteriors (probabilities, not logs: numFrames × V row-major) under the weights
   * `weight(name)`: the targets distillation pulls a run towards.
   */
  async posteriors(
    items: readonly HiddenUtterance[],
    weight: (name: string) => Float32Array,
    parameters: ParameterSet,
  ): Promise<Float32Array[]> {
    const logProbs = await this.logProbabilities(items, weight, parameters);
    return logProbs.map(({ rows }) => rows.map(Math.exp));
  }

  /** Each item's log-probabilities (a copy: numFrames × V row-major) under the weights `weight(name)`. */
  async logProbabilities(
    items: readonly HiddenUtterance[],
    weight: (name: string) => Float32Array,
    parameters: ParameterSet,
  ): Promise<LogProbRows[]> {
    const out: LogProbRows[] = new Array(items.length);
    await this.forEachPosterior(items, weight, parameters, (index, rows, numFrames) => {
      out[index] = { rows: rows.slice(), numFrames };
    });
    return out;
  }

  /** WER and CER of the greedy transcripts against the utterances' texts. */
  async errorRates(
    items: readonly HiddenUtterance[],
    weight: (name: string) => Float32Array,
    parameters: ParameterSet,
  ): Promise<ErrorRates & { hypotheses: string[] }> {
    const hypotheses = await this.transcribe(items, weight, parameters);
    const references = items.map((u) => u.text);
    return {
      wer: wordErrorRate(references, hypotheses).rate,
      cer: charErrorRate(references, hypotheses).rate,
      hypotheses,
    };
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}
