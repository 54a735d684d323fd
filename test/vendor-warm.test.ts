/**
 * `vendor` leaves the validate cache warm: every served version of the vendored KServe CRDs is
 * converted and its validator compiled, so the first `validate` after vendoring compiles none of
 * them (validate/warm.ts) and decodes every CEL rule it reaches from the cache (cel-cache.ts).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { generate } from '../generator/src/commands/generate.js';
import { vendorCrds } from '../generator/src/commands/vendor-crds.js';
import { cli, KSERVE_SRC, repoWith, tempDir, UPSTREAM } from './helpers/repo.js';

const cache = tempDir('llm-gitops-warm-cache-');
const repo = repoWith({ dev: 'namespace: llm-dev\nplatform: { mode: standalone, source: vendored }\nmodels:\n  opt: { uri: hf://facebook/opt-125m, accelerator: cpu, router: none }\n' });
afterAll(() => {
  repo.cleanup();
  cache.cleanup();
});

it('vendor compiles the vendored CRDs\' validators and parses their CEL rules; the next validate compiles and parses none of them', async () => {
  const env = { LLM_GITOPS_CACHE: cache.dir };
  const v = await cli(['vendor', '--from', KSERVE_SRC], repo.dir, env);
  expect(v.code, v.stderr).toBe(0);
  // Two llmisvc CRDs, each serving v1alpha1 and v1alpha2.
  expect(readdirSync(join(cache.dir, 'validators')).filter((f) => f.endsWith('.cjs'))).toHaveLength(4);
  expect(readdirSync(join(cache.dir, 'crd')).length).toBeGreaterThanOrEqual(2);
  expect((await cli(['generate'], repo.dir, env)).code).toBe(0);
  // No delivery engine: only KServe kinds and built-in ones, the former all from the warm cache.
  const r = await cli(['validate', '--timings', '--schema-location', join(UPSTREAM, 'kserve', 'v0.20.0', 'config', 'crd', 'full', 'llmisvc')], repo.dir, env);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const timings = JSON.parse(/timings: (.*)/.exec(r.stderr)![1]!) as { compiled: number; loaded: number; celDecoded: number };
  expect(timings).toMatchObject({ compiled: 0, celParsed: 0 });
  expect(timings.celDecoded).toBeGreaterThan(0);
  expect(timings.loaded).toBeGreaterThan(0);
});

it('vendor --crds parses the CEL rules of the CRDs it caches too: the first validate after it, offline, parses none', async () => {
  const crdCache = tempDir('llm-gitops-warm-crds-');
  // KServe from the remote reference (not vendored): its llmisvc CRDs come through `vendor --crds` into the cache.
  const remote = repoWith({ dev: 'namespace: llm-dev\nplatform: { mode: standalone }\nmodels:\n  opt: { uri: hf://facebook/opt-125m, accelerator: cpu, router: none, resources: { cpu: "1", memory: 2Gi } }\n' });
  try {
    const env = { LLM_GITOPS_CACHE: crdCache.dir, LLM_GITOPS_OFFLINE: '1' };
    await generate({ root: remote.dir, envs: [], dryRun: false, vars: env });
    const v = await vendorCrds({ root: remote.dir, folder: UPSTREAM, cacheDir: crdCache.dir, env });
    expect(v.files.some((f) => f.url.includes('llminferenceservice'))).toBe(true);
    const r = await cli(['validate', '--timings'], remote.dir, env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const timings = JSON.parse(/timings: (.*)/.exec(r.stderr)![1]!) as { compiled: number; celParsed: number; celDecoded: number };
    expect(timings).toMatchObject({ compiled: 0, celParsed: 0 });
    expect(timings.celDecoded).toBeGreaterThan(0);
  } finally {
    remote.cleanup();
    crdCache.cleanup();
  }
});
