/**
 * Prerequisites: what an environment requires per platform.mode (pure), the catalog rules, and
 * the delivered units — Argo CD Applications and Flux objects before the platform, vendored
 * release manifests built with the real kustomize, every object checked against its real CRD
 * from ../shared — plus the safe mode switch (what a standalone → addons switch would prune).
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../generator/src/catalog/load.js';
import type { Environment } from '../generator/src/model/types.js';
import { externalRequirements, requirementsOf } from '../generator/src/prerequisites/requirements.js';
import { unitsOf } from '../generator/src/prerequisites/units.js';
import { cli, exampleCatalogs, KSERVE_SRC, kustomize, PREREQUISITE_VENDOR_ARGS, PROJECT, tempDir, UPSTREAM, vendoredRepo } from './helpers/repo.js';
import { warmCache } from './helpers/warm-cache.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJSON() as Obj).filter(Boolean);
const read = (dir: string, path: string): Obj => parse(readFileSync(join(dir, path), 'utf8')) as Obj;
const FULL = readFileSync(join(PROJECT, 'test', 'fixtures', 'catalogs', 'prerequisites.yaml'), 'utf8');

function env(text: string): Environment {
  const r = loadCatalog('full', 'environments/full/catalog.yaml', text);
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
  return r.value;
}
const table = (e: Environment) => Object.fromEntries(requirementsOf(e).map((r) => [r.name, `${r.install} ${r.version}`.trim()]));

/** Real CRDs in ../shared for every kind the prerequisites add, plus what the rest of the tree needs. */
export const SCHEMAS = [
  join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc'),
  join(UPSTREAM, 'argo-cd', 'v3.5.1', 'manifests', 'crds'),
  join(UPSTREAM, 'kustomize-controller', 'v1.9.4', 'config', 'crd'),
  join(UPSTREAM, 'source-controller', 'v1.9.1', 'config', 'crd'),
  join(UPSTREAM, 'helm-controller', 'v1.6.3', 'config', 'crd'),
  join(UPSTREAM, 'gateway-api', 'v1.5.1', 'config', 'crd', 'standard'),
  join(UPSTREAM, 'external-secrets', 'v2.9.0', 'config', 'crds'),
].flatMap((l) => ['--schema-location', l]);

