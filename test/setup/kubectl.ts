import { ensureKubectl } from './kubectl-path.js';

/** vitest globalSetup: extract the real kubectl once before any test file runs. */
export default async function setup(): Promise<void> {
  if (process.platform !== 'linux' || process.arch !== 'x64') return;
  await ensureKubectl();
}
