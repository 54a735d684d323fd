#!/usr/bin/env node
/**
 * Timings of `validate` on 1,000 models in 10 environments (scripts/bench-catalogs.mjs), with
 * the pinned CRDs from ../shared as schema locations (no network):
 * - cold: an empty cache, so the CRDs are parsed and converted and the validators compiled;
 * - warm: the cache of an earlier run (converted CRDs, precompiled validators, V8 code cache).
 *
 * Standalone: `node scripts/bench-validate.mjs` (after `npm run build`) prints the rows.
 * Not part of `npm run bench` any more (scripts/bench-scale.mjs measures validate there, beside its floor).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const UPSTREAM = join(process.env.LLM_GITOPS_SHARED ?? resolve(PROJECT, '..', 'shared'), 'upstream');
const LOCATIONS = [
  join(UPSTREAM, 'kserve', 'v0.20.0', 'config', 'crd', 'full', 'llmisvc'),
  join(UPSTREAM, 'argo-cd', 'v3.5.1', 'manifests', 'crds'),
  join(UPSTREAM, 'kustomize-controller', 'v1.9.4', 'config', 'crd'),
  join(UPSTREAM, 'source-controller', 'v1.9.1', 'config', 'crd'),
].flatMap((l) => ['--schema-location', l]);

/** Rows for scripts/bench.mjs's table (its `measure`/`prepared`/`timed` helpers). */
export async function validateBench({ measure, prepared, timed }) {
  const warm = mkdtempSync(join(tmpdir(), 'llm-gitops-bench-cache-'));
  try {
    // A relative cache folder lands inside each fresh copy of the tree: empty every run.
    const cold = measure('validate, 1,000 models / 10 envs, empty cache', prepared, ['validate', ...LOCATIONS], { LLM_GITOPS_CACHE: '.bench-cache' });
    const dir = prepared();
    try {
      timed(['validate', ...LOCATIONS], dir, { LLM_GITOPS_CACHE: warm });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const hot = measure('validate, 1,000 models / 10 envs, warm cache', prepared, ['validate', ...LOCATIONS], { LLM_GITOPS_CACHE: warm });
    return [cold, hot];
  } finally {
    rmSync(warm, { recursive: true, force: true });
  }
}

export const benches = [validateBench];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { spawnSync } = await import('node:child_process');
  const { cpSync } = await import('node:fs');
  const { writeBenchRepo } = await import('./bench-catalogs.mjs');
  const CLI = join(PROJECT, 'dist', 'cli.js');
  const timed = (args, cwd, env = {}) => {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}):\n${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`);
    const [sec, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
    return [sec, kb / 1024];
  };
  const base = mkdtempSync(join(tmpdir(), 'llm-gitops-bench-'));
  writeBenchRepo(base, { envs: 10, models: 100 });
  const [gen, genMem] = timed(['generate'], base);
  console.log(`generate, 1,000 models / 10 envs, empty tree: ${gen.toFixed(2)} s, ${Math.round(genMem)} MiB`);
  const prepared = () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-gitops-bench-'));
    cpSync(base, dir, { recursive: true });
    return dir;
  };
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const measure = (label, setup, args, env) => {
    const rows = [];
    for (let i = 0; i < runs; i++) {
      const dir = setup();
      try {
        rows.push(timed(args, dir, env));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    rows.sort((a, b) => a[0] - b[0]);
    const [s, m] = rows[Math.floor(rows.length / 2)];
    console.log(`${label}: ${s.toFixed(2)} s, ${Math.round(m)} MiB (median of ${runs})`);
    return { label, seconds: s, rssMiB: Math.round(m) };
  };
  try {
    await validateBench({ measure, prepared, timed });
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
