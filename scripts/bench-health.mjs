#!/usr/bin/env node
/**
 * `node scripts/bench-health.mjs` (after `npm run build`): one `llm-gitops health` round for
 * 1,000 models in 10 namespaces against the in-process fake API server, beside
 * `kubectl wait --for=condition=Ready llminferenceservice --all -A --timeout=60s` on the same
 * server. The measurement lives in test/health-bench.test.ts (the fake server is test code, in
 * TypeScript); this runs it through vitest and prints the figures. BENCH_RUNS (default 5) sets
 * the repetitions of the health measurements, BENCH_KUBECTL_TIMEOUT (default 60s) kubectl's budget.
 *
 * `healthBench()` returns rows in the shape scripts/bench.mjs tabulates.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs the benchmark; resolves to its raw figures. */
export function measureHealth() {
  const dir = mkdtempSync(join(tmpdir(), 'llm-gitops-bench-health-'));
  const out = join(dir, 'figures.json');
  try {
    const r = spawnSync(process.execPath, [join(PROJECT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/health-bench.test.ts'], {
      cwd: PROJECT,
      encoding: 'utf8',
      env: { ...process.env, LLM_GITOPS_BENCH: '1', LLM_GITOPS_BENCH_OUT: out },
      maxBuffer: 1 << 26,
    });
    if (r.status !== 0) throw new Error(`health benchmark failed (${r.status}):\n${(r.stdout + r.stderr).slice(-3000)}`);
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Rows for scripts/bench.mjs: { label, seconds, rssMiB? }. */
export function healthBench() {
  const f = measureHealth();
  const kubectl = f.kubectlConfirmed === f.models ? `${f.kubectlRequests} requests` : `gave up at ${f.kubectlTimeout} with ${f.kubectlConfirmed} of ${f.models} confirmed, ${f.kubectlRequests} requests`;
  return [
    { label: `health, one round in-process, ${f.models} models / ${f.namespaces} namespaces (${f.healthRequests} API requests)`, seconds: f.healthRoundMs / 1000 },
    { label: `health --once, fresh CLI process, same cluster (${f.healthRequests} API requests)`, seconds: f.healthCliMs / 1000 },
    { label: `kubectl wait --for=condition=Ready llminferenceservice --all -A, same cluster (${kubectl})`, seconds: f.kubectlWaitMs / 1000 },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of healthBench()) console.log(`${row.label}: ${row.seconds.toFixed(2)} s`);
}
