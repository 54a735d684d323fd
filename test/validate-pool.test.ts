/**
 * validate/pool.ts: the validate stage shared out over worker threads gives byte-for-byte the
 * one-thread output (every verdict, message, line, warning and the CEL rule report, in order),
 * from the bundle and from plain modules; a worker that throws in a batch or ends its thread is
 * dropped with the reason reported and its batches validated in the main thread; a batch that
 * fails in every thread fails the run. Workers run from a copy of the build (as bundle.test.ts
 * does), so the project's own dist is not touched.
 */
import { execFile } from 'node:child_process';
import { cpSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchesOf, threadsFrom, validatePooled, ValidatePool, type PoolOptions } from '../generator/src/validate/pool.js';
import { Stage, type FileJob, type StageConfig } from '../generator/src/validate/stage.js';
import { brokenTree } from './helpers/broken-tree.js';
import { KSERVE_SRC, PROJECT, tempDir, UPSTREAM } from './helpers/repo.js';

const run = promisify(execFile);
const tmp = tempDir('llm-gitops-pool-');
afterAll(() => tmp.cleanup());

/** The llmisvc and Gateway API CRDs for two versions (Argo CD and Flux kinds are then "no schema" errors); v9.9.9 has no ported webhook rules, so each of its LLMInferenceServices raises a warning with a line. */
const locations = [join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc'), join(UPSTREAM, 'gateway-api', 'v1.5.1', 'config', 'crd', 'standard')].map((path) => ({ type: 'path' as const, path }));
const config: StageConfig = { cacheDir: join(tmp.dir, 'cache'), fetch: {}, versions: [['v0.20.0', locations], ['v9.9.9', locations]] };

/** A rendered tree (example catalogs and a bench catalog), each LLMInferenceService again broken (schema, CEL, webhook), files of an unported KServe version, a skipped file and one without objects. */
function jobsOfTree(): FileJob[] {
  const { files, broken } = brokenTree(12);
  const all = [...files, ...broken].sort((a, b) => (a.path < b.path ? -1 : 1));
  const jobs: FileJob[] = all.map((f, i) => ({ path: f.path, content: f.content, objects: f.objects!, version: i % 5 === 0 ? 'v9.9.9' : 'v0.20.0', drift: i % 2 === 0, ...(i % 17 === 3 ? { skip: 'a kustomize input (test)' } : {}) }));
  // One file given as text only: parsed, as validate does for files not rendered from objects.
  const text = jobs.find((j) => j.objects?.length === 1 && !j.skip)!;
  return jobs.map((j) => (j === text ? { path: j.path, content: j.content, version: j.version, drift: j.drift } : j));
}

/** Everything the run prints from the stage: verdicts, warnings in order, the CEL rule report. */
const outputOf = (r: { results: unknown; warnings: unknown }, stage: Stage) => JSON.stringify({ results: r.results, warnings: r.warnings, rules: stage.validator.ruleReport() });

let jobs: FileJob[];
let reference: string;
const entry = (dist: string) => pathToFileURL(join(dist, 'commands', 'validate-worker.js'));
let bundledDist: string;
let plainDist: string;
/** Two workers, small batches; by default the workers take every batch (this thread only once both are gone), so their share does not depend on timing. */
const pool = (dist: string, o: Partial<PoolOptions> = {}): PoolOptions => ({ threads: 2, minObjects: 0, batchObjects: 9, entry: entry(dist), inThread: false, ...o });

beforeAll(async () => {
  jobs = jobsOfTree();
  // The reference: one stage, this thread, every file in one batch (it also fills the validator cache the workers read).
  const stage = new Stage(config);
  const one = await stage.run(jobs);
  reference = outputOf(one, stage);
  // Two copies of the build beside the project's node_modules: with its bundle (for this copy's fingerprint), and without.
  bundledDist = join(tmp.dir, 'tool', 'dist');
  plainDist = join(tmp.dir, 'plain', 'dist');
  for (const [dist, bundle] of [[bundledDist, true], [plainDist, false]] as const) {
    cpSync(join(PROJECT, 'dist'), dist, { recursive: true, filter: (src) => !src.endsWith('.bundle.cjs') && !src.endsWith('.map') });
    cpSync(join(PROJECT, 'package.json'), join(dist, '..', 'package.json'));
    symlinkSync(join(PROJECT, 'node_modules'), join(dist, '..', 'node_modules'));
    if (bundle) await run(process.execPath, [join(PROJECT, 'scripts', 'bundle.mjs'), dist]);
  }
}, 60_000);

describe('validate pool', () => {
  it('the reference tree has invalid objects, errors, skips, warnings with lines and reached CEL rules', () => {
    const r = JSON.parse(reference) as { results: { status: string }[]; warnings: [string, { line?: number }][]; rules: { compiled: number }[] };
    const count = (s: string) => r.results.filter((x) => x.status === s).length;
    expect(count('valid')).toBeGreaterThan(30);
    expect(count('invalid')).toBeGreaterThan(20);
    expect(count('error')).toBeGreaterThan(0);
    expect(count('skipped')).toBeGreaterThan(0);
    expect(r.warnings.filter(([, w]) => w.line !== undefined).length).toBeGreaterThan(3);
    expect(r.rules.some((x) => x.compiled > 0)).toBe(true);
    expect(batchesOf(jobs, 9).length).toBeGreaterThan(10);
    expect(batchesOf(jobs, 9).flat()).toStrictEqual(jobs); // whole files, in order, each once
  });

  it('two workers, from the bundle and from plain modules: the same bytes as one thread, the workers doing batches', async () => {
    for (const [dist, from] of [[bundledDist, 'bundle'], [plainDist, 'modules']] as const) {
      const stage = new Stage(config);
      const r = await validatePooled(stage, config, jobs, pool(dist));
      expect(r.failures).toStrictEqual([]);
      expect(r.loadedFrom).toStrictEqual([from, from]);
      expect(r.batchesInWorkers).toBe(batchesOf(jobs, 9).length);
      expect(outputOf(r, stage)).toBe(reference);
    }
    // This thread and a worker sharing the queue (the split depends on timing; the bytes must not).
    const stage = new Stage(config);
    const shared = await validatePooled(stage, config, jobs, pool(bundledDist, { threads: 1, inThread: true }));
    expect(shared.failures).toStrictEqual([]);
    expect(outputOf(shared, stage)).toBe(reference);
  }, 60_000);

  it('a worker that throws in a batch, or ends its thread, is dropped with the reason; its batches are validated here, the same bytes', async () => {
    for (const [kind, reason] of [['throw', 'failed on a batch: injected fault (test hook)'], ['exit', 'exited (code 3)']] as const) {
      const stage = new Stage(config);
      const r = await validatePooled(stage, config, jobs, pool(bundledDist, { fault: { kind, batch: 2 } }));
      expect(r.failures.map((f) => f.message).sort()).toStrictEqual([1, 2].map((n) => expect.stringContaining(`validation worker ${n} ${reason}; the `)));
      expect(r.failures.every((f) => jobs.some((j) => j.path === f.file))).toBe(true);
      expect(r.batchesInWorkers).toBe(2); // each did its first batch only
      expect(outputOf(r, stage)).toBe(reference);
    }
  }, 60_000);

  it('a batch that throws in every thread fails the run (never a verdict)', async () => {
    const bad = jobs.map((j, i) => (i === jobs.length - 3 ? { ...j, version: 'v0.0.0-no-locations' } : j));
    await expect(validatePooled(new Stage(config), config, bad, pool(bundledDist))).rejects.toThrow(/no schema locations for .* \(KServe v0\.0\.0-no-locations\)/);
  }, 60_000);

  it('a pool started before the files exist (validate starts it while rendering) takes its share once given the run; one that cannot load is reported, the same bytes', async () => {
    const early = new ValidatePool(2, entry(bundledDist), config.cacheDir);
    const stage = new Stage(config);
    const r = await validatePooled(stage, config, jobs, pool(bundledDist), early);
    expect({ failures: r.failures, threads: r.threads, batches: r.batchesInWorkers }).toStrictEqual({ failures: [], threads: 2, batches: batchesOf(jobs, 9).length });
    expect(outputOf(r, stage)).toBe(reference);
    const broken = new ValidatePool(1, pathToFileURL(join(tmp.dir, 'no-such-worker.js')), config.cacheDir);
    const again = new Stage(config);
    const b = await validatePooled(again, config, jobs, pool(bundledDist), broken);
    expect(b.failures).toStrictEqual([{ file: jobs[0]!.path, message: expect.stringMatching(/^validation worker 1 crashed: .*no-such-worker\.js.*; its share was validated in the main thread instead$/) }]);
    expect(outputOf(b, again)).toBe(reference);
  }, 60_000);

  it('how many workers: LLM_GITOPS_VALIDATE_THREADS, else none', () => {
    expect([threadsFrom({}), threadsFrom({ LLM_GITOPS_VALIDATE_THREADS: '0' }), threadsFrom({ LLM_GITOPS_VALIDATE_THREADS: '3' }), threadsFrom({ LLM_GITOPS_VALIDATE_THREADS: 'many' }), threadsFrom({ LLM_GITOPS_VALIDATE_THREADS: '99' })]).toStrictEqual([0, 0, 3, 0, 16]);
  });

  it('below minObjects no worker starts', async () => {
    const stage = new Stage(config);
    const r = await validatePooled(stage, config, jobs, pool(bundledDist, { minObjects: 1e9 }));
    expect({ threads: r.threads, batches: r.batchesInWorkers }).toStrictEqual({ threads: 0, batches: 0 });
    expect(outputOf(r, stage)).toBe(reference);
  });
});
