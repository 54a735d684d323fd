/**
 * Cluster objects for the health tests. Argo CD Applications and Flux Kustomizations start from
 * the real status payloads in ../shared/upstream/*\/examples (read at test time, never copied)
 * and are mutated into each scenario; LLMInferenceService statuses are hand-written from the
 * KServe v1alpha2 condition set (health.md §3, kserve-llmisvc.md §2).
 */
import { benchCatalog } from '../../scripts/bench-catalogs.mjs';
import { loadCatalog } from '../../generator/src/catalog/load.js';
import { unitsOf } from '../../generator/src/prerequisites/units.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { FakeApiServer, Obj } from './fake-apiserver.js';
import { UPSTREAM } from './repo.js';

export const OLD_SHA = 'ea8759964626a583667a2bfd08f334ec2070040a';
export const NEW_SHA = '3f1c2d4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';
const T0 = '2026-01-01T00:00:00Z';

type Rec = Record<string, any>;

/** The real Application (controller/testdata/diff-cache.yaml of argo-cd v3.5.1), fresh each call. */
export function upstreamApplication(): Rec {
  return parse(readFileSync(join(UPSTREAM, 'argo-cd/v3.5.1/examples/application-with-status.yaml'), 'utf8')) as Rec;
}

/** gitops-engine's application-degraded.yaml: nothing but `status.health: Degraded`. */
export function upstreamDegradedApplication(): Rec {
  return parse(readFileSync(join(UPSTREAM, 'argo-cd/v3.5.1/examples/application-degraded-minimal.yaml'), 'utf8')) as Rec;
}

/** The real Kustomization of flux2 v2.9.4's CLI test data (Go-template namespace filled in). */
export function upstreamKustomization(namespace = 'flux-system'): Rec {
  const text = readFileSync(join(UPSTREAM, 'flux2/v2.9.4/examples/kustomization-with-status.yaml'), 'utf8').replaceAll('{{ .fluxns }}', namespace);
  return parseAllDocuments(text).map((d) => d.toJS() as Rec).find((d) => d.kind === 'Kustomization')!;
}

export interface AppState {
  revision?: string;
  sync?: 'Synced' | 'OutOfSync' | 'Unknown';
  health?: 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';
  phase?: 'Succeeded' | 'Running' | 'Failed' | 'Error';
  opMessage?: string;
  conditions?: { type: string; message: string }[];
  automated?: boolean;
}

/** An Argo CD Application in `namespace`, shaped like the upstream one, in the given state. */
export function application(namespace: string, name: string, s: AppState = {}): Obj {
  const app = upstreamApplication();
  const revision = s.revision ?? NEW_SHA;
  app.metadata = { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'llm-gitops' }, finalizers: app.metadata.finalizers };
  app.spec.syncPolicy = { ...(s.automated === false ? {} : { automated: { prune: true, selfHeal: true } }), retry: app.spec.syncPolicy.retry };
  app.status.sync.revision = revision;
  app.status.sync.status = s.sync ?? 'Synced';
  app.status.health = { status: s.health ?? 'Healthy', lastTransitionTime: T0 };
  app.status.operationState.phase = s.phase ?? 'Succeeded';
  app.status.operationState.syncResult.revision = revision;
  app.status.operationState.operation.sync.revision = revision;
  if (s.opMessage) app.status.operationState.message = s.opMessage;
  if (s.phase === 'Running') delete app.status.operationState.finishedAt;
  if (s.conditions) app.status.conditions = s.conditions.map((c) => ({ ...c, lastTransitionTime: T0 }));
  delete app.status.history;
  return app as Obj;
}

export interface KsState {
  revision?: string;
  ready?: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  stalled?: { reason: string; message: string };
  reconciling?: boolean;
  suspend?: boolean;
  generation?: number;
  observedGeneration?: number;
}

