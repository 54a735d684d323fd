/**
 * Argo CD delivery of one environment: an app-of-apps per environment.
 *
 *   delivery/kustomization.yaml   → root.yaml           what a person applies once per cluster
 *   delivery/root.yaml            Application <env>-delivery  → delivery/apps
 *   delivery/apps/platform.yaml   Application <env>-platform (wave 0) → environments/<env>/platform
 *   delivery/apps/models.yaml     Application <env>-models   (wave 1) → environments/<env>
 *   delivery/argocd-health/       health checks for LLMInferenceService and Application: a patch
 *                                 of argocd-cm, also wrapped as a kustomize Component for
 *                                 kustomize-managed Argo CD installs
 *
 * One Application per unit, not an ApplicationSet: each environment may target another cluster,
 * project and sync policy, the generator already knows every environment, and per-environment
 * files keep one catalog's change inside its own folder.
 */
import { SERVER_SIDE_DIFF, serverSideDiff } from '../admission/drift/units.js';
import { KSERVE_NAMESPACE } from '../model/kserve.js';
import type { Environment, JsonObject } from '../model/types.js';
import { argocdCmPatch, argocdHealthComponent } from './argocd-health.js';
import { deliveryLabels, deliveryNames, unitFiles } from './delivery-names.js';
import { kustomization } from './kustomization.js';
import type { OutputFile } from './output.js';
import { yamlDocs } from './yaml.js';
import type { Shard } from '../sharding/assign.js';
import { prerequisiteApplications } from '../prerequisites/argocd.js';

export const ARGOCD_API_VERSION = 'argoproj.io/v1alpha1';
/** Deleting an Application with this finalizer deletes what it synced (cascade). */
export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
/** Where Argo CD itself runs: the root's children are Application objects in Argo CD's namespace. */
const IN_CLUSTER = 'https://kubernetes.default.svc';

/**
 * First syncs race the platform: CRDs not yet established, the controller's webhooks not yet
 * serving (kserve PR #5784). Automated sync never retries a failed revision by itself, so retry
 * with backoff: 15s, 30s, … capped at 5m, ten tries (~30 minutes).
 */
export const RETRY: JsonObject = { limit: 10, backoff: { duration: '15s', factor: 2, maxDuration: '5m' } };

/**
 * cert-manager's cainjector writes caBundle into the webhooks and the CRD conversion webhook;
 * self-heal must neither report that as drift nor write it back empty.
 */
const CA_BUNDLE_DIFFERENCES: JsonObject[] = [
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', jqPathExpressions: ['.spec.conversion.webhook.clientConfig.caBundle'] },
];

interface AppParts {
  readonly name: string;
  readonly path: string;
  readonly server: string;
  readonly namespace: string;
  readonly wave?: number;
  readonly cascade: boolean;
  readonly syncOptions: readonly string[];
  readonly ignoreDifferences?: readonly JsonObject[];
  /** Compare with server-side diff (admission/drift/units.ts says when and why). */
  readonly serverSideDiff?: boolean;
}

function syncPolicy(env: Environment, syncOptions: readonly string[]): JsonObject {
  const d = env.delivery;
  return {
    // Manual environments leave `automated` out entirely: `automated.enabled` exists only since Argo CD 3.1.
    ...(d.automated ? { automated: { prune: d.prune, selfHeal: d.selfHeal } } : {}),
    retry: RETRY,
    ...(syncOptions.length ? { syncOptions: [...syncOptions] } : {}),
  };
}

function application(env: Environment, p: AppParts): JsonObject {
  return {
    apiVersion: ARGOCD_API_VERSION,
    kind: 'Application',
    metadata: {
      name: p.name,
      namespace: env.delivery.namespace,
      labels: deliveryLabels(env),
      ...(p.wave === undefined && !p.serverSideDiff ? {} : { annotations: { ...(p.wave === undefined ? {} : { 'argocd.argoproj.io/sync-wave': String(p.wave) }), ...(p.serverSideDiff ? SERVER_SIDE_DIFF : {}) } }),
      ...(p.cascade ? { finalizers: [RESOURCES_FINALIZER] } : {}),
    },
    spec: {
      project: env.delivery.project,
      source: { repoURL: env.delivery.repoURL, targetRevision: env.delivery.revision, path: p.path },
      destination: { server: p.server, namespace: p.namespace },
      syncPolicy: syncPolicy(env, p.syncOptions),
      ...(p.ignoreDifferences ? { ignoreDifferences: [...p.ignoreDifferences] } : {}),
    },
  };
}

