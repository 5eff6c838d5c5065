import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { characterTokensFile } from '../dataset/character-tokens';
import { HarkError } from '../errors';
import { GraphBuilder, decodeModel, floatInitializers, summarizeModel } from '../onnx';
import { writeFileAtomic } from '../train/checkpoint';
import { ParameterSet } from '../train/parameters';
import { parameterOptions, parameterShapes, type AcousticModelConfig } from './config';
import { emitAcousticModel } from './conformer-ctc';

/** Metadata key holding the architecture, so a shipped model can be trained further. */
export const CONFIG_METADATA_KEY = 'hark_acoustic_config';

/**
 * The inference model in the NeMo CTC layout sherpa-onnx reads: inputs `audio_signal` (N, 80, T)
 * and `length` (N), output `logprobs` (N, ⌈T/4⌉, V), with the metadata it expects.
 *
 * @example
 * await writeFile('model.onnx', buildInferenceModel(parameters, BASE_MODEL_CONFIG));
 */
export function buildInferenceModel(
  parameters: ParameterSet,
  config: AcousticModelConfig,
): Uint8Array {
  const g = new GraphBuilder({ name: 'hark_acoustic_model' });
  const features = g.input('audio_signal', 'float32', ['N', config.numMelBins, 'T']);
  const lengths = g.input('length', 'int64', ['N']);
  const { logProbs } = emitAcousticModel(
    g,
    parameters.bindInference(g),
    { features, lengths },
    config,
  );
  g.output(logProbs, 'logprobs');
  g.metadata('model_type', 'EncDecCTCModelBPE')
    .metadata('vocab_size', config.vocabSize)
    .metadata('subsampling_factor', config.subsamplingFactor)
    .metadata('normalize_type', 'per_feature')
    .metadata(CONFIG_METADATA_KEY, JSON.stringify(config));
  return g.toModelBytes({ producerName: 'hark' });
}

/**
 * Writes a model folder (model.onnx, tokens.txt, model.json) with atomic writes: a reader never sees
 * a half-written model.
 */
export async function writeAcousticModelFolder(
  dir: string,
  parameters: ParameterSet,
  config: AcousticModelConfig,
  card: Record<string, unknown>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, 'model.onnx'), buildInferenceModel(parameters, config));
  await writeFileAtomic(join(dir, 'tokens.txt'), new TextEncoder().encode(characterTokensFile()));
  await writeFileAtomic(
    join(dir, 'model.json'),
    new TextEncoder().encode(JSON.stringify(card, null, 2) + '\n'),
  );
}

/**
 * Reads a Hark acoustic model's architecture and parameters back from its model.onnx, to train it
 * further (the base model's next run, a voice profile's fine-tuning).
 *
 * @example
 * const { config, parameters } = await loadAcousticModel('models/base-en/model.onnx');
 */
export async function loadAcousticModel(
  file: string,
): Promise<{ config: AcousticModelConfig; parameters: ParameterSet }> {
  const bytes = new Uint8Array(await readFile(file));
  const model = decodeModel(bytes, { file });
  const configText = summarizeModel(model).metadata[CONFIG_METADATA_KEY];
  if (configText === undefined) {
    throw new HarkError('MODEL_INVALID', 'not a Hark acoustic model (no architecture metadata)', {
      file,
    });
  }
  const config = JSON.parse(configText) as AcousticModelConfig;
  const weights = floatInitializers(model);
  const parameters = new ParameterSet();
  for (const [name, dims] of parameterShapes(config)) {
    const tensor = weights.get(name);
    if (!tensor) throw new HarkError('MODEL_INVALID', `parameter ${name} is missing`, { file });
    parameters.declare(name, dims, parameterOptions(name, dims));
    parameters.set(name, Float32Array.from(tensor.data));
  }
  return { config, parameters };
}
