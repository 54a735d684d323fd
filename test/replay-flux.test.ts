/**
 * Flux sync replay: the generated Kustomizations applied to an empty cluster in an order Flux's
 * dependsOn allows, with real `kubectl apply --server-side` against the fake API server (the
 * harness of test/replay.test.ts). Flux reconciles every Kustomization at once and only
 * dependsOn holds one back, so the replay takes the *worst* order dependsOn permits: of the
 * units whose dependencies are Ready, the one with the last name first. Inside a unit,
 * kustomize-controller applies cluster definitions (CRDs, Namespaces) first, then the rest; a
 * HelmRelease is Ready (`wait: true`) once helm-controller installed its chart, represented by
 * what the chart installs that later units need. The whole tree goes in; with the platform's
 * dependsOn dropped it fails — so the check can fail. (It found the Gateway's namespace missing:
 * Flux creates none, and the platform that declares `kserve` waits for the gateway unit.)
 *
 * Kept small for speed: one direct-routed model (cert-manager, Gateway API, Envoy Gateway, the
 * Gateway, the platform, the models), vendored in-process without warming validate's cache.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../generator/src/commands/generate.js';
import { applyChanges } from '../generator/src/disk/transaction.js';
import { planVendor } from '../generator/src/disk/vendor.js';
import { openSource } from '../generator/src/disk/vendor-source.js';
import { openPrerequisiteSource, planPrerequisiteVendor } from '../generator/src/disk/vendor-prerequisite.js';
import { kustomize, KSERVE_SRC, repoWith, UPSTREAM } from './helpers/repo.js';
import { CHART_CONTENT, crdsIn, docs, replay, type Obj, type Step } from './helpers/replay.js';

const CATALOG = `namespace: llm-dev
platform: { mode: standalone, kserve: v0.20.0, source: vendored }
delivery: { engine: flux, repoURL: https://github.com/example-org/llm-gitops.git }
models:
  tiny:
    uri: hf://facebook/opt-125m
    accelerator: cpu
    router: direct
    resources: { cpu: "1", memory: 2Gi }
`;
/** Flux itself is on the cluster (it runs the replay): its namespace, its HelmRelease and chart-source CRDs. */
const FLUX_CRDS = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flux-system' } },
  ...crdsIn(join(UPSTREAM, 'helm-controller', 'v1.6.3', 'config', 'crd', 'bases')),
  ...crdsIn(join(UPSTREAM, 'source-controller', 'v1.9.1', 'config', 'crd', 'bases')),
];

const isDefinition = (o: Obj) => o.kind === 'CustomResourceDefinition' || o.kind === 'Namespace';

/** The chart a HelmRelease installs, by name: from its HelmRepository chart, its OCIRepository, or its vendored folder. */
function chartOf(release: Obj, siblings: Obj[], repoDir: string): string {
  const spec = release.spec.chart?.spec;
  if (spec?.sourceRef?.kind === 'GitRepository') return (parse(readFileSync(join(repoDir, spec.chart, 'Chart.yaml'), 'utf8')) as Obj).name;
  if (spec) return spec.chart;
  const oci = siblings.find((o) => o.kind === 'OCIRepository' && o.metadata.name === release.spec.chartRef.name)!;
  return String(oci.spec.url).split('/').pop()!;
}

/** The apply steps of one Kustomization: its definitions, the rest, then what its HelmReleases install. */
async function unitSteps(repoDir: string, k: Obj): Promise<Step[]> {
  const name = k.metadata.name as string;
  const dir = join(repoDir, k.spec.path);
  // No kustomization.yaml: kustomize-controller generates one over the folder's manifests.
  const objects = existsSync(join(dir, 'kustomization.yaml')) ? docs(await kustomize(dir)) : readdirSync(dir).filter((f) => f.endsWith('.yaml')).flatMap((f) => docs(readFileSync(join(dir, f), 'utf8')));
  const steps: Step[] = [
    { app: name, label: 'definitions', objects: objects.filter(isDefinition) },
    { app: name, label: 'resources', objects: objects.filter((o) => !isDefinition(o)) },
  ];
  for (const r of objects.filter((o) => o.kind === 'HelmRelease')) {
    const installed = (CHART_CONTENT[chartOf(r, objects, repoDir)] ?? (() => []))();
    const ns = r.spec.install?.createNamespace ? [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: r.spec.targetNamespace } }] : [];
    steps.push({ app: name, label: `helm ${r.metadata.name}`, objects: [...ns, ...installed] });
  }
  return steps.filter((s) => s.objects.length);
}

