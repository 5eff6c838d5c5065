/**
 * The engine's decoding choice, resolved once per engine: greedy CTC, or CTC prefix beam search
 * with an optional n-gram language model (loaded here, once) and hotwords. LM weights come from
 * the caller, else from the LM's card (`lm.json` → `decoding`, written by scripts/lm/tune.ts),
 * else from DEFAULT_LM_WEIGHTS.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { DEFAULT_LM_WEIGHTS, HotwordTrie, type Hotword } from '../decode/beam';
import { HarkError } from '../errors';
import { loadLanguageModel, readLanguageModelCard, type NgramModel } from '../lm';
import type { DecodingReport } from '../types';
import {
  BEAM_WIDTH_RANGE,
  DECODING_METHODS,
  DEFAULT_DECODING,
  type DecodingMethod,
} from './decoding-defaults';

export interface DecodingOptions {
  /** 'greedy' (best path) or 'beam' (CTC prefix beam search). */
  method: DecodingMethod;
  /** Beam search: hypotheses kept per frame. Default 16. */
  beamWidth?: number;
  /** Beam search: a language-model folder or file (lm.bin, lm.arpa, lm.arpa.gz); null: none. */
  lmDir?: string | null;
  /** LM weight α; default from the LM's lm.json, else DEFAULT_LM_WEIGHTS. */
  alpha?: number;
  /** Word insertion bonus β in nats; default as for α. */
  beta?: number;
  /** Beam search: words and phrases to boost ("siobhan", { phrase: 'new york', boost: 3 }). */
  hotwords?: readonly (string | Hotword)[];
  /** Beam search: at most this many tokens per frame start new prefixes. Default 3. */
  maxTokensPerFrame?: number;
}

/** A decoding choice checked and with its resources loaded; shared by every file an engine reads. */
export interface PreparedDecoding {
  readonly method: DecodingMethod;
  readonly beamWidth: number;
  readonly maxTokensPerFrame: number;
  readonly lm: NgramModel | undefined;
  readonly languageModel: { name: string; path: string } | null;
  readonly alpha: number;
  readonly beta: number;
  /** The hotword phrases as given, and the trie built from them. */
  readonly hotwordList: readonly (string | Hotword)[];
  readonly hotwords: HotwordTrie;
}

/** Greedy CTC decoding: needs nothing loaded. */
export const GREEDY_DECODING: PreparedDecoding = Object.freeze({
  method: 'greedy',
  beamWidth: DEFAULT_DECODING.beamWidth,
  maxTokensPerFrame: DEFAULT_DECODING.maxTokensPerFrame,
  lm: undefined,
  languageModel: null,
  alpha: DEFAULT_LM_WEIGHTS.alpha,
  beta: DEFAULT_LM_WEIGHTS.beta,
  hotwordList: [],
  hotwords: new HotwordTrie([]),
});

function invalid(message: string): HarkError {
  return new HarkError('INVALID_ARGUMENT', message);
}

function weightFromCard(value: unknown, name: string, cardDir: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new HarkError('MODEL_INVALID', `decoding.${name} must be a number`, {
      file: resolve(cardDir, 'lm.json'),
    });
  }
  return value;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function checkWeight(value: number | undefined, name: string): number | undefined {
  if (value !== undefined && !Number.isFinite(value)) {
    throw invalid(`${name} must be a finite number, got ${value}`);
  }
  return value;
}

/**
 * Checks a decoding choice and loads what it needs (the LM, the hotword trie). Errors:
 * INVALID_ARGUMENT (unknown method, bad beam width or weight, hotwords or an LM with greedy
 * decoding), MODEL_NOT_FOUND / MODEL_INVALID naming the LM file.
 *
 * @example
 * const decoding = await prepareDecoding({ method: 'beam', lmDir: 'models/lm-en', hotwords: ['siobhan'] });
 * decodingReport(decoding); // { method: 'beam', beamWidth: 16, languageModel: { name: 'lm-en', ... }, ... }
 */
