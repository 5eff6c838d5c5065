/**
 * Packaging: the electron-builder configuration (validated by electron-builder itself) and a real
 * electron-vite build of the main, engine, preload and renderer bundles into a temporary folder.
 * The installers themselves need the Electron binary, which cannot be downloaded here.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Configuration } from 'electron-builder';

const ROOT = resolve(__dirname, '..', '..', '..');
const require = createRequire(__filename);

describe('packaging', () => {
  const config = require(join(ROOT, 'electron-builder.config.cjs')) as Configuration;

  it('builds AppImage + deb, NSIS and DMG, with the microphone explained on macOS', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(String(config.mac?.extendInfo?.NSMicrophoneUsageDescription)).toMatch(
      /records your voice/,
    );
  });

  it('unpacks ONNX Runtime and the models from asar and ships each platform only its own binaries', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['node_modules/onnxruntime-node/**', 'models/**']),
    );
    expect(config.files).toEqual(expect.arrayContaining(['out/**/*', 'models/**/*']));
    const excluded = (files: unknown) =>
      (files as string[]).filter((pattern) => pattern.startsWith('!')).join(' ');
    expect(excluded(config.linux?.files)).toMatch(/darwin/);
    expect(excluded(config.linux?.files)).toMatch(/win32/);
    expect(excluded(config.linux?.files)).not.toMatch(/linux/);
    expect(excluded(config.win?.files)).toMatch(/darwin.*linux|linux.*darwin/);
    expect(excluded(config.mac?.files)).toMatch(/linux.*win32|win32.*linux/);
  });

  it('passes electron-builder’s own validation', { timeout: 60_000 }, async () => {
    const { getConfig, validateConfiguration } =
      require('app-builder-lib/out/util/config/config.js') as {
        getConfig: (dir: string, path: string, extra: null) => Promise<Configuration>;
        validateConfiguration: (config: Configuration, logger: unknown) => Promise<void>;
      };
    const { DebugLogger } = require('builder-util') as {
      DebugLogger: new (enabled: boolean) => unknown;
    };
    const loaded = await getConfig(ROOT, 'electron-builder.config.cjs', null);
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('builds the main, engine, preload and renderer bundles', { timeout: 180_000 }, async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'hark-build-'));
    try {
      await promisify(execFile)(
        process.execPath,
        [
          join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'),
          'build',
          '-c',
          'electron.config.ts',
        ],
        { cwd: ROOT, env: { ...process.env, HARK_BUILD_OUT_DIR: outDir } },
      );
      const main = readFileSync(join(outDir, 'main', 'index.js'), 'utf8');
      const engine = readFileSync(join(outDir, 'main', 'engine-host.js'), 'utf8');
      const preload = readFileSync(join(outDir, 'preload', 'preload.js'), 'utf8');
      const html = readFileSync(join(outDir, 'renderer', 'index.html'), 'utf8');
      expect(main).toMatch(/require\("electron"\)/);
      expect(main).toContain('utilityProcess');
      // The engine process never loads electron; ONNX Runtime stays an external native module.
      expect(engine).not.toMatch(/require\("electron"\)/);
      expect(engine).toMatch(/require\("onnxruntime-node"\)/);
      // Electron's main process never loads ONNX Runtime: only the engine entry requires it (the
      // voice-profile store runs in an engine process too), not main nor a chunk main shares.
      const mainDir = join(outDir, 'main');
      const loaders = readdirSync(mainDir, { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.js'))
        .filter((file) =>
          /require\("onnxruntime-node"\)/.test(readFileSync(join(mainDir, file), 'utf8')),
        );
      expect(loaders).toEqual(['engine-host.js']);
      // A sandboxed preload can only require electron.
      expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1])).toEqual([
        'electron',
      ]);
      expect(html).not.toMatch(/<script>(?!<\/script>)/);
      const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script && existsSync(join(outDir, 'renderer', script))).toBe(true);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