/** The platform unit. No finalizer: deleting it must not take the controller (and with it every model's finalizer) away. */
export function platformApplication(env: Environment): JsonObject {
  const n = deliveryNames(env);
  return application(env, {
    name: n.platform,
    path: n.platformPath,
    server: env.delivery.server,
    namespace: KSERVE_NAMESPACE,
    wave: 0,
    cascade: false,
    // FailOnSharedResource: a second environment delivering the platform to the same cluster fails
    // its sync loudly instead of fighting over the CRDs. PruneLast: on an upgrade, what the new KServe
    // dropped goes only after the new controller is up. Server-side apply is set per CRD, not here:
    // app-wide it breaks sync waves (argo-cd#13320).
    syncOptions: ['FailOnSharedResource=true', 'PruneLast=true', 'RespectIgnoreDifferences=true'],
    ignoreDifferences: CA_BUNDLE_DIFFERENCES,
    serverSideDiff: serverSideDiff(env, 'platform'),
  });
}

/**
 * The models unit, after the platform. Cascading: removing the environment removes its models.
 * No CreateNamespace: the models kustomization carries the Namespace itself, which Argo CD applies
 * before the namespaced objects and tracks (labels, self-heal, deletion) — CreateNamespace would
 * only add an untracked copy of the same namespace.
 */
export function modelsApplication(env: Environment): JsonObject {
  const n = deliveryNames(env);
  return application(env, {
    name: n.models,
    path: n.modelsPath,
    server: env.delivery.server,
    namespace: env.namespace,
    wave: 1,
    cascade: true,
    syncOptions: ['FailOnSharedResource=true'],
    serverSideDiff: serverSideDiff(env, 'models'),
  });
}

/**
 * A shard of a sharded environment's models (sharding/assign.ts): after the models unit, which
 * carries the namespace and presets the models need. Cascading, like the models unit.
 */
export function shardApplication(env: Environment, shard: Shard): JsonObject {
  return application(env, {
    name: shard.unit,
    path: shard.dir,
    server: env.delivery.server,
    namespace: env.namespace,
    wave: 2,
    cascade: true,
    syncOptions: ['FailOnSharedResource=true'],
  });
}

/** The root: delivers the unit Applications; deleting it cascades to them (and so to the models only). */
export function rootApplication(env: Environment): JsonObject {
  const n = deliveryNames(env);
  return application(env, { name: n.root, path: n.appsDir, server: IN_CLUSTER, namespace: env.delivery.namespace, cascade: true, syncOptions: [] });
}

export function renderArgoCd(env: Environment): OutputFile[] {
  const n = deliveryNames(env);
  const src = env.file;
  // The prerequisites' Applications come first (waves -4…-2), then the platform (0) and the models (1).
  const units = [...prerequisiteApplications(env), ...unitFiles(env, platformApplication, modelsApplication, shardApplication)];
  return [
    { path: `${n.dir}/kustomization.yaml`, ...yamlDocs(src, kustomization({ resources: ['root.yaml'] })) },
    { path: `${n.dir}/root.yaml`, ...yamlDocs(src, rootApplication(env)) },
    { path: `${n.healthDir}/argocd-cm.patch.yaml`, ...yamlDocs(src, argocdCmPatch(env)) },
    { path: `${n.healthDir}/kustomization.yaml`, ...yamlDocs(src, argocdHealthComponent()) },
    { path: `${n.appsDir}/kustomization.yaml`, ...yamlDocs(src, kustomization({ resources: units.map(([f]) => f) })) },
    ...units.map(([f, obj]) => ({ path: `${n.appsDir}/${f}`, ...yamlDocs(src, obj) })),
  ];
}
