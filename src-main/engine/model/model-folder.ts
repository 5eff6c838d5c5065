/**
 * A model folder in the layout sherpa-onnx reads for NeMo CTC models: `model.onnx` with metadata
 * (`model_type`, `vocab_size`, `subsampling_factor`, `normalize_type`), input `audio_signal`
 * float (N, 80, T) and `length` int64 (N), output log-probabilities (N, T', V); `tokens.txt`; and
 * Hark's optional `model.json` card. Everything is checked before ONNX Runtime sees the model,
 * so a broken folder gets an error that says what is wrong instead of a crash later.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Vocabulary } from '../decode';
import { HarkError } from '../errors';
import { decodeModel, summarizeModel, type ValueDescription } from '../onnx';

export const MODEL_FILE = 'model.onnx';
export const TOKENS_FILE = 'tokens.txt';
export const CARD_FILE = 'model.json';
export const FEATURE_INPUT = 'audio_signal';
export const LENGTH_INPUT = 'length';
export const NUM_MEL_BINS = 80;

/** model_type values sherpa-onnx runs as a NeMo CTC model (offline-ctc-model.cc). */
export const NEMO_CTC_MODEL_TYPES = [
  'EncDecCTCModelBPE',
  'EncDecCTCModel',
  'EncDecHybridRNNTCTCBPEModel',
];

/** Feature normalisation a model asks for: NeMo `per_feature`, or none (empty). */
export type NormalizeType = 'per_feature' | '';

/** The model.json card: free-form JSON (data, recipe, parameter count, metrics, ...). */
export type ModelCard = Record<string, unknown>;

export interface ModelFolder {
  /** The card's `name`, or the folder's name. */
  name: string;
  /** Absolute path of the folder. */
  path: string;
  modelPath: string;
  vocabulary: Vocabulary;
  vocabSize: number;
  subsamplingFactor: number;
  normalizeType: NormalizeType;
  modelType: string;
  /** The name of the log-probabilities output (the model's first output). */
  outputName: string;
  /** model.json contents; empty when the folder has no card (e.g. a model from sherpa-onnx). */
  card: ModelCard;
  metadata: Record<string, string>;
}

function invalid(file: string, message: string): HarkError {
  return new HarkError('MODEL_INVALID', message, { file });
}

async function requireFile(folder: string, name: string): Promise<string> {
  const file = path.join(folder, name);
  const stats = await stat(file).catch(() => undefined);
  if (!stats) throw invalid(folder, `${name} is missing`);
  if (!stats.isFile()) throw invalid(file, 'is not a file');
  return file;
}

function positiveInteger(file: string, key: string, value: string): number {
  const number = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(number) || number < 1) {
    throw invalid(file, `metadata ${key} must be a positive integer, got "${value}"`);
  }
  return number;
}

function describeShape(value: ValueDescription): string {
  return `${value.type ?? '?'} (${(value.shape ?? []).map((d) => d ?? '?').join(', ')})`;
}

function checkInputs(file: string, inputs: readonly ValueDescription[]): void {
  const names = inputs.map((i) => i.name);
  if (names.length !== 2 || names[0] !== FEATURE_INPUT || names[1] !== LENGTH_INPUT) {
    throw invalid(
      file,
      `inputs must be ${FEATURE_INPUT}, ${LENGTH_INPUT} (in that order), found ${names.join(', ') || 'none'}`,
    );
  }
  const [features, length] = inputs as [ValueDescription, ValueDescription];
  const bins = features.shape?.[1];
  if (
    features.type !== 'float32' ||
    features.shape?.length !== 3 ||
    (typeof bins === 'number' && bins !== NUM_MEL_BINS)
  ) {
    throw invalid(
      file,
      `input ${FEATURE_INPUT} must be float32 (N, ${NUM_MEL_BINS}, T), found ${describeShape(features)}`,
    );
  }
  if (length.type !== 'int64' || length.shape?.length !== 1) {
    throw invalid(file, `input ${LENGTH_INPUT} must be int64 (N), found ${describeShape(length)}`);
  }
}

