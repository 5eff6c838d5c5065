/**
 * `npm run serve`: Hark in a browser. Serves the built renderer and the API on 127.0.0.1 with a
 * random token, runs the engine in a child process, and prints the address to open.
 *
 *   npm run serve -- [--port 0] [--user-data DIR] [--model DIR] [--renderer DIR]
 *
 * For tests only: --test-minimum-data RECORDINGS,SECONDS lowers the least data a voice-profile
 * training run accepts (the e2e test trains on a handful of short prompts).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { forkLauncher } from '../engine-host/engine-launcher';
import { HarkService } from '../engine-host/hark-service';
import { defaultUserDataDir } from '../engine/user-data-dir';
import { BROWSER_ROUTES } from '../api/contract';
import { parseMinimumData } from './minimum-data-option';
import { startBrowserServer } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'user-data': { type: 'string' },
      model: { type: 'string' },
      renderer: { type: 'string' },
      'test-minimum-data': { type: 'string' },
    },
  });
  const profileMinimumData = parseMinimumData(values['test-minimum-data']);
  const root = process.cwd();
  const userDataDir = resolve(values['user-data'] ?? defaultUserDataDir('Hark'));
  const rendererDir = resolve(values.renderer ?? join(root, 'out', 'renderer'));
  const version = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
  ).version;

  const service = await HarkService.create({
    mode: 'browser',
    version,
    userDataDir,
    bundledModelDir: resolve(values.model ?? join(root, 'models', 'base-en')),
    launch: forkLauncher({
      entryPath: join(root, 'src-main', 'engine-host', 'engine-process.ts'),
      execArgv: ['--import', 'tsx'],
    }),
    mediaUrl: (id) => `${BROWSER_ROUTES.media}${id}`,
    resumeTrainingOnStart: true,
    recordingUrl: (profile, id) =>
      `${BROWSER_ROUTES.recording}${encodeURIComponent(profile)}/${id}`,
    downloadUrl: (token, fileName) =>
      `${BROWSER_ROUTES.download}${token}/${encodeURIComponent(fileName)}`,
    ...(profileMinimumData ? { profileMinimumData } : {}),
  });
  const server = await startBrowserServer({
    service,
    rendererDir,
    uploadsDir: join(userDataDir, 'uploads'),
    port: Number(values.port),
  });
  service.start();

  process.stdout.write(`Hark is running. Open this address in a browser:\n${server.url}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await service.dispose();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`hark serve: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
