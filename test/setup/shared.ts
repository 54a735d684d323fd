/**
 * vitest globalSetup: the tests read pinned upstream data (CRDs, KServe config and samples)
 * from ../shared beside the repository (or $LLM_GITOPS_SHARED). Without it, one clear message
 * instead of a failure per test.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from '../helpers/repo.js';

export const SHARED_PROBE = join('upstream', 'kserve', 'v0.20.0', 'config', 'llmisvc', 'kustomization.yaml');

export default function setup(): void {
  if (existsSync(join(SHARED, SHARED_PROBE))) return;
  // Exit rather than throw: vitest would wrap a throw in a stack trace and "no test files found".
  process.stderr.write(
    `error: the tests need the pinned upstream data in ${SHARED} (${SHARED_PROBE} is missing). ` +
      'Clone the repository beside a shared/ folder holding upstream/ (see README.md, "Tests"), or point LLM_GITOPS_SHARED at one.\n',
  );
  process.exit(1);
}
