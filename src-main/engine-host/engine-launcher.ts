import { fork } from 'node:child_process';
import { constants, setPriority } from 'node:os';
import type { EngineReplyMessage, EngineRequestMessage } from '../api/contract';

/** A running engine process, whatever started it (child_process.fork or Electron's utilityProcess). */
export interface EngineProcess {
  readonly pid: number | undefined;
  send(message: EngineRequestMessage): void;
  onMessage(listener: (message: EngineReplyMessage) => void): void;
  /** Called once, when the process is gone (crashed, killed or exited). */
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void;
  kill(): void;
}

export interface LaunchOptions {
  /**
   * Work a person waits on (enrollment's live words, profile edits): runs at normal priority.
   * Otherwise (transcription, training) the process runs below normal priority.
   */
  interactive?: boolean;
}

export type EngineLauncher = (options?: LaunchOptions) => EngineProcess;

/**
 * Runs the engine below normal priority: when the CPU is short, the window (and the rest of the
 * desktop) is served first and the transcription waits, never the other way round.
 */
export function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // Not allowed on this system: the engine simply runs at normal priority.
  }
}

export interface ForkLauncherOptions {
  /** The engine process entry: engine-process.ts under tsx, or the built engine-host.js. */
  entryPath: string;
  /** Node flags, e.g. ['--import', 'tsx'] to run the TypeScript entry directly. */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts the engine as a Node child process (browser mode, tests, CLI-like hosts).
 *
 * @example
 * const launch = forkLauncher({ entryPath: 'src-main/engine-host/engine-process.ts', execArgv: ['--import', 'tsx'] });
 * const engine = launch();
 */
export function forkLauncher(options: ForkLauncherOptions): EngineLauncher {
  return (launchOptions = {}) => {
    const child = fork(options.entryPath, [], {
      execArgv: options.execArgv ?? [],
      env: options.env ?? process.env,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    if (!launchOptions.interactive) lowerPriority(child.pid);
    let exited = false;
    const exitListeners: ((exit: { code: number | null; signal: string | null }) => void)[] = [];
    const reportExit = (code: number | null, signal: string | null) => {
      if (exited) return;
      exited = true;
      for (const listener of exitListeners) listener({ code, signal });
    };
    child.on('exit', reportExit);
    child.on('error', () => reportExit(null, 'spawn-error'));
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (!exited && child.connected) child.send(message);
      },
      onMessage(listener) {
        child.on('message', (message) => listener(message as EngineReplyMessage));
      },
      onExit(listener) {
        exitListeners.push(listener);
      },
      kill() {
        if (!exited) child.kill('SIGKILL');
      },
    };
  };
}
