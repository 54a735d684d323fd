/**
 * What Argo CD / Flux would apply: the real `kubectl kustomize` build of each environment
 * (example and test catalogs, vendored from the pinned KServe source), validated with the
 * validator as a library. Every LLMInferenceService in a build must pass KServe v0.20.0's
 * v1alpha2 CRD schema with unknown fields rejected — after kustomize's namespace, label and
 * image transformers, not just as generated.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskCache } from '../generator/src/validate/cache.js';
import { SchemaCompiler } from '../generator/src/validate/compile.js';
import { SchemaStore } from '../generator/src/validate/schema-store.js';
import { Validator } from '../generator/src/validate/validator.js';
import { cli, exampleCatalogs, KSERVE_SRC, kustomize, PROJECT, repoWith, tempDir } from './helpers/repo.js';

const KSERVE_CRDS = join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc');
const fixture = (name: string) => readFileSync(join(PROJECT, 'test', 'fixtures', 'catalogs', name), 'utf8');
const catalogs = { ...exampleCatalogs(), edge: fixture('edge.yaml'), shared: fixture('unmanaged-platform.yaml') };

const cache = tempDir('llm-gitops-cache-');
let repo: { dir: string; cleanup: () => void };

beforeAll(async () => {
  repo = repoWith(catalogs);
  expect((await cli(['vendor', '--from', KSERVE_SRC], repo.dir)).code).toBe(0);
  expect((await cli(['generate'], repo.dir)).code).toBe(0);
});
afterAll(() => {
  repo?.cleanup();
  cache.cleanup();
});

function validator(): Validator {
  const store = new SchemaStore([{ type: 'path', path: KSERVE_CRDS }], new DiskCache(cache.dir));
  return new Validator({ lookup: (v, k) => store.lookup(v, k), compiler: new SchemaCompiler(new DiskCache(cache.dir)), describe: () => KSERVE_CRDS });
}

describe('kubectl kustomize build of every environment', () => {
  it.each(Object.keys(catalogs))('%s: every LLMInferenceService passes the v1alpha2 CRD schema, every other object its schema', async (env) => {
    const built = await kustomize(join(repo.dir, 'environments', env));
    const results = await validator().validateFile(`build:${env}`, built);
    const llmisvcs = results.filter((r) => r.kind === 'LLMInferenceService');
    const models = Object.keys((await import('yaml')).parse(catalogs[env as keyof typeof catalogs]).models);
    expect(llmisvcs.map((r) => r.name).sort()).toEqual(models.sort());
    for (const r of llmisvcs) {
      expect(r.version).toBe('serving.kserve.io/v1alpha2');
      expect(r.schema).toBe(join(KSERVE_CRDS, 'serving.kserve.io_llminferenceservices.yaml'));
    }
    for (const r of results) expect(r.status, `${r.kind}/${r.name}: ${r.msg} ${JSON.stringify(r.validationErrors)}`).toBe('valid');
  });

  it('the same validator rejects an unknown field in a built LLMInferenceService', async () => {
    const built = await kustomize(join(repo.dir, 'environments', 'dev'));
    const tampered = built.replace(/^spec:\n/m, 'spec:\n  bogusField: true\n');
    const results = await validator().validateFile('build:dev', tampered);
    const bad = results.find((r) => r.kind === 'LLMInferenceService')!;
    expect(bad.status).toBe('invalid');
    expect(bad.validationErrors).toContainEqual(expect.objectContaining({ path: '/spec/bogusField', msg: 'unknown field (not in the schema)' }));
  });
});