/** A Flux Kustomization in `namespace`, shaped like the upstream one, in the given state. */
export function kustomization(namespace: string, name: string, s: KsState = {}): Obj {
  const ks = upstreamKustomization(namespace);
  const revision = `main@sha1:${s.revision ?? NEW_SHA}`;
  const generation = s.generation ?? 1;
  ks.metadata = { name, namespace, generation };
  if (s.suspend) ks.spec.suspend = true;
  ks.status.lastAppliedRevision = revision;
  ks.status.lastAttemptedRevision = revision;
  ks.status.observedGeneration = s.observedGeneration ?? generation;
  const ready = ks.status.conditions.find((c: Rec) => c.type === 'Ready');
  ready.status = s.ready ?? 'True';
  ready.observedGeneration = s.observedGeneration ?? generation;
  if (s.reason) ready.reason = s.reason;
  ready.message = s.message ?? (ready.status === 'True' ? `Applied revision: ${revision}` : ready.message);
  if (s.stalled) ks.status.conditions.push({ type: 'Stalled', status: 'True', ...s.stalled, lastTransitionTime: T0, observedGeneration: generation });
  if (s.reconciling) ks.status.conditions.push({ type: 'Reconciling', status: 'True', reason: 'Progressing', message: 'Reconciliation in progress', lastTransitionTime: T0, observedGeneration: generation });
  return ks as Obj;
}

export type ModelState =
  | 'ready'
  | 'progressing'
  | 'degraded'
  | 'stopped'
  | 'presets-false'
  | 'no-status'
  | 'new-generation'
  | 'terminating';

const cond = (type: string, status: string, reason?: string, message?: string, severity?: string) => ({
  type,
  status,
  lastTransitionTime: T0,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
  ...(severity ? { severity } : {}),
});

