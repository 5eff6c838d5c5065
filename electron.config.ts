/**
 * The desktop app's build (electron-vite): the Electron main process and the engine process
 * (two entries of the main build), the sandboxed preload, and the Svelte renderer.
 *   npm run build   →  out/main/index.js, out/main/engine-host.js, out/preload/preload.js, out/renderer/
 * Browser mode builds the same renderer with `rendererViteConfig` (see src-main/browser/build-renderer.ts).
 */
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import type { UserConfig } from 'vite';

const root = process.cwd();
/** Where the build goes; tests build into a temporary folder. */
const outRoot = process.env.HARK_BUILD_OUT_DIR ?? resolve(root, 'out');

/** The renderer's Vite config, shared by the Electron build and browser mode. */
export function rendererViteConfig(options: { outDir?: string } = {}): UserConfig {
  return {
    root: resolve(root, 'src-renderer'),
    base: './',
    plugins: [svelte({ configFile: false, compilerOptions: { runes: true } })],
    build: {
      outDir: options.outDir ?? resolve(outRoot, 'renderer'),
      emptyOutDir: true,
      target: 'chrome120',
      // No inline scripts or styles: the Content-Security-Policy forbids them.
      assetsInlineLimit: 0,
      cssCodeSplit: false,
      modulePreload: { polyfill: false },
      reportCompressedSize: false,
      rolldownOptions: { input: resolve(root, 'src-renderer', 'index.html') },
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: resolve(outRoot, 'main'),
      // onnxruntime-node and wavefile stay in node_modules (native binaries, unpacked from asar).
      externalizeDeps: true,
      rolldownOptions: {
        input: {
          index: resolve(root, 'src-main', 'app', 'main.ts'),
          'engine-host': resolve(root, 'src-main', 'engine-host', 'engine-process.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(outRoot, 'preload'),
      // A sandboxed preload cannot require anything but electron: bundle everything into it.
      externalizeDeps: false,
      rolldownOptions: {
        input: { preload: resolve(root, 'src-main', 'app', 'preload.ts') },
        external: ['electron'],
      },
    },
  },
  renderer: rendererViteConfig(),
});
