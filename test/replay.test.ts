/**
 * Sync replay: the generated units applied to an empty cluster in the order Argo CD syncs them —
 * child Applications by sync wave (then name), inside each its resources by sync wave, then kind
 * (Argo CD's kind order), then name — with real `kubectl apply --server-side` against the fake API
 * server, which serves only what has been registered: built-in kinds, plus each CRD's kinds once
 * the CRD is applied, and namespaced objects only in namespaces that exist. The whole tree goes
 * in with no "no matches for kind"; the same steps reversed fail, so the check can fail.
 *
 * Path units are built with the real kustomize (vendored). Helm-chart units are represented by
 * what they install that later units depend on (test/helpers/replay.ts). The Flux order
 * (dependsOn) is replayed in test/replay-flux.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../generator/src/catalog/load.js';
import { externalRequirements } from '../generator/src/prerequisites/requirements.js';
import { kustomize, PROJECT, UPSTREAM, vendoredRepo } from './helpers/repo.js';
import { CHART_CONTENT, crdsIn, docs, replay as replaySteps, type Obj, type Step } from './helpers/replay.js';

const FULL = readFileSync(join(PROJECT, 'test', 'fixtures', 'catalogs', 'prerequisites.yaml'), 'utf8');

/** Argo CD's kind order inside a sync wave (gitops-engine, after Helm's install order); other kinds after, by name. */
const KIND_ORDER = ['Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService'];
const kindRank = (k: string) => (KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : KIND_ORDER.length);
const wave = (o: Obj) => Number(o.metadata?.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);

function env() {
  const r = loadCatalog('full', 'environments/full/catalog.yaml', FULL);
  if (!r.ok) throw new Error('fixture catalog is invalid');
  return r.value;
}

/** The apply steps of one Application: one per (resource wave, kind rank), in Argo CD's order. */
async function appSteps(repoDir: string, app: Obj): Promise<Step[]> {
  const src = app.spec.source;
  const name = app.metadata.name as string;
  let objects: Obj[];
  if (src.chart || String(src.repoURL).startsWith('oci://')) {
    const chart = src.chart ?? String(src.repoURL).split('/').pop();
    objects = (CHART_CONTENT[chart] ?? (() => []))();
  } else objects = docs(await kustomize(join(repoDir, src.path)));
  const steps: Step[] = [];
  if ((app.spec.syncPolicy?.syncOptions ?? []).includes('CreateNamespace=true')) {
    steps.push({ app: name, label: 'CreateNamespace', objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: app.spec.destination.namespace } }] });
  }
  const sorted = [...objects].sort((a, b) => wave(a) - wave(b) || kindRank(a.kind) - kindRank(b.kind) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0) || String(a.metadata.name).localeCompare(String(b.metadata.name)));
  for (const o of sorted) {
    const label = `wave ${wave(o)} ${kindRank(o.kind) < KIND_ORDER.length ? o.kind : `${o.kind} (custom)`}`;
    const last = steps.at(-1);
    if (last && last.app === name && last.label === label) last.objects.push(o);
    else steps.push({ app: name, label, objects: [o] });
  }
  return steps;
}

async function replay(steps: readonly Step[]) {
  // What the environment expects to be there already (preflight's list): only the External Secrets Operator's CRD here.
  const external = externalRequirements(env()).map((r) => r.name);
  expect(external).toEqual(['external-secrets']);
  return replaySteps(steps, crdsIn(join(UPSTREAM, 'external-secrets', 'v2.9.0', 'config', 'crds', 'bases')));
}

describe('sync replay on an empty cluster (real kubectl apply --server-side)', () => {
  let repo: { dir: string; cleanup: () => void };
  let steps: Step[];
  beforeAll(async () => {
    repo = await vendoredRepo({ full: FULL });
    const apps = docs(await kustomize(join(repo.dir, 'environments/full/delivery/apps'))).sort((a, b) => wave(a) - wave(b) || String(a.metadata.name).localeCompare(String(b.metadata.name)));
    steps = [];
    for (const app of apps) steps.push(...(await appSteps(repo.dir, app)));
  });
  afterAll(() => repo?.cleanup());

  it('takes the whole tree in Argo CD order: every unit, no "no matches for kind"', async () => {
    const r = await replay(steps);
    expect(r.failed?.out, `${r.failed?.step.app} ${r.failed?.step.label}`).toBeUndefined();
    const total = steps.reduce((n, s) => n + s.objects.length, 0);
    // Every object of every step, after the three External Secrets CRDs the cluster already had.
    expect(r.applied.length).toBe(total + 3);
    // The dependencies that make the order matter were really applied before their users.
    const at = (key: string) => r.applied.indexOf(key);
    expect(at('CustomResourceDefinition//issuers.cert-manager.io')).toBeLessThan(at('Issuer/kserve/selfsigned-issuer'));
    expect(at('CustomResourceDefinition//gateways.gateway.networking.k8s.io')).toBeLessThan(at('Gateway/kserve/kserve-ingress-gateway'));
    expect(at('CustomResourceDefinition//llminferenceservices.serving.kserve.io')).toBeLessThan(at('LLMInferenceService/llm-full/chat'));
    expect(at('CustomResourceDefinition//externalsecrets.external-secrets.io')).toBeLessThan(at('ExternalSecret/llm-full/hf-token'));
    expect(at('Namespace//llm-full')).toBeLessThan(at('ExternalSecret/llm-full/hf-token'));
  });

  it('fails in the reversed order, naming the kind the cluster does not serve yet', async () => {
    const r = await replay([...steps].reverse());
    expect(r.failed).toBeDefined();
    expect(r.failed!.out).toMatch(/no matches for kind "[A-Za-z]+" in version|namespaces "[a-z0-9-]+" not found/);
    expect(r.applied.filter((k) => !k.endsWith('.external-secrets.io'))).toEqual([]);
  });
});