function checkOutput(
  file: string,
  outputs: readonly ValueDescription[],
  vocabSize: number,
): string {
  const output = outputs[0];
  if (!output) throw invalid(file, 'the model has no outputs');
  if (output.type !== 'float32' || (output.shape !== undefined && output.shape.length !== 3)) {
    throw invalid(
      file,
      `output ${output.name} must be float32 log-probabilities (N, T, V), found ${describeShape(output)}`,
    );
  }
  const labels = output.shape?.[2];
  if (typeof labels === 'number' && labels !== vocabSize) {
    throw invalid(
      file,
      `output ${output.name} has ${labels} labels per frame but the vocabulary has ${vocabSize}`,
    );
  }
  return output.name;
}

async function readCard(folder: string): Promise<ModelCard> {
  const file = path.join(folder, CARD_FILE);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw invalid(file, `cannot be read (${error.message})`);
  });
  if (text === undefined) return {};
  let card: unknown;
  try {
    card = JSON.parse(text);
  } catch (error) {
    throw invalid(file, `is not valid JSON (${(error as Error).message})`);
  }
  if (typeof card !== 'object' || card === null || Array.isArray(card)) {
    throw invalid(file, 'must hold a JSON object');
  }
  return card as ModelCard;
}

/**
 * Reads and validates a model folder without running it. Every problem is a HarkError:
 * MODEL_NOT_FOUND for a missing folder, MODEL_INVALID (naming the file and what is wrong) for a
 * missing file, a malformed tokens.txt or model.json, missing metadata, wrong input names or
 * types, or a vocabulary whose size differs from the metadata or the output's last dimension.
 *
 * @example
 * const folder = await loadModelFolder('models/base-en');
 * folder.vocabSize; // 29
 * folder.subsamplingFactor; // 4
 */
export async function loadModelFolder(dir: string): Promise<ModelFolder> {
  const folder = path.resolve(dir);
  const folderStats = await stat(folder).catch(() => undefined);
  if (!folderStats) throw new HarkError('MODEL_NOT_FOUND', 'model folder not found', { file: dir });
  if (!folderStats.isDirectory())
    throw invalid(dir, 'is not a model folder (expected a directory)');

  const modelPath = await requireFile(folder, MODEL_FILE);
  const tokensPath = await requireFile(folder, TOKENS_FILE);
  const vocabulary = Vocabulary.parse(await readFile(tokensPath, 'utf8'), tokensPath);
  const card = await readCard(folder);

  const summary = summarizeModel(decodeModel(await readFile(modelPath), { file: modelPath }));
  const { metadata } = summary;
  const missing = ['model_type', 'vocab_size', 'subsampling_factor'].filter(
    (key) => !(key in metadata),
  );
  if (missing.length > 0) {
    throw invalid(
      modelPath,
      `metadata lacks ${missing.join(', ')} (the sherpa-onnx NeMo CTC layout needs them)`,
    );
  }
  const modelType = metadata.model_type ?? '';
  if (!NEMO_CTC_MODEL_TYPES.includes(modelType)) {
    throw invalid(
      modelPath,
      `metadata model_type "${modelType}" is not a NeMo CTC model (${NEMO_CTC_MODEL_TYPES.join(', ')})`,
    );
  }
  const vocabSize = positiveInteger(modelPath, 'vocab_size', metadata.vocab_size ?? '');
  const subsamplingFactor = positiveInteger(
    modelPath,
    'subsampling_factor',
    metadata.subsampling_factor ?? '',
  );
  const normalizeType = metadata.normalize_type ?? '';
  if (normalizeType !== 'per_feature' && normalizeType !== '') {
    throw invalid(
      modelPath,
      `metadata normalize_type "${normalizeType}" is not supported (per_feature or empty)`,
    );
  }
  if (vocabulary.size !== vocabSize) {
    throw invalid(
      tokensPath,
      `has ${vocabulary.size} tokens but model.onnx metadata says vocab_size ${vocabSize}`,
    );
  }
  checkInputs(modelPath, summary.inputs);
  const outputName = checkOutput(modelPath, summary.outputs, vocabSize);

  const cardName = card.name;
  return {
    name: typeof cardName === 'string' && cardName.trim() !== '' ? cardName : path.basename(folder),
    path: folder,
    modelPath,
    vocabulary,
    vocabSize,
    subsamplingFactor,
    normalizeType,
    modelType,
    outputName,
    card,
    metadata,
  };
}
