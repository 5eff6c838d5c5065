/**
 * The one module that imports onnxruntime-node. Everything else in Hark runs ONNX models through
 * `openSession()` and plain typed-array tensors, so the choice of execution provider, thread
 * settings and ONNX Runtime's quirks live here and nowhere else.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { HarkError } from '../errors';
import type { ProviderName, ProviderReport } from '../types';
import { DEVICE_CHOICES, autoProviderOrder, type DeviceChoice } from './devices';

export { DEVICE_CHOICES, autoProviderOrder, type DeviceChoice } from './devices';

/** A tensor as plain data: the element type, a typed array in row-major order, and its shape. */
export type TensorValue =
  | { type: 'float32'; data: Float32Array; dims: readonly number[] }
  | { type: 'int64'; data: BigInt64Array; dims: readonly number[] }
  | { type: 'int32'; data: Int32Array; dims: readonly number[] }
  | { type: 'bool'; data: Uint8Array; dims: readonly number[] };

export type TensorType = TensorValue['type'];

/** An input or output as the model declares it; symbolic dimensions are strings. */
export interface ValueInfo {
  name: string;
  /** ONNX Runtime's element type name (`float32`, `int64`, ...), `unknown` for non-tensors. */
  type: string;
  shape: (number | string)[];
}

export interface SessionOptions {
  /** Execution provider; `auto` (the default) tries this platform's GPU providers, then CPU. */
  device?: DeviceChoice;
  /** Intra-op threads; ONNX Runtime's default (one per physical core) when left out. */
  threads?: number;
  /**
   * Feeds for the warm-up run that proves a provider works before it is chosen (its float outputs
   * must be finite). `undefined`: zero tensors with every symbolic dimension set to 1, and only
   * "it runs" is checked. `'skip'`: no warm-up.
   */
  warmUpFeeds?: Record<string, TensorValue> | 'skip';
  /** Names the model in error messages (defaults to the path, or `model` for a buffer). */
  label?: string;
  /**
   * How far ONNX Runtime optimises the graph when the CPU provider runs it (`all`, the default,
   * or `basic`: constant folding and redundant nodes only); other providers always get `all`.
   */
  cpuGraphOptimization?: 'basic' | 'all';
}

/** A loaded model, bound to the execution provider that runs it. */
export interface RuntimeSession {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly device: ProviderReport;
  /** Runs the model; returns the requested outputs (all of them by default). */
  run(
    feeds: Record<string, TensorValue>,
    outputNames?: readonly string[],
  ): Promise<Record<string, TensorValue>>;
  dispose(): Promise<void>;
}

/**
 * The providers compiled into this onnxruntime-node build for this machine, and whether each ships
 * inside the npm package (CUDA does not: see scripts/install-cuda-provider.sh).
 *
 * @example
 * builtInProviders(); // [{ name: 'cpu', bundled: true }, { name: 'webgpu', bundled: true }, ...]
 */
export function builtInProviders(): { name: string; bundled: boolean }[] {
  return ort.listSupportedBackends().map(({ name, bundled }) => ({ name, bundled }));
}

const PLATFORM_ONLY: Partial<Record<ProviderName, { platform: NodeJS.Platform; label: string }>> = {
  dml: { platform: 'win32', label: 'DirectML exists only on Windows' },
  coreml: { platform: 'darwin', label: 'CoreML exists only on macOS' },
};

function bindingFolder(): string {
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(path.dirname(require.resolve('onnxruntime-node')));
  return path.join(packageDir, 'bin', 'napi-v6', process.platform, process.arch);
}

function cudaLibraryName(): string {
  return process.platform === 'win32'
    ? 'onnxruntime_providers_cuda.dll'
    : 'libonnxruntime_providers_cuda.so';
}

/** A GPU device node exists (Linux): otherwise Vulkan can only offer a software rasterizer. */
function linuxHasGpuDeviceNode(): boolean {
  const dri = '/dev/dri';
  const hasRenderNode =
    existsSync(dri) && readdirSync(dri).some((entry) => entry.startsWith('renderD'));
  return hasRenderNode || existsSync('/dev/nvidia0') || existsSync('/dev/dxg');
}

/**
 * Why a provider cannot even be tried here, or undefined when it is worth an attempt. `forAuto`
 * adds the checks that only make sense when choosing for the user (no software WebGPU).
 */