/** Kustomizations in the worst order dependsOn allows (ready units, last name first); throws on a cycle or a missing dependency. */
function dependsOnOrder(units: Obj[]): Obj[] {
  const byName = new Map(units.map((u) => [u.metadata.name as string, u]));
  const deps = (u: Obj) => (u.spec.dependsOn ?? []).map((d: Obj) => d.name as string);
  for (const u of units) for (const d of deps(u)) if (!byName.has(d)) throw new Error(`${u.metadata.name} dependsOn ${d}, which is not generated`);
  const done = new Set<string>();
  const out: Obj[] = [];
  while (out.length < units.length) {
    const ready = units.filter((u) => !done.has(u.metadata.name) && deps(u).every((d: string) => done.has(d)));
    if (!ready.length) throw new Error('dependsOn cycle');
    const next = ready.sort((a, b) => String(b.metadata.name).localeCompare(String(a.metadata.name)))[0]!;
    done.add(next.metadata.name);
    out.push(next);
  }
  return out;
}

describe('Flux sync replay on an empty cluster (dependsOn order, real kubectl apply --server-side)', () => {
  let repo: { dir: string; cleanup: () => void };
  let units: Obj[];
  /** Each unit's steps, built once (kustomize builds are the slow part). */
  const built = new Map<string, Step[]>();
  const stepsOf = (order: Obj[]) => order.flatMap((k) => built.get(k.metadata.name)!);
  beforeAll(async () => {
    repo = repoWith({ dev: CATALOG });
    const kserve = await openSource(KSERVE_SRC);
    const gw = await openPrerequisiteSource('gateway-api', join(UPSTREAM, 'gateway-api', 'v1.5.1'));
    try {
      await applyChanges(repo.dir, [...(await planVendor(repo.dir, 'v0.20.0', kserve)), ...(await planPrerequisiteVendor(repo.dir, 'gateway-api', 'v1.5.1', gw.root))]);
    } finally {
      await Promise.all([kserve.cleanup(), gw.cleanup()]);
    }
    await generate({ root: repo.dir, envs: [], dryRun: false });
    units = docs(await kustomize(join(repo.dir, 'environments/dev/delivery/apps'))).filter((o) => o.kind === 'Kustomization');
    for (const [i, steps] of (await Promise.all(units.map((k) => unitSteps(repo.dir, k)))).entries()) built.set(units[i]!.metadata.name, steps);
  });
  afterAll(() => repo?.cleanup());

  it('takes the whole tree in the worst order dependsOn allows: every unit, no "no matches for kind"', async () => {
    const order = dependsOnOrder(units);
    expect(order.map((u) => u.metadata.name)).toEqual(['dev-gateway-api', 'dev-envoy-gateway-crds', 'dev-envoy-gateway', 'dev-gateway', 'dev-cert-manager', 'dev-platform', 'dev-models']);
    const steps = stepsOf(order);
    const r = await replay(steps, FLUX_CRDS);
    expect(r.failed?.out, `${r.failed?.step.app} ${r.failed?.step.label}`).toBeUndefined();
    expect(r.applied.length).toBe(steps.reduce((n, s) => n + s.objects.length, 0) + FLUX_CRDS.length);
    const at = (key: string) => r.applied.indexOf(key);
    expect(at('CustomResourceDefinition//issuers.cert-manager.io')).toBeLessThan(at('Issuer/kserve/selfsigned-issuer'));
    expect(at('CustomResourceDefinition//gateways.gateway.networking.k8s.io')).toBeLessThan(at('Gateway/kserve/kserve-ingress-gateway'));
    expect(at('CustomResourceDefinition//llminferenceservices.serving.kserve.io')).toBeLessThan(at('LLMInferenceService/llm-dev/tiny'));
  });

  it('fails when the platform does not wait for the prerequisites (its dependsOn dropped)', async () => {
    // The same tree with the platform's dependsOn dropped: it is now ready at once, and goes first.
    const loose = units.map((u) => (u.metadata.name === 'dev-platform' ? { ...u, spec: { ...u.spec, dependsOn: undefined } } : u));
    const order = dependsOnOrder(loose);
    expect(order[0]!.metadata.name).toBe('dev-platform');
    const r = await replay(stepsOf(order), FLUX_CRDS);
    expect(r.failed?.step.app).toBe('dev-platform');
    expect(r.failed!.out).toMatch(/no matches for kind "(Issuer|Certificate)" in version "cert-manager.io\/v1"/);
  });
});