export async function prepareDecoding(
  options: DecodingOptions | undefined,
): Promise<PreparedDecoding> {
  // The engine's own default is greedy, whatever the CLI and the app default to.
  const method = options?.method ?? 'greedy';
  if (!(DECODING_METHODS as readonly string[]).includes(method)) {
    throw invalid(`decoding method must be one of ${DECODING_METHODS.join(', ')}, got "${method}"`);
  }
  const beamWidth = options?.beamWidth ?? DEFAULT_DECODING.beamWidth;
  if (
    !Number.isInteger(beamWidth) ||
    beamWidth < BEAM_WIDTH_RANGE.min ||
    beamWidth > BEAM_WIDTH_RANGE.max
  ) {
    throw invalid(
      `beam width must be a whole number from ${BEAM_WIDTH_RANGE.min} to ${BEAM_WIDTH_RANGE.max}, got ${beamWidth}`,
    );
  }
  const maxTokensPerFrame = options?.maxTokensPerFrame ?? DEFAULT_DECODING.maxTokensPerFrame;
  if (!Number.isInteger(maxTokensPerFrame) || maxTokensPerFrame < 1) {
    throw invalid(`maxTokensPerFrame must be a positive whole number, got ${maxTokensPerFrame}`);
  }
  const alpha = checkWeight(options?.alpha, 'alpha');
  const beta = checkWeight(options?.beta, 'beta');
  const hotwordList = [...(options?.hotwords ?? [])];
  const hotwords = new HotwordTrie(hotwordList);
  const lmDir = options?.lmDir ?? null;
  if (method === 'greedy') {
    if (hotwords.size > 0) throw invalid('hotwords need beam decoding (method "beam")');
    if (lmDir !== null) throw invalid('a language model needs beam decoding (method "beam")');
  }

  let lm: NgramModel | undefined;
  let languageModel: PreparedDecoding['languageModel'] = null;
  let cardWeights: { alpha?: number; beta?: number } = {};
  if (lmDir !== null) {
    const path = resolve(lmDir);
    lm = await loadLanguageModel(path);
    const card = await readLanguageModelCard(path);
    languageModel = {
      name: typeof card?.name === 'string' && card.name !== '' ? card.name : basename(path),
      path,
    };
    // readLanguageModelCard reads lm.json beside a file or in a folder.
    const cardDir = (await isFile(path)) ? dirname(path) : path;
    const tuned = card?.decoding;
    const cardAlpha = weightFromCard(tuned?.alpha, 'alpha', cardDir);
    const cardBeta = weightFromCard(tuned?.beta, 'beta', cardDir);
    cardWeights = {
      ...(cardAlpha === undefined ? {} : { alpha: cardAlpha }),
      ...(cardBeta === undefined ? {} : { beta: cardBeta }),
    };
  }
  return {
    method,
    beamWidth,
    maxTokensPerFrame,
    lm,
    languageModel,
    alpha: alpha ?? cardWeights.alpha ?? DEFAULT_LM_WEIGHTS.alpha,
    beta: beta ?? cardWeights.beta ?? DEFAULT_LM_WEIGHTS.beta,
    hotwordList,
    hotwords,
  };
}

/**
 * The same decoding with more hotwords (a file's own list on top of the engine's).
 *
 * @example
 * const forThisFile = withExtraHotwords(decoding, ['kubernetes']);
 */
export function withExtraHotwords(
  decoding: PreparedDecoding,
  extra: readonly (string | Hotword)[],
): PreparedDecoding {
  if (extra.length === 0) return decoding;
  if (decoding.method === 'greedy') throw invalid('hotwords need beam decoding (method "beam")');
  const hotwordList = [...decoding.hotwordList, ...extra];
  return { ...decoding, hotwordList, hotwords: new HotwordTrie(hotwordList) };
}

/**
 * What a transcript says about its decoding (the JSON output shows it).
 *
 * @example
 * decodingReport(await prepareDecoding({ method: 'greedy' })); // { method: 'greedy' }
 */
export function decodingReport(decoding: PreparedDecoding): DecodingReport {
  if (decoding.method === 'greedy') return { method: 'greedy' };
  return {
    method: 'beam',
    beamWidth: decoding.beamWidth,
    languageModel: decoding.languageModel,
    ...(decoding.lm ? { alpha: decoding.alpha, beta: decoding.beta } : {}),
    hotwords: decoding.hotwords.size,
  };
}