/** An LLMInferenceService (v1alpha2) with a status as the KServe controller writes it. */
export function llmisvc(namespace: string, name: string, state: ModelState = 'ready', extra: { generation?: number; managed?: boolean; lastTransitionTime?: string } = {}): Obj {
  const generation = extra.generation ?? 1;
  const url = `http://gateway.example.com/${namespace}/${name}`;
  const obj: Obj = {
    apiVersion: 'serving.kserve.io/v1alpha2',
    kind: 'LLMInferenceService',
    metadata: {
      name,
      namespace,
      generation,
      labels: extra.managed === false ? {} : { 'app.kubernetes.io/managed-by': 'llm-gitops', 'llm-gitops/environment': namespace.replace(/^llm-/, '') },
      finalizers: ['serving.kserve.io/llmisvc-finalizer'],
    },
    spec: { model: { uri: `hf://org/${name}`, name: `org/${name}` }, replicas: 1, router: { route: {}, gateway: {}, scheduler: {} } },
  };
  const base = { observedGeneration: generation, annotations: { 'serving.kserve.io/config-llm-template': 'kserve-config-llm-template' } };
  const presets = cond('PresetsCombined', 'True', undefined, undefined, 'Info');
  switch (state) {
    case 'no-status':
      return obj;
    case 'ready':
      obj.status = {
        ...base,
        url,
        addresses: [{ url, name: 'gateway-external' }],
        conditions: [
          cond('HTTPRoutesReady', 'True', undefined, undefined, 'Info'),
          cond('InferencePoolReady', 'True', undefined, undefined, 'Info'),
          cond('MainWorkloadReady', 'True', undefined, undefined, 'Info'),
          presets,
          cond('Ready', 'True'),
          cond('RouterReady', 'True'),
          cond('SchedulerWorkloadReady', 'True', undefined, undefined, 'Info'),
          cond('WorkloadsReady', 'True'),
        ],
      };
      return obj;
    case 'progressing':
      obj.status = {
        ...base,
        conditions: [
          cond('MainWorkloadReady', 'Unknown', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', 'Info'),
          presets,
          cond('Ready', 'Unknown', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
          cond('RouterReady', 'Unknown', 'WaitingForGateway', 'waiting for the Gateway controller to accept the InferencePool'),
          cond('WorkloadsReady', 'Unknown', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
          // Progressing since now unless told otherwise (an old transition would pass the progress deadline).
        ].map((c) => ({ ...c, lastTransitionTime: extra.lastTransitionTime ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z') })),
      };
      return obj;
    case 'degraded':
      obj.status = {
        ...base,
        conditions: [
          cond('MainWorkloadReady', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${name}-kserve-7d9f" has timed out progressing.`, 'Info'),
          presets,
          cond('Ready', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${name}-kserve-7d9f" has timed out progressing.`),
          cond('RouterReady', 'True'),
          cond('WorkloadsReady', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${name}-kserve-7d9f" has timed out progressing.`),
        ],
      };
      return obj;
    case 'stopped':
      obj.metadata.annotations = { 'serving.kserve.io/stop': 'true' };
      obj.status = {
        ...base,
        conditions: [
          cond('MainWorkloadReady', 'False', 'Stopped', 'service is stopped', 'Info'),
          presets,
          cond('Ready', 'False', 'Stopped', 'service is stopped'),
          cond('RouterReady', 'False', 'Stopped', 'service is stopped'),
          cond('WorkloadsReady', 'False', 'Stopped', 'service is stopped'),
        ],
      };
      return obj;
    case 'presets-false':
      obj.status = {
        ...base,
        conditions: [
          cond('PresetsCombined', 'False', 'ConfigNotFound', 'LLMInferenceServiceConfig "vllm-prod-tuning" not found in namespaces [llm-prod kserve]', 'Info'),
          cond('Ready', 'Unknown', 'NewObservedGenFailure', 'unsuccessfully observed a new generation'),
        ],
      };
      return obj;
    case 'new-generation':
      // The spec changed (generation + 1); the status is still the Ready one of the old generation.
      obj.status = llmisvc(namespace, name, 'ready', extra).status;
      obj.metadata.generation = generation + 1;
      return obj;
    case 'terminating':
      obj.metadata.deletionTimestamp = T0;
      obj.status = llmisvc(namespace, name, 'ready', extra).status;
      return obj;
  }
}

export interface SeedEnv {
  readonly env: string;
  readonly namespace: string;
  readonly engine: 'argocd' | 'flux' | 'none';
  readonly platform?: boolean;
  readonly models: readonly string[];
  /** Prerequisite unit ids the catalog's tree delivers (`<env>-<id>`, after the root). */
  readonly prerequisites?: readonly string[];
}

/** Every object of healthy, synced environments (at NEW_SHA). */
export function seedHealthy(fake: FakeApiServer, envs: readonly SeedEnv[]): void {
  for (const e of envs) {
    const units = [`${e.env}-delivery`, ...(e.prerequisites ?? []).map((id) => `${e.env}-${id}`), ...(e.platform === false ? [] : [`${e.env}-platform`]), `${e.env}-models`];
    for (const u of units) {
      if (e.engine === 'argocd') fake.put(application('argocd', u));
      if (e.engine === 'flux') fake.put(kustomization('flux-system', u));
    }
    for (const m of e.models) fake.put(llmisvc(e.namespace, m));
  }
}

/** A catalog with `models` (all cpu, so the catalog stays small). */
export function catalogText(e: SeedEnv, opts: { stopped?: readonly string[]; interval?: string } = {}): string {
  return [
    `namespace: ${e.namespace}`,
    `platform: { mode: ${e.platform === false ? 'none' : 'addons'} }`,
    `delivery: { engine: ${e.engine}${e.engine === 'none' ? '' : ', repoURL: https://git.example.com/llm-gitops.git'}${opts.interval ? `, interval: ${opts.interval}` : ''} }`,
    'models:',
    ...e.models.map((m) => `  ${m}: { uri: hf://org/${m}, accelerator: cpu${opts.stopped?.includes(m) ? ', stopped: true' : ''} }`),
    '',
  ].join('\n');
}

/**
 * The environments of scripts/bench-catalogs.mjs as seeds: env1 delivered by Flux, the others by
 * Argo CD, each with the prerequisite units its tree delivers (health reads them too; the first
 * 10 models already use every router, so they decide the units).
 */
export function benchSeedEnvs(models: number): SeedEnv[] {
  return Array.from({ length: 10 }, (_, e) => {
    const env = `env${e}`;
    const r = loadCatalog(env, `environments/${env}/catalog.yaml`, benchCatalog(env, Math.min(models, 10)));
    if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'));
    return {
      env,
      namespace: `llm-${env}`,
      engine: e === 1 ? ('flux' as const) : ('argocd' as const),
      models: Array.from({ length: models }, (_, i) => `model-${String(i).padStart(4, '0')}`),
      prerequisites: unitsOf(r.value).map((u) => u.id),
    };
  });
}
