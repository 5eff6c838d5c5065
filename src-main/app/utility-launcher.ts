import type { UtilityProcess } from 'electron';
import type { EngineReplyMessage } from '../api/contract';
import { lowerPriority, type EngineLauncher } from '../engine-host/engine-launcher';

type Fork = (
  modulePath: string,
  args?: string[],
  options?: { serviceName?: string; stdio?: 'inherit' | 'pipe' | 'ignore' },
) => UtilityProcess;

/**
 * Starts the engine in an Electron utilityProcess: its own OS process, so ONNX Runtime's blocking
 * runs and any native crash stay away from the window.
 *
 * @example
 * const launch = utilityLauncher(utilityProcess.fork, join(__dirname, 'engine-host.js'));
 */
export function utilityLauncher(fork: Fork, entryPath: string): EngineLauncher {
  return (options = {}) => {
    const child = fork(entryPath, [], { serviceName: 'Hark engine', stdio: 'inherit' });
    if (!options.interactive) child.once('spawn', () => lowerPriority(child.pid));
    let exited = false;
    const exitListeners: ((exit: { code: number | null; signal: string | null }) => void)[] = [];
    child.on('exit', (code) => {
      if (exited) return;
      exited = true;
      for (const listener of exitListeners) listener({ code, signal: null });
    });
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (!exited) child.postMessage(message);
      },
      onMessage(listener) {
        child.on('message', (message: unknown) => listener(message as EngineReplyMessage));
      },
      onExit(listener) {
        exitListeners.push(listener);
      },
      kill() {
        if (!exited) child.kill();
      },
    };
  };
}