describe('requirements (pure)', () => {
  it('standalone installs what the models need, at the pins of KServe v0.20.0', () => {
    expect(table(env(FULL))).toEqual({
      'cert-manager': 'managed v1.17.0',
      'gateway-api': 'managed v1.5.1',
      'inference-extension': 'managed v1.5.0',
      'envoy-gateway': 'managed v1.8.1',
      'envoy-ai-gateway': 'managed v1.0.0',
      gateway: 'managed',
      leaderworkerset: 'managed v0.8.0',
      keda: 'managed 2.18.0',
      'external-secrets': 'external',
    });
    const lws = requirementsOf(env(FULL)).find((r) => r.name === 'leaderworkerset')!;
    expect(lws.why).toBe('model wide is multi-node (worker)');
  });

  it('installs only what the models need: no LWS without a worker, no AI gateway for direct-only, nothing for route-less models', () => {
    const direct = env(`namespace: a\nplatform: { mode: standalone }\nmodels:\n  m: { uri: hf://a/b, accelerator: cpu, router: direct }\n`);
    expect(Object.keys(table(direct))).toEqual(['cert-manager', 'gateway-api', 'envoy-gateway', 'gateway']);
    const none = env(`namespace: a\nplatform: { mode: standalone }\nmodels:\n  m: { uri: hf://a/b, accelerator: cpu, router: none }\n`);
    expect(Object.keys(table(none))).toEqual(['cert-manager']);
    expect(unitsOf(none).map((u) => u.id)).toEqual(['cert-manager']);
  });

  it('addons expects what KServe core already needs; none expects everything; overrides win', () => {
    const addons = env(FULL.replace('mode: standalone', 'mode: addons'));
    expect(table(addons)).toMatchObject({
      'cert-manager': 'external v1.17.0',
      'gateway-api': 'external v1.5.1',
      'inference-extension': 'bundled v1.5.0',
      'envoy-gateway': 'external v1.8.1',
      'envoy-ai-gateway': 'external v1.0.0',
      gateway: 'external',
      leaderworkerset: 'managed v0.8.0',
      keda: 'managed 2.18.0',
    });
    const none = env(FULL.replace('mode: standalone', 'mode: none'));
    expect(new Set(requirementsOf(none).map((r) => r.install))).toEqual(new Set(['external']));
    expect(unitsOf(none)).toEqual([]);
    const tuned = env(FULL.replace('source: vendored }', 'source: vendored, prerequisites: { cert-manager: external, keda: { version: 2.17.3 }, gateway: { className: eg } } }'));
    expect(table(tuned)).toMatchObject({ 'cert-manager': 'external v1.17.0', keda: 'managed 2.17.3' });
    // Preflight's list: what must already be there, with what to look for.
    const ext = externalRequirements(tuned);
    expect(ext.map((r) => r.name)).toEqual(['cert-manager', 'external-secrets']);
    expect(ext[0]!.crds).toContain('certificates.cert-manager.io');
    expect(requirementsOf(tuned).find((r) => r.name === 'gateway')!.objects).toContainEqual({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', name: 'eg' });
  });

  it('orders units in waves before the platform, with Flux dependsOn where one needs another', () => {
    const units = unitsOf(env(FULL));
    expect(units.map((u) => `${u.wave} ${u.id}`)).toEqual([
      '-4 cert-manager',
      '-4 envoy-ai-gateway-crds',
      '-4 envoy-gateway-crds',
      '-4 gateway-api',
      '-4 inference-extension',
      '-3 envoy-gateway',
      '-3 keda',
      '-3 leaderworkerset',
      '-2 envoy-ai-gateway',
      '-2 gateway',
    ]);
    for (const u of units) for (const a of u.after) expect(units.find((x) => x.id === a)!.wave, `${u.id} after ${a}`).toBeLessThan(u.wave);
  });
});

describe('catalog rules', () => {
  const issues = (text: string) => {
    const r = loadCatalog('x', 'environments/x/catalog.yaml', text);
    return r.ok ? r.warnings : r.issues;
  };
  it('a KServe version without pins needs explicit versions for what the tree installs', () => {
    const out = issues(`namespace: a\nplatform: { mode: standalone, kserve: v0.99.0 }\nmodels:\n  m: { uri: hf://a/b, accelerator: cpu, router: none }\n`);
    // (v0.99.0 is also outside the support matrix, reported beside it; the pin rule holds on its own.)
    const pins = (list: typeof out) => list.filter((i) => i.message.includes('no pinned version'));
    expect(pins(out)).toEqual([
      expect.objectContaining({ severity: 'error', field: 'platform.kserve', line: 2, message: expect.stringMatching(/^cert-manager is installed by the tree .* KServe v0\.99\.0 has no pinned version .* set platform\.prerequisites\.cert-manager: \{install: managed, version: vX\.Y\.Z\}, or install: external$/) }),
    ]);
    expect(out).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'platform.kserve', message: expect.stringMatching(/^KServe v0\.99\.0 is not supported/) })]));
    expect(pins(issues(`namespace: a\nplatform: { mode: standalone, kserve: v0.99.0, prerequisites: { cert-manager: { version: v1.18.0 } } }\nmodels:\n  m: { uri: hf://a/b, accelerator: cpu, router: none }\n`))).toEqual([]);
  });
  it('the AI gateway cannot be managed over an external Envoy Gateway; an unused modelAccess entry is a warning', () => {
    const out = issues(FULL.replace('source: vendored }', 'source: vendored, prerequisites: { envoy-gateway: external } }').replace('modelAccess:\n', 'modelAccess:\n  other-token:\n    externalSecret: { store: x, remoteKey: y }\n'));
    expect(out.filter((i) => !i.message.startsWith('no cpu or memory request')).map((i) => `${i.severity} ${i.field}: ${i.message.split(' — ')[0]}`)).toEqual([
      'error platform.mode: envoy-ai-gateway is managed but envoy-gateway is external',
      'warning modelAccess.other-token: no model names Secret "other-token" in hfTokenSecret',
    ]);
  });
  it('rejects an unknown install mode and an unknown dependency with the allowed values', () => {
    const out = issues(FULL.replace('source: vendored }', 'source: vendored, prerequisites: { keda: installed, istio: managed } }'));
    expect(out.map((i) => `${i.field}: ${i.message}`)).toEqual(expect.arrayContaining([expect.stringMatching(/^platform\.prerequisites\.istio: unknown key "istio"/), expect.stringMatching(/^platform\.prerequisites\.keda: /)]));
  });
});

