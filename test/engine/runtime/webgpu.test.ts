import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarkError } from '../../../src-main/engine/errors';
import { openSession, type TensorValue } from '../../../src-main/engine/runtime/onnx-runtime';
import { linearCtcHead, seededValues } from './runtime-models';

// Dawn's Vulkan backend wants a runtime directory; CI containers often have none.
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(path.join(tmpdir(), 'hark-xdg-'));

const SKIP_FLAG = 'HARK_SKIP_WEBGPU';

describe('WebGPU execution provider', () => {
  it('gives the CPU result within 1e-4 (Mesa lavapipe stands in for a GPU in CI)', async () => {
    const model = linearCtcHead({ vocabSize: 29, seed: 11 });
    const frames = 200;
    const feeds: Record<string, TensorValue> = {
      audio_signal: { type: 'float32', data: seededValues(80 * frames, 5), dims: [1, 80, frames] },
      length: { type: 'int64', data: BigInt64Array.of(BigInt(frames)), dims: [1] },
    };

    let gpu;
    try {
      gpu = await openSession(model, { device: 'webgpu', warmUpFeeds: feeds });
    } catch (error) {
      if (!(error instanceof HarkError) || error.code !== 'PROVIDER_UNAVAILABLE') throw error;
      if (process.env[SKIP_FLAG] === '1') {
        // Opted out: the failure must still be the clear provider error, not a crash.
        expect(error.message).toMatch(/^webgpu/);
        return;
      }
      throw new Error(
        `WebGPU did not start (${error.message}). Install a Vulkan driver ` +
          `(Debian: mesa-vulkan-drivers, which provides lavapipe) or set ${SKIP_FLAG}=1.`,
        { cause: error },
      );
    }
    const cpu = await openSession(model, { device: 'cpu' });
    try {
      expect(gpu.device.provider).toBe('webgpu');
      const onGpu = (await gpu.run(feeds)).logprobs!;
      const onCpu = (await cpu.run(feeds)).logprobs!;
      expect(onGpu.dims).toEqual([1, frames, 29]);
      expect(onGpu.dims).toEqual(onCpu.dims);
      let maxDifference = 0;
      for (let i = 0; i < onCpu.data.length; i++) {
        maxDifference = Math.max(
          maxDifference,
          Math.abs(Number(onGpu.data[i]) - Number(onCpu.data[i])),
        );
      }
      expect(maxDifference).toBeLessThan(1e-4);
    } finally {
      await gpu.dispose();
      await cpu.dispose();
    }
  });
});
