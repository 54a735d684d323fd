/**
 * The validator checks an object synchronously once what it needs is loaded (its schema looked
 * up, its validator compiled, the field lists read) and loads it first otherwise. One stage over
 * a whole tree — almost every object on the synchronous path, files whose later objects need
 * loading midway — gives exactly the verdicts each file gets from a stage of its own (everything
 * loaded for it), also where the same kind is looked up in different locations per file (two
 * KServe versions: answers kept per schema store, never per kind alone).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { yamlDocs } from '../generator/src/render/yaml.js';
import { Stage, type FileJob, type StageConfig } from '../generator/src/validate/stage.js';
import { brokenTree } from './helpers/broken-tree.js';
import { KSERVE_SRC, tempDir, UPSTREAM } from './helpers/repo.js';

const tmp = tempDir('llm-gitops-loading-');
afterAll(() => tmp.cleanup());

const locations = [join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc'), join(UPSTREAM, 'gateway-api', 'v1.5.1', 'config', 'crd', 'standard')].map((path) => ({ type: 'path' as const, path }));
// v0.20.0 finds the llmisvc CRDs; v9.9.9 has no location at all, so its LLMInferenceServices are "no schema" errors.
const config: StageConfig = { cacheDir: join(tmp.dir, 'cache'), fetch: {}, versions: [['v0.20.0', locations], ['v9.9.9', []]] };

function jobs(): FileJob[] {
  const { files, broken } = brokenTree(4);
  const all = [...files, ...broken].sort((a, b) => (a.path < b.path ? -1 : 1));
  const objects = files.flatMap((f) => f.objects ?? []) as Record<string, unknown>[];
  const first = (kind: string) => objects.find((o) => o.kind === kind)!;
  // Files of several kinds, each kind first met midway through a file.
  const mixed = [
    yamlDocs('environments/env0/catalog.yaml', first('Namespace'), first('LLMInferenceService'), { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } }, first('PersistentVolumeClaim')),
    yamlDocs('environments/env0/catalog.yaml', first('ConfigMap'), { ...first('Job'), spec: { bogus: 1 } }, first('LLMInferenceService'), { kind: 'NoVersion' }),
  ].map((f, i) => ({ path: `environments/env0/mixed-${i}.yaml`, ...f }));
  return [...mixed, ...all].map((f, i) => ({ path: f.path, content: f.content, objects: f.objects!, version: i % 3 === 1 ? 'v9.9.9' : 'v0.20.0', drift: i % 2 === 0 }));
}

describe('validate: loading, then synchronous checks', () => {
  it('one stage over the whole tree gives every verdict a stage of its own gives each file', async () => {
    const all = jobs();
    const together = await new Stage(config).run(all);
    const alone = [];
    for (const j of all) alone.push(...(await new Stage(config).run([j])).results);
    expect(together.results).toStrictEqual(alone);
    // What the tree holds: each version's verdicts on the same kind differ, and the mixed files are all there.
    const of = (kind: string, status: string) => together.results.filter((r) => r.kind === kind && r.status === status).length;
    expect(of('LLMInferenceService', 'valid')).toBeGreaterThan(2);
    expect(of('LLMInferenceService', 'invalid')).toBeGreaterThan(1);
    expect(together.results.filter((r) => r.kind === 'LLMInferenceService' && r.status === 'error' && r.msg.startsWith('no schema for LLMInferenceService')).length).toBeGreaterThan(2);
    expect(together.results.filter((r) => r.filename.includes('/mixed-')).map((r) => `${r.kind}:${r.status}`)).toStrictEqual([
      'Namespace:valid', 'LLMInferenceService:valid', 'Gadget:error', 'PersistentVolumeClaim:valid',
      'ConfigMap:valid', 'Job:invalid', 'LLMInferenceService:error', 'NoVersion:error',
    ]);
  }, 120_000);
});