describe('delivered units (vendored, real kustomize, real CRDs)', () => {
  // The validators compiled once for the suite (test/helpers/warm-cache.ts): this file is about the objects, not the cache.
  const cache = warmCache();
  let argo: { dir: string; cleanup: () => void };
  let flux: { dir: string; cleanup: () => void };
  beforeAll(async () => {
    [argo, flux] = await Promise.all([vendoredRepo({ full: FULL, ...exampleCatalogs() }), vendoredRepo({ full: FULL.replace('engine: argocd', 'engine: flux') })]);
  });
  afterAll(() => {
    argo?.cleanup();
    flux?.cleanup();
  });

  it('every generated object passes its real CRD: Applications, Gateway, GatewayClass, ExternalSecret, HelmRelease, HelmRepository, OCIRepository', async () => {
    for (const repo of [argo, flux]) {
      const r = await cli(['validate', '--output', 'json', ...SCHEMAS], repo.dir, { LLM_GITOPS_CACHE: cache });
      const report = JSON.parse(r.stdout) as { resources: { filename: string; kind: string; status: string; validationErrors?: unknown }[] };
      const bad = report.resources.filter((x) => x.status !== 'statusValid' && x.status !== 'statusSkipped');
      expect(bad, JSON.stringify(bad.slice(0, 3))).toEqual([]);
      expect(r.code).toBe(0);
      const kinds = new Set(report.resources.filter((x) => x.status === 'statusValid').map((x) => x.kind));
      const want = repo === argo ? ['Application', 'Gateway', 'GatewayClass', 'ExternalSecret'] : ['HelmRelease', 'HelmRepository', 'OCIRepository', 'Kustomization', 'Gateway', 'GatewayClass', 'ExternalSecret'];
      for (const k of want) expect(kinds, k).toContain(k);
    }
  });

  it('Argo CD: chart units by repository / OCI URL and version, path units that build, all before the platform', async () => {
    const apps = docs(await kustomize(join(argo.dir, 'environments/full/delivery/apps')));
    const wave = (o: Obj) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
    const platform = apps.find((a) => a.metadata.name === 'full-platform')!;
    const prereqs = apps.filter((a) => a.metadata.labels['llm-gitops/prerequisite']);
    expect(prereqs.length).toBe(10);
    for (const a of prereqs) {
      expect(wave(a), a.metadata.name).toBeLessThan(wave(platform));
      expect(a.metadata.finalizers, a.metadata.name).toBeUndefined();
    }
    const byName = Object.fromEntries(prereqs.map((a) => [a.metadata.name, a.spec]));
    expect(byName['full-cert-manager'].source).toEqual({ repoURL: 'https://charts.jetstack.io', chart: 'cert-manager', targetRevision: 'v1.17.0', helm: { releaseName: 'cert-manager', valuesObject: { crds: { enabled: true } } } });
    expect(byName['full-cert-manager'].syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'ServerSideApply=true']);
    expect(byName['full-envoy-gateway'].source).toMatchObject({ repoURL: 'oci://registry-1.docker.io/envoyproxy/gateway-helm', path: '.', targetRevision: 'v1.8.1', helm: { skipCrds: true } });
    // The AI gateway is wired into Envoy Gateway, with InferencePool as a backend.
    expect(byName['full-envoy-gateway'].source.helm.valuesObject.config.envoyGateway.extensionManager.backendResources).toEqual([{ group: 'inference.networking.k8s.io', kind: 'InferencePool', version: 'v1' }]);
    expect(byName['full-keda'].source).toMatchObject({ repoURL: 'https://kedacore.github.io/charts', chart: 'keda', targetRevision: '2.18.0' });
    // Path units build (vendored) and hold what they are for. The builds are independent: run at once
    // (the platform's, with KServe's CRDs, takes seconds), each read as before.
    const build = (path: string) => kustomize(join(argo.dir, path)).then(docs);
    const [gatewayApi, inferenceExtension, lws, gateway, platformObjs, devApps] = await Promise.all([
      ...['full-gateway-api', 'full-inference-extension', 'full-leaderworkerset', 'full-gateway'].map((name) => build(byName[name].source.path)),
      build(platform.spec.source.path),
      build('environments/dev/delivery/apps'),
    ]);
    const crdNames = (objs: Obj[]) => objs.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name).sort();
    expect(crdNames(gatewayApi!)).toContain('httproutes.gateway.networking.k8s.io');
    expect(crdNames(inferenceExtension!)).toEqual(['inferencepools.inference.networking.k8s.io']);
    expect(crdNames(lws!)).toEqual(['leaderworkersets.leaderworkerset.x-k8s.io']);
    expect(lws!.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].image).toBe('registry.k8s.io/lws/lws:v0.8.0');
    for (const o of [...gatewayApi!, ...lws!].filter((x) => x.kind === 'CustomResourceDefinition')) {
      expect(o.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('ServerSideApply=true,Prune=false,Delete=false');
    }
    expect(gateway!.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual(['Gateway/kserve/kserve-ingress-gateway', 'GatewayClass//envoy']);
    // The platform no longer carries the InferencePool CRD the inference-extension unit owns (one owner per CRD).
    const platformCrds = crdNames(platformObjs!);
    expect(platformCrds).not.toContain('inferencepools.inference.networking.k8s.io');
    expect(platformCrds).toContain('inferencepools.inference.networking.x-k8s.io');
    // dev (router direct) gets no AI gateway, no InferencePool unit, and keeps KServe's bundled CRD.
    const dev = devApps!.map((a) => a.metadata.name);
    expect(dev.filter((n) => !['dev-platform', 'dev-models'].includes(n)).sort()).toEqual(['dev-cert-manager', 'dev-envoy-gateway', 'dev-envoy-gateway-crds', 'dev-gateway', 'dev-gateway-api']);
    expect(read(argo.dir, 'environments/dev/platform/kustomization.yaml').patches).toBeUndefined();
  });

  it('Flux: HelmRepository/OCIRepository + HelmRelease per chart unit, Kustomizations with dependsOn, the platform after all of them', async () => {
    const units = docs(await kustomize(join(flux.dir, 'environments/full/delivery/apps')));
    const platform = units.find((u) => u.metadata.name === 'full-platform')!;
    const prereqs = units.filter((u) => u.metadata.labels['llm-gitops/prerequisite']);
    expect(platform.spec.dependsOn.map((d: Obj) => d.name).sort()).toEqual(prereqs.map((u) => u.metadata.name).sort());
    const ai = prereqs.find((u) => u.metadata.name === 'full-envoy-ai-gateway')!;
    expect(ai.spec.dependsOn).toEqual([{ name: 'full-envoy-ai-gateway-crds' }, { name: 'full-envoy-gateway' }]);
    for (const u of prereqs) expect(u.spec).toMatchObject({ wait: true, deletionPolicy: 'Orphan', sourceRef: { kind: 'GitRepository', name: 'full-delivery' } });
    const certManager = docs(await kustomize(join(flux.dir, 'environments/full/prerequisites/cert-manager')));
    expect(certManager.map((o) => o.kind).sort()).toEqual(['HelmRelease', 'HelmRepository']);
    certManager.sort((a, b) => (a.kind === 'HelmRepository' ? -1 : b.kind === 'HelmRepository' ? 1 : 0));
    expect(certManager[1]!.spec).toMatchObject({ chart: { spec: { chart: 'cert-manager', version: 'v1.17.0', sourceRef: { kind: 'HelmRepository', name: 'full-cert-manager' } } }, targetNamespace: 'cert-manager', install: { createNamespace: true, crds: 'CreateReplace' }, values: { crds: { enabled: true } } });
    const eg = docs(await kustomize(join(flux.dir, 'environments/full/prerequisites/envoy-gateway')));
    expect(eg.map((o) => o.kind).sort()).toEqual(['HelmRelease', 'OCIRepository']);
    eg.sort((a, b) => (a.kind === 'OCIRepository' ? -1 : b.kind === 'OCIRepository' ? 1 : 0));
    expect(eg[0]!.spec).toMatchObject({ url: 'oci://registry-1.docker.io/envoyproxy/gateway-helm', ref: { tag: 'v1.8.1' } });
    expect(eg[1]!.spec).toMatchObject({ chartRef: { kind: 'OCIRepository', name: 'full-envoy-gateway' }, install: { crds: 'Skip' }, upgrade: { crds: 'Skip' } });
  });

  it('the token: an ExternalSecret when the catalog names the store, else the kubectl command in generate output and README', async () => {
    const es = read(argo.dir, 'environments/full/secrets/hf-token.yaml');
    expect(es.spec).toEqual({ refreshInterval: '1h', secretStoreRef: { name: 'vault-backend', kind: 'ClusterSecretStore' }, target: { name: 'hf-token', creationPolicy: 'Owner' }, data: [{ secretKey: 'HF_TOKEN', remoteRef: { key: 'llm/hf', property: 'token' } }] });
    const models = docs(await kustomize(join(argo.dir, 'environments/full')));
    expect(models.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(models.filter((o) => o.kind === 'ExternalSecret').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['llm-full/hf-token']);
    const readme = readFileSync(join(argo.dir, 'environments/prod/prerequisites/README.md'), 'utf8');
    expect(readme).toContain('kubectl create secret generic hf-token -n llm-prod --from-literal=HF_TOKEN=<your Hugging Face token>');
    const r = await cli(['generate', '--dry-run'], argo.dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('prod: create Secret hf-token once: kubectl create secret generic hf-token -n llm-prod --from-literal=HF_TOKEN=<your Hugging Face token>');
    expect(r.stderr).not.toContain('full: create Secret');
  });

  it('a mode switch prunes nothing shared: standalone → addons leaves the namespace, inferenceservice-config, Issuer in place', async () => {
    const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    // The switch is made in a copy of the tree (the shared one stays as generated), so the two
    // platform builds — before and after — are independent and run at once.
    const switched = tempDir('llm-gitops-switch-');
    try {
      cpSync(argo.dir, switched.dir, { recursive: true });
      const catalog = join(switched.dir, 'environments/dev/catalog.yaml');
      writeFileSync(catalog, readFileSync(catalog, 'utf8').replace('mode: standalone', 'mode: addons'));
      expect((await cli(['generate'], switched.dir)).code).toBe(0);
      const [before, afterObjs] = await Promise.all([argo.dir, switched.dir].map((root) => kustomize(join(root, 'environments/dev/platform')).then(docs)));
      // dev (no scheduler) keeps the InferencePool CRD KServe bundles.
      expect(before!.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name)).toContain('inferencepools.inference.networking.k8s.io');
      const after = new Set(afterObjs!.map(key));
      const removed = before!.filter((o) => !after.has(key(o)));
      // What the switch takes out of the platform unit: KServe's shared resources (addons expects them from KServe core).
      expect(removed.map(key).sort()).toEqual([
        'ClusterStorageContainer//default',
        'ConfigMap/kserve/inferenceservice-config',
        'CustomResourceDefinition//clusterstoragecontainers.serving.kserve.io',
        'Issuer/kserve/selfsigned-issuer',
        'Namespace//kserve',
      ]);
      // Argo CD prunes a removed object unless its live copy says Prune=false; Flux unless prune: disabled.
      const argoPrunes = removed.filter((o) => !/(^|,)Prune=false(,|$)/.test(o.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? ''));
      const fluxPrunes = removed.filter((o) => o.metadata.annotations?.['kustomize.toolkit.fluxcd.io/prune'] !== 'disabled');
      expect(argoPrunes.map(key)).toEqual([]);
      expect(fluxPrunes.map(key)).toEqual([]);
      for (const o of removed) expect(o.metadata.annotations['argocd.argoproj.io/sync-options'], key(o)).toMatch(/Delete=false/);
    } finally {
      switched.cleanup();
    }
  });

  it('check requires the vendored release manifests to match their lock; vendor repairs them', async () => {
    const lws = join(argo.dir, 'base/prerequisites/leaderworkerset/v0.8.0/vendor');
    const file = join(lws, 'config/manager/manager.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, `${text}# edited\n`);
    rmSync(join(argo.dir, 'base/prerequisites/gateway-api/v1.5.1/vendor/vendor.lock.json'));
    const r = await cli(['check'], argo.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('base/prerequisites/leaderworkerset/v0.8.0/vendor/config/manager/manager.yaml: does not match its sha256 in vendor.lock.json');
    expect(r.stderr).toContain('base/prerequisites/gateway-api/v1.5.1/vendor/vendor.lock.json: is missing, but base/prerequisites/gateway-api/v1.5.1 points at the vendored copy — run `llm-gitops vendor --prerequisite gateway-api --version v1.5.1 --from <checkout>`');
    for (const args of PREREQUISITE_VENDOR_ARGS) expect((await cli(args, argo.dir)).code).toBe(0);
    expect((await cli(['check'], argo.dir)).code).toBe(0);
    const bad = await cli(['vendor', '--prerequisite', 'envoy-ai-gateway', '--from', UPSTREAM], argo.dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--prerequisite envoy-ai-gateway: vendor takes gateway-api, inference-extension, leaderworkerset, envoy-gateway, cert-manager, keda');
  });
});
