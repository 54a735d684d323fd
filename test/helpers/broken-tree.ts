/**
 * A rendered tree with objects each check refuses, for tests that compare two ways of validating
 * (shared vs whole validators, a worker pool vs one thread): the YAML files rendered from the
 * example catalogs and a bench catalog of `models` models, and each LLMInferenceService again,
 * broken twice — a schema copy (an unknown field, wrong types deep in the template) and an
 * admission copy (replicas beside scaling, min above max, hpa with keda: CEL and webhook rules).
 */
import { loadRepository } from '../../generator/src/catalog/repository.js';
import { renderTree } from '../../generator/src/render/tree.js';
import { yamlDocs } from '../../generator/src/render/yaml.js';
import { benchCatalog } from '../../scripts/bench-catalogs.mjs';
import { exampleCatalogs } from './repo.js';

type Rendered = ReturnType<typeof renderTree>[number];

export function brokenTree(models: number): { files: Rendered[]; broken: { path: string; content: string; objects: readonly unknown[] }[] } {
  const catalogs = { ...exampleCatalogs(true), env0: (benchCatalog as (env: string, n: number, o: object) => string)('env0', models, { source: 'vendored' }) };
  const loaded = loadRepository(Object.entries(catalogs).map(([env, text]) => ({ env, file: `environments/${env}/catalog.yaml`, text })));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const files = renderTree(loaded.value).filter((f) => f.path.endsWith('.yaml') && f.objects);
  const broken = files.flatMap((f) => {
    const [o] = f.objects as Record<string, Record<string, unknown>>[];
    if (o?.kind !== 'LLMInferenceService') return [];
    const spec = o.spec as Record<string, unknown>;
    const schemaBroken = { ...o, spec: { ...spec, bogusField: true, template: { ...(spec.template as object), containers: [{ name: 'main', image: 7, resources: { limits: { cpu: true } } }] } } };
    const admissionBroken = { ...o, spec: { ...spec, replicas: 2, scaling: { minReplicas: 5, maxReplicas: 1, wva: { hpa: {}, keda: {} } } } };
    return [schemaBroken, admissionBroken].map((bad, i) => ({ path: f.path.replace(/\.yaml$/, `-broken-${i}.yaml`), ...yamlDocs('environments/env0/catalog.yaml', bad) }));
  });
  return { files, broken };
}
