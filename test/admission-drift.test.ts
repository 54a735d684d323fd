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
import { deliveredBy } from '../generator/src/admission/drift/delivered-by.js';
import { cli, exampleCatalogs, KSERVE_SRC, kustomize, PROJECT, snapshot, tempDir, vendoredRepo } from './helpers/repo.js';

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
/** Sharded (two model units) with images: (its models unit compares server-side, its shard units do not). */
const SHARDED = `namespace: llm-shard
platform: { mode: none }
delivery: { engine: argocd, repoURL: https://example.com/gitops.git, shardAbove: 1, shards: 2 }
images: { ghcr.io/llm-d/llm-d-cuda: "ghcr.io/llm-d/llm-d-cuda:v0.8.0" }
models:
${['ported-a', 'ported-b'].map((m) => `  ${m}:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n    spec: { template: { containers: [{ name: main, ports: [{ containerPort: 8000 }] }] } }\n`).join('')}`;
const FULL = readFileSync(join(PROJECT, 'test', 'fixtures', 'catalogs', 'prerequisites.yaml'), 'utf8');
let repo: { dir: string; cleanup: () => void };
const cache = tempDir('llm-gitops-cache-');
beforeAll(async () => {
  repo = await vendoredRepo({ ...exampleCatalogs(), drift: DRIFTING, shard: SHARDED, full: FULL });
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
      if (!path.startsWith('environments/') || !path.endsWith('.yaml') || /^environments\/(drift|shard)\//.test(path)) continue;
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
  it('validate walks the delivery units only for an object that would pick up a list-item default', async () => {
    // The walk (deliveredBy over the whole tree) is lazy: `deliveryWalks` in --timings says whether it ran.
    const run = (env: string) => cli(['validate', '--timings', '--env', env, '--schema-location', CRDS, '--schema-location', join(KSERVE_SRC, '..', '..', 'argo-cd', 'v3.5.1', 'manifests', 'crds')], repo.dir, { LLM_GITOPS_CACHE: cache.dir });
    const walks = (stderr: string) => (JSON.parse(/^timings: (.*)$/m.exec(stderr)![1]!) as { deliveryWalks: number }).deliveryWalks;
    const drifting = await run('drift');
    expect(drifting.code, drifting.stdout + drifting.stderr).toBe(1);
    expect(drifting.stdout).toMatch(/LLMInferenceService\/ported: spec\.template\.containers\[0\]\.ports\[0\]\.protocol: .* \[rule: drift: list-item default\]$/m);
    expect(walks(drifting.stderr)).toBe(1);
    const clean = await run('dev');
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(walks(clean.stderr)).toBe(0);
  });
  it("validate knows each file's unit from the tree: shard units diff client-side even when the models unit compares server-side", async () => {
    const files = [...snapshot(repo.dir)].filter(([p]) => p.startsWith('environments/shard/') && p.endsWith('.yaml')).map(([path, content]) => ({ path, content, objects: docs(content) }));
    const units = deliveredBy(files);
    const where = (p: string) => units.get(p)?.map((u) => `${u.name}${u.serverSideDiff ? ' (ServerSideDiff)' : ''}`);
    const shardModels = files.map((f) => f.path).filter((p) => /^environments\/shard\/shards\/\d+\/models\//.test(p));
    expect(shardModels).toHaveLength(2);
    for (const p of shardModels) expect(where(p)).toEqual([expect.stringMatching(/^shard-models-\d+$/)]);
    expect(where('environments/shard/namespace.yaml')).toEqual(['shard-models (ServerSideDiff)']);
    expect(where('environments/shard/delivery/apps/models.yaml')).toEqual(['shard-delivery']);

    const r = await cli(['validate', '--env', 'shard', '--schema-location', CRDS, '--schema-location', join(KSERVE_SRC, '..', '..', 'argo-cd', 'v3.5.1', 'manifests', 'crds')], repo.dir, { LLM_GITOPS_CACHE: cache.dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    for (const m of ['ported-a', 'ported-b']) {
      expect(r.stdout).toMatch(new RegExp(`^environments/shard/shards/\\d+/models/${m}\\.yaml:\\d+:\\d+: LLMInferenceService/${m}: spec\\.template\\.containers\\[0\\]\\.ports\\[0\\]\\.protocol: the API server adds this field .* \\[rule: drift: list-item default\\]$`, 'm'));
    }
  });

  it('prerequisite units deliver no custom resource the API server defaults inside list items (so they need no ServerSideDiff)', async () => {
    // Every prerequisite Application with a folder of this repository, built with real kustomize from the vendored copies.
    const apps = [...snapshot(repo.dir)].filter(([p]) => /^environments\/[^/]+\/delivery\/apps\/prerequisite-.*\.yaml$/.test(p)).map(([, t]) => docs(t)[0]!);
    // (Chart units, a Helm repository or a vendored chart folder, need helm to build: not here.)
    const paths = [...new Set(apps.filter((a) => a.spec.source.path && a.spec.source.path !== '.' && !a.spec.source.helm).map((a) => a.spec.source.path as string))].sort();
    expect(paths).toEqual(expect.arrayContaining(['base/prerequisites/gateway-api/v1.5.1', 'base/prerequisites/inference-extension/v1.5.0', 'base/prerequisites/leaderworkerset/v0.8.0', 'environments/full/prerequisites/gateway']));
    const built = (await Promise.all(paths.map(async (p) => ({ p, objects: docs(await kustomize(join(repo.dir, p))) })))).flatMap(({ p, objects }) => objects.map((o) => ({ p, o })));
    // The schemas: the CRDs those units install (Gateway API, Inference Extension, LeaderWorkerSet) and KServe's.
    const schemas = new Map(trees);
    for (const { o: crd } of built.filter(({ o }) => o.kind === 'CustomResourceDefinition')) {
      for (const v of crd.spec.versions) {
        const tree = admissionSchema(v.schema.openAPIV3Schema);
        if (tree) schemas.set(`${crd.spec.group}/${v.name}|${crd.spec.names.kind}`, tree);
      }
    }
    const custom = built.filter(({ o }) => schemas.has(`${o.apiVersion}|${o.kind}`));
    // Not vacuous: the gateway units' Gateway and GatewayClass are checked against the Gateway API CRDs.
    expect(custom.map(({ o }) => o.kind).sort()).toEqual(expect.arrayContaining(['Gateway', 'GatewayClass']));
    const drifting = custom.flatMap(({ p, o }) => {
      const d = admit(o, schemas.get(`${o.apiVersion}|${o.kind}`)!, `${o.apiVersion}|${o.kind}`).listItemDefaults;
      return d.length ? [`${p}: ${o.kind}/${o.metadata.name}: ${d.join(' ')}`] : [];
    });
    expect(drifting).toEqual([]);
    for (const a of apps) expect(a.metadata.annotations?.['argocd.argoproj.io/compare-options']).toBeUndefined();
  });
});
