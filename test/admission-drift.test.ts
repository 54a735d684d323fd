/**
 * Drift: the API server's defaults (admission/drift) applied to every object the tool renders and
 * to the platform real kustomize builds from the vendored KServe v0.20.0 config. Every object
 * either equals its desired form inside list items, or sits in an Argo CD unit that compares with
 * ServerSideDiff=true; `validate` reports a list-item default our own object would pick up.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionSchema, admit, type AdmissionNode } from '../generator/src/admission/index.js';
import { cli, exampleCatalogs, KSERVE_SRC, kustomize, snapshot, tempDir, vendoredRepo } from './helpers/repo.js';

type Raw = Record<string, any>;
const CRDS = join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc');
const trees = new Map<string, AdmissionNode>();
for (const f of ['serving.kserve.io_llminferenceservices.yaml', 'serving.kserve.io_llminferenceserviceconfigs.yaml']) {
  const crd = parseAllDocuments(readFileSync(join(CRDS, f), 'utf8'), { version: '1.1' })[0]!.toJS() as Raw;
  for (const v of crd.spec.versions) trees.set(`${crd.spec.group}/${v.name}|${crd.spec.names.kind}`, admissionSchema(v.schema.openAPIV3Schema)!);
}
const drift = (o: Raw) => {
  const tree = trees.get(`${o.apiVersion}|${o.kind}`);
  return tree ? admit(o, tree, `${o.apiVersion}|${o.kind}`).listItemDefaults : [];
};
const docs = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Raw).filter((o) => o && o.kind);

const DRIFTING = `namespace: llm-drift
platform: { mode: none }
delivery: { engine: argocd, repoURL: https://example.com/gitops.git }
models:
  ported:
    uri: hf://facebook/opt-125m
    accelerator: cpu
    spec: { template: { containers: [{ name: main, ports: [{ containerPort: 8000 }] }] } }
`;
let repo: { dir: string; cleanup: () => void };
const cache = tempDir('llm-gitops-cache-');
beforeAll(async () => {
  repo = await vendoredRepo({ ...exampleCatalogs(), drift: DRIFTING });
});
afterAll(() => {
  repo?.cleanup();
  cache.cleanup();
});

describe('drift-free sync', () => {
  it('the built platform picks up list-item defaults only in units that compare with ServerSideDiff', async () => {
    for (const env of ['prod']) {
      // Only the custom resources can drift this way (built-in kinds merge lists by key); parse those.
      const text = await kustomize(join(repo.dir, 'environments', env, 'platform'));
      const built = text.split(/^---$/m).filter((d) => /^apiVersion: serving\.kserve\.io\//m.test(d)).flatMap(docs);
      expect(built.length).toBeGreaterThan(5);
      const drifting = built.filter((o) => drift(o).length).map((o) => `${o.kind}/${o.metadata.name}: ${drift(o).join(' ')}`);
      // Not vacuous: the two well-known configs of the issue are defaulted inside list items.
      expect(drifting.join('\n')).toMatch(/LLMInferenceServiceConfig\/kserve-config-llm-router-route: .*\/backendRefs\/0\/group/);
      expect(drifting.join('\n')).toMatch(/LLMInferenceServiceConfig\/kserve-config-llm-scheduler-latency-predictor: .*\/ports\/0\/protocol/);
      const app = docs(readFileSync(join(repo.dir, 'environments', env, 'delivery', 'apps', 'platform.yaml'), 'utf8'))[0]!;
      expect(app.metadata.annotations['argocd.argoproj.io/compare-options']).toBe('ServerSideDiff=true');
    }
  });

  it("our own objects are rendered in their defaulted form; shadow configs (prod's images:) ride a ServerSideDiff unit", () => {
    const files = snapshot(repo.dir);
    for (const [path, text] of files) {
      if (!path.startsWith('environments/') || !path.endsWith('.yaml') || path.startsWith('environments/drift/')) continue;
      for (const o of docs(text)) expect(drift(o), `${path} ${o.kind}/${o.metadata?.name}`).toEqual([]);
    }
    const prodModels = docs(files.get('environments/prod/delivery/apps/models.yaml')!)[0]!;
    expect(prodModels.metadata.annotations['argocd.argoproj.io/compare-options']).toBe('ServerSideDiff=true');
    const devModels = docs(files.get('environments/dev/delivery/apps/models.yaml')!)[0]!;
    expect(devModels.metadata.annotations?.['argocd.argoproj.io/compare-options']).toBeUndefined();
  });

  it('validate reports a list-item default an escape-hatch value would pick up, as an error', async () => {
    const r = await cli(['validate', '--env', 'drift', '--schema-location', CRDS, '--schema-location', join(KSERVE_SRC, '..', '..', 'argo-cd', 'v3.5.1', 'manifests', 'crds')], repo.dir, { LLM_GITOPS_CACHE: cache.dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^environments\/drift\/models\/ported\.yaml:\d+:\d+: LLMInferenceService\/ported: spec\.template\.containers\[0\]\.ports\[0\]\.protocol: the API server adds this field \("TCP"\) by default inside a list item; .* \[rule: drift: list-item default\]$/m);
  });
});
