import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/shared.ts', 'test/setup/kubectl.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Vitest's default runs as many files at once as there are cores less one: one at a time on a
    // 2-core machine. Our files spend much of their time waiting on child processes (git, kubectl,
    // node) and fsync, so two at once on two cores took the suite from 9m22s to 5m29s here (both
    // green, and green in three clean-clone .ci/run runs since).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
