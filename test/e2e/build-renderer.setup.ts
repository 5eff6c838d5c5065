import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';
import { rendererViteConfig } from '../../electron.config';

declare module 'vitest' {
  export interface ProvidedContext {
    rendererDir: string;
  }
}

/** Builds the renderer once for the end-to-end run (what `npm run serve` serves). */
export default async function setup(project: TestProject): Promise<() => void> {
  const outDir = mkdtempSync(join(tmpdir(), 'hark-e2e-renderer-'));
  await build({ ...rendererViteConfig({ outDir }), configFile: false, logLevel: 'error' });
  project.provide('rendererDir', outDir);
  return () => rmSync(outDir, { recursive: true, force: true });
}
