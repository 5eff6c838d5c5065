import { describe, expect, it } from 'vitest';
import { HarkError } from '../../../src-main/engine/errors';
import {
  autoProviderOrder,
  openSession,
  type RuntimeSession,
} from '../../../src-main/engine/runtime/onnx-runtime';
import { denseModel, seededValues } from './runtime-models';

function matVec(x: Float32Array, w: Float32Array, outputSize: number): Float64Array {
  const y = new Float64Array(outputSize);
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < outputSize; j++) y[j]! += x[i]! * w[i * outputSize + j]!;
  }
  return y;
}

async function expectHarkError(promise: Promise<unknown>, code: string): Promise<HarkError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HarkError);
  expect((error as HarkError).code).toBe(code);
  return error as HarkError;
}

describe('openSession', () => {
  const weights = seededValues(6 * 3, 1);
  const model = denseModel({ inputSize: 6, outputSize: 3, weights });

  it('runs a model on the CPU provider and returns plain tensors', async () => {
    const session = await openSession(model, { device: 'cpu', threads: 1 });
    try {
      expect(session.device).toEqual({ provider: 'cpu', rejected: [] });
      expect(session.inputs.map((i) => i.name)).toEqual(['x']);
      expect(session.inputs[0]!.shape).toEqual(['batch', 6]);
      const x = seededValues(6, 2);
      const { y } = await session.run({ x: { type: 'float32', data: x, dims: [1, 6] } });
      expect(y!.type).toBe('float32');
      expect(y!.dims).toEqual([1, 3]);
      const expected = matVec(x, weights, 3);
      for (let j = 0; j < 3; j++) expect(y!.data[j]).toBeCloseTo(expected[j]!, 5);
    } finally {
      await session.dispose();
    }
  });

  it('with auto, reports the provider that runs and why each one tried before it did not', async () => {
    const session = await openSession(model, { device: 'auto', threads: 1 });
    try {
      const order = autoProviderOrder();
      const tried = [...session.device.rejected.map((r) => r.provider), session.device.provider];
      // Every provider before the chosen one in this platform's order was tried and rejected.
      expect(tried).toEqual(order.slice(0, order.indexOf(session.device.provider) + 1));
      for (const { reason } of session.device.rejected) expect(reason.length).toBeGreaterThan(5);
    } finally {
      await session.dispose();
    }
  });

  it('puts CPU last and this platform’s GPU providers first in the auto order', () => {
    expect(autoProviderOrder('linux')).toEqual(['cuda', 'webgpu', 'dml', 'coreml', 'cpu']);
    expect(autoProviderOrder('win32').slice(0, 3)).toEqual(['cuda', 'dml', 'webgpu']);
    expect(autoProviderOrder('darwin').slice(0, 2)).toEqual(['coreml', 'webgpu']);
  });

  it('fails with PROVIDER_UNAVAILABLE and the reason when an explicit provider cannot exist here', async () => {
    const impossible = process.platform === 'win32' ? 'coreml' : 'dml';
    const error = await expectHarkError(
      openSession(model, { device: impossible }),
      'PROVIDER_UNAVAILABLE',
    );
    expect(error.message).toMatch(impossible === 'dml' ? /only on Windows/ : /only on macOS/);
  });

  it('rejects bad arguments and unloadable models with clear errors', async () => {
    await expectHarkError(openSession(model, { threads: 0 }), 'INVALID_ARGUMENT');
    await expectHarkError(openSession(model, { threads: 1.5 }), 'INVALID_ARGUMENT');
    // @ts-expect-error: a device name that does not exist
    await expectHarkError(openSession(model, { device: 'tpu' }), 'INVALID_ARGUMENT');
    const garbage = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const error = await expectHarkError(
      openSession(garbage, { device: 'cpu', label: 'broken.onnx' }),
      'MODEL_INVALID',
    );
    expect(error.file).toBe('broken.onnx');
  });

  it('rejects a model whose warm-up output is not finite', async () => {
    const logModel = denseModel({
      inputSize: 2,
      outputSize: 1,
      weights: new Float32Array([1, 1]),
      logOfInput: true,
    });
    const feeds = {
      x: { type: 'float32' as const, data: new Float32Array([-1, 1]), dims: [1, 2] },
    };
    const error = await expectHarkError(
      openSession(logModel, { device: 'cpu', warmUpFeeds: feeds, label: 'nan.onnx' }),
      'MODEL_INVALID',
    );
    expect(error.message).toMatch(/not finite/);
  });

  it('leaves no thread spinning on the CPU after a run', async () => {
    const size = 256;
    const heavy = denseModel({
      inputSize: size,
      outputSize: 8,
      weights: seededValues(size * 8, 3),
      hiddenSize: 1024,
    });
    let session: RuntimeSession | undefined;
    try {
      session = await openSession(heavy, { device: 'cpu', threads: 2 });
      const rows = 512;
      const x = {
        type: 'float32' as const,
        data: seededValues(rows * size, 4),
        dims: [rows, size],
      };
      for (let i = 0; i < 3; i++) await session.run({ x });
      const before = process.cpuUsage();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const idle = process.cpuUsage(before);
      const idleMs = (idle.user + idle.system) / 1000;
      // A spinning intra-op pool burns tens of milliseconds here; an idle one next to nothing.
      expect(idleMs).toBeLessThan(20);
    } finally {
      await session?.dispose();
    }
  });
});
