import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/shared.ts', 'test/setup/kubectl.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Vitest's default is one file at a time per core but one (1 on a 2-core machine). Our files
    // spend much of their time waiting on child processes (git, kubectl, node) and fsync, so two
    // files at once on two cores took the suite from 9m22s to 5m29s here (both green).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
