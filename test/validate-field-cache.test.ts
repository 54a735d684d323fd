/**
 * validate/field-cache.ts: the client-node models a run imported for the
 * unknown-field check are kept in one cache entry, so the next run imports none of them and
 * gives the same verdicts; an entry of another shape is ignored whole (the models are imported
 * again, the verdicts unchanged) and rewritten.
 * Proven through the real CLI, tracing the modules its process resolves (test/helpers/module-trace.mjs).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, PROJECT, tempDir } from './helpers/repo.js';
import { write } from './helpers/gitops-repo.js';
import { llmisvcCrd } from './helpers/tiny-crd.js';

const run = promisify(execFile);
const TRACE = join(PROJECT, 'test', 'helpers', 'module-trace.mjs');
const work = tempDir('llm-gitops-field-cache-');
afterAll(() => work.cleanup());

const repo = join(work.dir, 'repo');
const cache = join(work.dir, 'cache');
const MODELS = '/@kubernetes/client-node/dist/gen/models/';
let n = 0;

/** validate --timings (every stage runs) with a module trace: the client-node models imported, and the JSON report. */
async function validate(): Promise<{ models: string[]; report: unknown }> {
  const trace = join(work.dir, `trace-${n++}.txt`);
  const args = ['--import', TRACE, CLI, 'validate', '--timings', '--no-default-locations', '--schema-location', 'crds', '--output', 'json'];
  const out = await run(process.execPath, args, { cwd: repo, env: { ...process.env, LLM_GITOPS_CACHE: cache, MODULE_TRACE_FILE: trace } });
  const models = readFileSync(trace, 'utf8').split('\n').filter((u) => u.includes(MODELS)).map((u) => u.slice(u.indexOf(MODELS) + MODELS.length));
  return { models, report: JSON.parse(out.stdout) };
}

describe('known-fields cache', () => {
  it('a second run imports no client-node model and gives the same verdicts; a damaged entry is ignored and rewritten', async () => {
    // A PVC download renders a built-in Job and PersistentVolumeClaim, whose fields the client-node models list.
    write(repo, 'environments/dev/catalog.yaml', 'namespace: llm-dev\nplatform: { mode: none }\nmodels:\n  opt: { uri: pvc://store/opt, name: facebook/opt-125m, accelerator: cpu, router: none, download: { from: hf://facebook/opt-125m, size: 1Gi } }\n');
    write(repo, 'crds/llmisvc.yaml', llmisvcCrd({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }));
    const first = await validate();
    expect(first.models.length).toBeGreaterThan(5);
    expect(first.models).toContain('V1PodSpec.js');
    const [entry] = readdirSync(join(cache, 'known-fields'));
    const entryPath = join(cache, 'known-fields', entry!);
    const good = readFileSync(entryPath, 'utf8');
    const names = (JSON.parse(good) as { models: [string, unknown][] }).models.map(([name]) => name);
    expect(names).toStrictEqual([...names].sort());
    expect(names).toContain('V1PodSpec');

    const second = await validate();
    expect(second.models).toStrictEqual([]);
    expect(second.report).toStrictEqual(first.report);
    expect(readFileSync(entryPath, 'utf8')).toBe(good); // nothing new: not rewritten

    for (const bad of ['not json', JSON.stringify({ format: 'known-fields-0', models: [] }), good.replace('"V1PodSpec",[[', '"V1PodSpec",[[7,'), good.replace(/\]\]\}$/, '],["V1X"]]}')]) {
      expect(bad).not.toBe(good);
      writeFileSync(entryPath, bad);
      const again = await validate();
      expect(again.models.length).toBe(first.models.length);
      expect(again.report).toStrictEqual(first.report);
      expect(readFileSync(entryPath, 'utf8')).toBe(good);
    }
  }, 60_000);
});