function reasonNotToTry(provider: ProviderName, forAuto: boolean): string | undefined {
  if (provider === 'cpu') return undefined;
  const platformOnly = PLATFORM_ONLY[provider];
  if (platformOnly && platformOnly.platform !== process.platform) return platformOnly.label;
  const builtIn = builtInProviders().find((entry) => entry.name === provider);
  if (!builtIn) {
    return `onnxruntime-node ${ort.env.versions.common} for ${process.platform}/${process.arch} is built without it`;
  }
  if (provider === 'cuda' && !builtIn.bundled) {
    const library = path.join(bindingFolder(), cudaLibraryName());
    if (!existsSync(library)) {
      return `the CUDA provider libraries are not installed (${cudaLibraryName()} missing; run scripts/install-cuda-provider.sh)`;
    }
  }
  if (
    provider === 'webgpu' &&
    forAuto &&
    process.platform === 'linux' &&
    !linuxHasGpuDeviceNode()
  ) {
    return 'no GPU device (/dev/dri/renderD*, /dev/nvidia0): WebGPU would run on a software Vulkan driver, slower than the CPU provider';
  }
  return undefined;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n').find((part) => part.trim() !== '') ?? 'unknown error';
  // ONNX Runtime prefixes messages with its source location and the failed check; keep the
  // readable part ("... status == Success was false. Failed to get a WebGPU adapter: ...").
  const readable = line.replace(/^\S*onnxruntime_src\S*\s+/, '');
  const afterCheck = readable.split(' was false. ').pop() ?? readable;
  return afterCheck.trim();
}

function toOrtTensor(value: TensorValue): ort.Tensor {
  switch (value.type) {
    case 'float32':
      return new ort.Tensor('float32', value.data, value.dims);
    case 'int64':
      return new ort.Tensor('int64', value.data, value.dims);
    case 'int32':
      return new ort.Tensor('int32', value.data, value.dims);
    case 'bool':
      return new ort.Tensor('bool', value.data, value.dims);
  }
}

function fromOrtValue(name: string, value: ort.OnnxValue): TensorValue {
  if (!(value instanceof ort.Tensor)) {
    throw new HarkError('INFERENCE_FAILED', `output ${name} is not a tensor`);
  }
  const dims = [...value.dims];
  const data: unknown = value.data;
  if (value.type === 'float32' && data instanceof Float32Array)
    return { type: 'float32', data, dims };
  if (value.type === 'int64' && data instanceof BigInt64Array) return { type: 'int64', data, dims };
  if (value.type === 'int32' && data instanceof Int32Array) return { type: 'int32', data, dims };
  if (value.type === 'bool' && data instanceof Uint8Array) return { type: 'bool', data, dims };
  throw new HarkError('INFERENCE_FAILED', `output ${name} has unsupported type ${value.type}`);
}

function describeValues(metadata: readonly ort.InferenceSession.ValueMetadata[]): ValueInfo[] {
  return metadata.map((value) =>
    value.isTensor
      ? { name: value.name, type: value.type, shape: [...value.shape] }
      : { name: value.name, type: 'unknown', shape: [] },
  );
}

function zeroTensor(info: ValueInfo): TensorValue {
  const dims = info.shape.map((dim) => (typeof dim === 'number' ? dim : 1));
  const size = dims.reduce((product, dim) => product * dim, 1);
  switch (info.type) {
    case 'int64':
      return { type: 'int64', data: new BigInt64Array(size), dims };
    case 'int32':
      return { type: 'int32', data: new Int32Array(size), dims };
    case 'bool':
      return { type: 'bool', data: new Uint8Array(size), dims };
    default:
      return { type: 'float32', data: new Float32Array(size), dims };
  }
}

class OrtRuntimeSession implements RuntimeSession {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  device: ProviderReport;
  private readonly session: ort.InferenceSession;
  private disposed = false;

  constructor(session: ort.InferenceSession, device: ProviderReport) {
    this.session = session;
    this.device = device;
    this.inputs = describeValues(session.inputMetadata);
    this.outputs = describeValues(session.outputMetadata);
  }

  async run(
    feeds: Record<string, TensorValue>,
    outputNames?: readonly string[],
  ): Promise<Record<string, TensorValue>> {
    if (this.disposed) throw new HarkError('INTERNAL', 'the model session was disposed');
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, value] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(value);
    let results: ort.InferenceSession.ReturnType;
    try {
      results = outputNames
        ? await this.session.run(ortFeeds, [...outputNames])
        : await this.session.run(ortFeeds);
    } catch (error) {
      throw new HarkError('INFERENCE_FAILED', `ONNX Runtime failed: ${firstLine(error)}`, {
        cause: error,
      });
    }
    const outputs: Record<string, TensorValue> = {};
    for (const [name, value] of Object.entries(results)) outputs[name] = fromOrtValue(name, value);
    return outputs;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}

