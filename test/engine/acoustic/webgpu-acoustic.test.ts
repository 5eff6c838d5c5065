import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BASE_MODEL_CONFIG,
  parameterOptions,
  parameterShapes,
} from '../../../src-main/engine/acoustic/config';
import { ctcTrainingLoss } from '../../../src-main/engine/acoustic/ctc-training';
import { buildInferenceModel } from '../../../src-main/engine/acoustic/model-export';
import { batchFeeds } from '../../../src-main/engine/acoustic/training-data';
import { seededRandom } from '../../../src-main/engine/dataset/batching';
import { packBatch } from '../../../src-main/engine/dataset/feature-batch';
import { HarkError } from '../../../src-main/engine/errors';
import { openSession } from '../../../src-main/engine/runtime/onnx-runtime';
import { ParameterSet } from '../../../src-main/engine/train/parameters';
import { buildTrainStep } from '../../../src-main/engine/train/train-step';
import { Trainer } from '../../../src-main/engine/train/trainer';

// Dawn's Vulkan backend wants a runtime directory; CI containers often have none.
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(path.join(tmpdir(), 'hark-xdg-'));

const config = { ...BASE_MODEL_CONFIG, modelDim: 32, attentionHeads: 2, blocks: 1, convKernel: 5 };

function parameterSet(): ParameterSet {
  const parameters = new ParameterSet({ seed: 4 });
  for (const [name, dims] of parameterShapes(config)) {
    parameters.declare(name, dims, parameterOptions(name, dims));
  }
  return parameters;
}

function batch() {
  const random = seededRandom(9);
  const item = (frames: number, labels: number[]) => ({
    features: {
      data: Float32Array.from({ length: 80 * frames }, () => 2 * random() - 1),
      numBins: 80,
      numFrames: frames,
    },
    labels: Int32Array.from(labels),
  });
  return batchFeeds(packBatch([item(120, [7, 4, 18]), item(96, [13, 14])]));
}

function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]!));
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  }
  return worst / Math.max(scale, 1e-12);
}

/** Opens a WebGPU session or explains why not (lavapipe missing → install mesa-vulkan-drivers). */
async function webgpuAvailable(): Promise<boolean> {
  try {
    const probe = await openSession(buildInferenceModel(parameterSet(), config), {
      device: 'webgpu',
    });
    await probe.dispose();
    return true;
  } catch (error) {
    if (error instanceof HarkError && process.env.HARK_SKIP_WEBGPU === '1') return false;
    throw error;
  }
}

describe('the acoustic model on the WebGPU execution provider', () => {
  it('runs inference and a CTC train step with the CPU result', async () => {
    if (!(await webgpuAvailable())) return;
    const feeds = batch();

    const model = buildInferenceModel(parameterSet(), config);
    const inference = { audio_signal: feeds.audio_signal!, length: feeds.length! };
    const cpu = await openSession(model, { device: 'cpu' });
    const gpu = await openSession(model, { device: 'webgpu' });
    const onCpu = (await cpu.run(inference)).logprobs!.data as Float32Array;
    const onGpu = (await gpu.run(inference)).logprobs!.data as Float32Array;
    expect(gpu.device.provider).toBe('webgpu');
    expect(maxRelativeDifference(onCpu, onGpu)).toBeLessThan(1e-4);
    await cpu.dispose();
    await gpu.dispose();

    const results = [];
    for (const device of ['cpu', 'webgpu'] as const) {
      const parameters = parameterSet();
      const trainer = await Trainer.create(
        buildTrainStep(ctcTrainingLoss(config), parameters),
        parameters,
        { device, threads: 1 },
      );
      expect(trainer.device.provider).toBe(device);
      const report = await trainer.step(feeds, { learningRate: 1e-3 });
      const initial = parameterSet().get('blocks.0.attn.query.weight');
      const updated = trainer.parameter('blocks.0.attn.query.weight');
      results.push({
        loss: report.loss,
        gradNorm: report.gradNorm,
        update: updated.map((v, i) => v - initial[i]!),
      });
      await trainer.dispose();
    }
    const [onCpuStep, onGpuStep] = results as [(typeof results)[0], (typeof results)[0]];
    expect(Math.abs(onGpuStep.loss - onCpuStep.loss) / onCpuStep.loss).toBeLessThan(1e-4);
    expect(Math.abs(onGpuStep.gradNorm - onCpuStep.gradNorm) / onCpuStep.gradNorm).toBeLessThan(
      1e-3,
    );
    expect(maxRelativeDifference(onCpuStep.update, onGpuStep.update)).toBeLessThan(1e-2);
  });
});
