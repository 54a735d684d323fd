/**
 * `npm test` without ../shared: one clear message from the global setup, not a failure per
 * test (the suite reads pinned upstream CRDs, configs and samples from there).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT, tempDir } from './helpers/repo.js';

describe('the test suite without ../shared', () => {
  it('stops at once with one message naming the folder and how to provide it', () => {
    const t = tempDir();
    try {
      const missing = join(t.dir, 'no-shared-here');
      const r = spawnSync(process.execPath, [join(PROJECT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/yaml.test.ts'], {
        cwd: PROJECT,
        env: { ...process.env, LLM_GITOPS_SHARED: missing, NO_COLOR: '1', FORCE_COLOR: '0' },
        encoding: 'utf8',
      });
      expect(r.status).toBe(1);
      const lines = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /error|ENOENT|fail/i.test(l));
      expect(lines).toEqual([
        `error: the tests need the pinned upstream data in ${missing} (upstream/kserve/v0.20.0/config/llmisvc/kustomization.yaml is missing). Clone the repository beside a shared/ folder holding upstream/ (see README.md, "Tests"), or point LLM_GITOPS_SHARED at one.`,
      ]);
    } finally {
      t.cleanup();
    }
  });
});