function ortSessionOptions(
  provider: ProviderName,
  options: SessionOptions,
): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    ...(options.threads === undefined ? {} : { intraOpNumThreads: options.threads }),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: provider === 'cpu' ? (options.cpuGraphOptimization ?? 'all') : 'all',
    logSeverityLevel: 3,
    // Worker threads spin-wait for new work after a run by default, burning CPU while Hark idles.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

async function createOrtSession(
  model: string | Uint8Array,
  provider: ProviderName,
  options: SessionOptions,
): Promise<ort.InferenceSession> {
  const ortOptions = ortSessionOptions(provider, options);
  return typeof model === 'string'
    ? ort.InferenceSession.create(model, ortOptions)
    : ort.InferenceSession.create(model, ortOptions);
}

async function warmUp(
  session: OrtRuntimeSession,
  feeds: Record<string, TensorValue> | 'skip' | undefined,
): Promise<void> {
  if (feeds === 'skip') return;
  const chosenFeeds =
    feeds ?? Object.fromEntries(session.inputs.map((i) => [i.name, zeroTensor(i)]));
  const outputs = await session.run(chosenFeeds);
  if (feeds === undefined) return;
  for (const [name, value] of Object.entries(outputs)) {
    if (value.type === 'float32' && value.data.some((x) => !Number.isFinite(x))) {
      throw new Error(`warm-up output ${name} is not finite`);
    }
  }
}

/** Creates a session on one provider and proves it with a warm-up run; throws the raw reason. */
async function startOn(
  model: string | Uint8Array,
  provider: ProviderName,
  options: SessionOptions,
  rejected: ProviderReport['rejected'],
): Promise<OrtRuntimeSession> {
  const session = new OrtRuntimeSession(await createOrtSession(model, provider, options), {
    provider,
    rejected,
  });
  try {
    await warmUp(session, options.warmUpFeeds);
  } catch (error) {
    await session.dispose();
    throw error;
  }
  return session;
}

function validateThreads(threads: number | undefined): void {
  if (threads === undefined) return;
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `threads must be an integer from 1 to 256, got ${threads}`,
    );
  }
}

/**
 * Loads an ONNX model on the requested execution provider. With `auto`, tries each provider this
 * platform can have and falls back to CPU when one fails to create a session or to run a warm-up;
 * `session.device` reports the provider that runs and why each provider before it did not. An
 * explicit provider that cannot start throws HarkError PROVIDER_UNAVAILABLE with the reason.
 *
 * @example
 * const session = await openSession('models/base-en/model.onnx', { device: 'auto', threads: 2 });
 * console.log(session.device.provider); // 'cpu' on a machine without a GPU
 * const out = await session.run({ x: { type: 'float32', data: new Float32Array(4), dims: [1, 4] } });
 * await session.dispose();
 */
export async function openSession(
  model: string | Uint8Array,
  options: SessionOptions = {},
): Promise<RuntimeSession> {
  const device = options.device ?? 'auto';
  const label = options.label ?? (typeof model === 'string' ? model : 'model');
  if (!DEVICE_CHOICES.includes(device)) {
    throw new HarkError(
      'INVALID_ARGUMENT',
      `unknown device "${String(device)}" (expected one of ${DEVICE_CHOICES.join(', ')})`,
    );
  }
  validateThreads(options.threads);

  if (device !== 'auto' && device !== 'cpu') {
    const reason = reasonNotToTry(device, false);
    if (reason) throw new HarkError('PROVIDER_UNAVAILABLE', `${device}: ${reason}`);
    try {
      return await startOn(model, device, options, []);
    } catch (error) {
      throw new HarkError(
        'PROVIDER_UNAVAILABLE',
        `${device} could not start: ${firstLine(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  const rejected: ProviderReport['rejected'] = [];
  if (device === 'auto') {
    for (const provider of autoProviderOrder().filter((name) => name !== 'cpu')) {
      const reason = reasonNotToTry(provider, true);
      if (reason) {
        rejected.push({ provider, reason });
        continue;
      }
      try {
        return await startOn(model, provider, options, rejected);
      } catch (error) {
        rejected.push({ provider, reason: firstLine(error) });
      }
    }
  }
  try {
    return await startOn(model, 'cpu', options, rejected);
  } catch (error) {
    throw new HarkError('MODEL_INVALID', `ONNX Runtime cannot run it: ${firstLine(error)}`, {
      file: label,
      cause: error,
    });
  }
}
