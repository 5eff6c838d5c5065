import type { DeviceChoice, EngineStatus } from '../../src-main/api/contract';

export const DEVICE_LABELS: Record<DeviceChoice, string> = {
  auto: 'Automatic (fastest available)',
  cpu: 'CPU',
  cuda: 'NVIDIA GPU (CUDA)',
  dml: 'GPU (DirectML)',
  coreml: 'Apple Neural Engine / GPU (Core ML)',
  webgpu: 'GPU (WebGPU)',
};

export const PROVIDER_SHORT: Record<DeviceChoice, string> = {
  auto: 'Auto',
  cpu: 'CPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'Core ML',
  webgpu: 'WebGPU',
};

/** "38× real time" from a real-time factor (wall time / audio time). */
export function speedLabel(realTimeFactor: number | undefined): string | undefined {
  if (realTimeFactor === undefined || !(realTimeFactor > 0)) return undefined;
  const speed = 1 / realTimeFactor;
  return `${speed >= 10 ? Math.round(speed) : speed.toFixed(1)}× real time`;
}

/** The short engine status shown in the top bar. */
export function engineSummary(status: EngineStatus | undefined): {
  text: string;
  tone: 'ok' | 'busy' | 'warn' | 'error' | 'idle';
} {
  if (!status) return { text: 'Connecting…', tone: 'idle' };
  const provider = status.device ? PROVIDER_SHORT[status.device.provider] : undefined;
  const speed = speedLabel(status.realTimeFactor);
  switch (status.state) {
    case 'starting':
      return { text: 'Loading model…', tone: 'busy' };
    case 'restarting':
      return { text: 'Engine restarting…', tone: 'warn' };
    case 'failed':
      return { text: 'Engine stopped', tone: 'error' };
    case 'stopped':
      return { text: 'Engine off', tone: 'idle' };
    case 'busy':
      return { text: `${provider ?? 'Engine'} · transcribing`, tone: 'busy' };
    case 'ready':
      return { text: [provider ?? 'Ready', speed].filter(Boolean).join(' · '), tone: 'ok' };
    default:
      return { text: 'Engine status unknown', tone: 'idle' };
  }
}
