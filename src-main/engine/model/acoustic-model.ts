/**
 * A validated model folder running on an execution provider: features in, log-probabilities out,
 * one utterance (window) at a time.
 */
import { HarkError } from '../errors';
import type { LogMelFeatures } from '../features';
import {
  openSession,
  type DeviceChoice,
  type RuntimeSession,
  type TensorValue,
} from '../runtime/onnx-runtime';
import type { ProviderReport } from '../types';
import { FEATURE_INPUT, LENGTH_INPUT, NUM_MEL_BINS, type ModelFolder } from './model-folder';

export interface AcousticModelOptions {
  device?: DeviceChoice;
  threads?: number;
}

/** Log-probabilities of one utterance: (numFrames, vocabSize) row-major. */
export interface FrameLogProbs {
  data: Float32Array;
  numFrames: number;
  vocabSize: number;
}

/** Frames of the warm-up input: long enough for any convolutional subsampling front end. */
const WARM_UP_FRAMES = 128;

function featureFeeds(data: Float32Array, numFrames: number): Record<string, TensorValue> {
  return {
    [FEATURE_INPUT]: { type: 'float32', data, dims: [1, NUM_MEL_BINS, numFrames] },
    [LENGTH_INPUT]: { type: 'int64', data: BigInt64Array.of(BigInt(numFrames)), dims: [1] },
  };
}

/** Normalised-looking features (values in [-1.5, 1.5]) that exercise every kernel. */
function warmUpFeatures(): Float32Array {
  const data = new Float32Array(NUM_MEL_BINS * WARM_UP_FRAMES);
  for (let i = 0; i < data.length; i++) data[i] = 1.5 * Math.sin(i * 0.37);
  return data;
}

/**
 * @example
 * const model = await AcousticModel.open(await loadModelFolder('models/base-en'), { device: 'auto' });
 * const { data, numFrames } = await model.logProbs(features); // features normalised as the model asks
 * await model.dispose();
 */
export class AcousticModel {
  readonly folder: ModelFolder;
  private readonly session: RuntimeSession;

  private constructor(folder: ModelFolder, session: RuntimeSession) {
    this.folder = folder;
    this.session = session;
  }

  /** The execution provider running the model, and why others were passed over. */
  get device(): ProviderReport {
    return this.session.device;
  }

  /**
   * Starts the model on a provider (see `openSession`) and checks with a real run that its
   * output has one label per vocabulary entry (MODEL_INVALID otherwise).
   */
  static async open(
    folder: ModelFolder,
    options: AcousticModelOptions = {},
  ): Promise<AcousticModel> {
    const feeds = featureFeeds(warmUpFeatures(), WARM_UP_FRAMES);
    const session = await openSession(folder.modelPath, {
      ...options,
      warmUpFeeds: feeds,
      label: folder.modelPath,
    });
    const model = new AcousticModel(folder, session);
    try {
      const output = (await session.run(feeds, [folder.outputName]))[folder.outputName];
      const dims = output?.dims ?? [];
      if (output?.type !== 'float32' || dims.length !== 3 || dims[0] !== 1) {
        throw new HarkError(
          'MODEL_INVALID',
          `output ${folder.outputName} is not (N, T, V) float32: got (${dims.join(', ')})`,
          {
            file: folder.modelPath,
          },
        );
      }
      if (dims[2] !== folder.vocabSize) {
        throw new HarkError(
          'MODEL_INVALID',
          `output ${folder.outputName} has ${dims[2]} labels per frame but the vocabulary has ${folder.vocabSize}`,
          { file: folder.modelPath },
        );
      }
    } catch (error) {
      await session.dispose();
      throw error;
    }
    return model;
  }

  /**
   * Runs the model on one utterance's features (already normalised as `folder.normalizeType`
   * asks). Returns floor(T / subsamplingFactor) frames, as sherpa-onnx computes the output
   * length, or fewer if the model produced fewer.
   */
  async logProbs(features: LogMelFeatures): Promise<FrameLogProbs> {
    if (features.numBins !== NUM_MEL_BINS) {
      throw new HarkError(
        'INVALID_ARGUMENT',
        `features have ${features.numBins} bins, the model needs ${NUM_MEL_BINS}`,
      );
    }
    const vocabSize = this.folder.vocabSize;
    const expectedFrames = Math.floor(features.numFrames / this.folder.subsamplingFactor);
    if (features.numFrames === 0 || expectedFrames === 0) {
      return { data: new Float32Array(0), numFrames: 0, vocabSize };
    }
    const outputs = await this.session.run(featureFeeds(features.data, features.numFrames), [
      this.folder.outputName,
    ]);
    const output = outputs[this.folder.outputName];
    if (output?.type !== 'float32' || output.dims.length !== 3 || output.dims[2] !== vocabSize) {
      throw new HarkError(
        'INFERENCE_FAILED',
        `unexpected output shape (${output?.dims.join(', ') ?? 'none'})`,
        {
          file: this.folder.modelPath,
        },
      );
    }
    const numFrames = Math.min(expectedFrames, output.dims[1] ?? 0);
    return { data: output.data.subarray(0, numFrames * vocabSize), numFrames, vocabSize };
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}
