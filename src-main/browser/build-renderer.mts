/**
 * Builds the renderer for browser mode (the same Vite config the desktop build uses).
 *   tsx src-main/browser/build-renderer.mts [outDir]
 */
import { resolve } from 'node:path';
import { build } from 'vite';
import { rendererViteConfig } from '../../electron.config';

/** Builds src-renderer into outDir (default out/renderer) and resolves when done. */
export async function buildRenderer(outDir?: string): Promise<void> {
  await build({
    ...rendererViteConfig(outDir ? { outDir: resolve(outDir) } : {}),
    logLevel: 'warn',
    configFile: false,
  });
}

if (process.argv[1] && /build-renderer\.[cm]?[jt]s$/.test(process.argv[1])) {
  buildRenderer(process.argv[2]).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
