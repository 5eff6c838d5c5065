/**
 * Execution-provider names and the order `auto` tries them in: plain data, no ONNX Runtime, so
 * argument parsers and UIs can use it without loading the native module.
 */
import type { ProviderName } from '../types';

/** What a user may ask for: a provider by name, or `auto` (best available, CPU as the floor). */
export type DeviceChoice = 'auto' | ProviderName;

export const DEVICE_CHOICES: readonly DeviceChoice[] = [
  'auto',
  'cpu',
  'cuda',
  'dml',
  'coreml',
  'webgpu',
];

const GPU_PROVIDER_ORDER: Partial<Record<NodeJS.Platform, ProviderName[]>> = {
  linux: ['cuda', 'webgpu'],
  win32: ['cuda', 'dml', 'webgpu'],
  darwin: ['coreml', 'webgpu'],
};
const ALL_GPU_PROVIDERS: readonly ProviderName[] = ['cuda', 'dml', 'coreml', 'webgpu'];

/**
 * The order in which `auto` tries providers on a platform: its likely GPU providers first, then the
 * providers that platform can never have (so the report says why), CPU always last.
 *
 * @example
 * autoProviderOrder('linux'); // ['cuda', 'webgpu', 'dml', 'coreml', 'cpu']
 */
export function autoProviderOrder(platform: NodeJS.Platform = process.platform): ProviderName[] {
  const preferred = GPU_PROVIDER_ORDER[platform] ?? [];
  const rest = ALL_GPU_PROVIDERS.filter((provider) => !preferred.includes(provider));
  return [...preferred, ...rest, 'cpu'];
}
