/**
 * environments/<env>/health/: the scheduled readiness check of an environment, delivered with
 * its models (the models kustomization lists this folder).
 *
 *   plan.yaml               ConfigMap: what should exist (health/plan.ts), from this revision of the catalog
 *   serviceaccount.yaml     the job's own identity
 *   clusterrole.yaml        get/list/watch on exactly the kinds `health` reads — nothing else, no Secrets
 *   clusterrolebinding.yaml
 *   cronjob.yaml            `llm-gitops health --plan …` on the catalog's schedule
 *
 * Why a ClusterRole: the job reads LLMInferenceServices in the environment namespace and
 * Applications/Kustomizations in Argo CD's/Flux's namespace. Namespaced Roles would have to live
 * in both, but the models kustomization sets `namespace:`, which would move a Role meant for
 * argocd into the models namespace; cluster-scoped RBAC is left alone by that transformer. The
 * cost is read access to those (secret-free) kinds in every namespace, no write, no other kind.
 *
 * Why a plan ConfigMap rather than catalogs baked into the image: the job then checks exactly what
 * the revision the engine applied asks for, needs no git access, and the image (the Dockerfile at
 * the repository root) does not have to be rebuilt for every catalog change.
 */
import { parseDuration } from '../health/duration.js';
import { deliveryKind, planEnvironment } from '../health/plan.js';
import { DIAGNOSIS_KINDS, GATEWAY_KIND, KINDS } from '../health/kinds.js';
import { MANAGED_BY } from '../model/names.js';
import type { Environment, HealthJob, JsonObject } from '../model/types.js';
import { envDir } from './environment.js';
import { kustomization } from './kustomization.js';
import type { OutputFile } from './output.js';
import { yamlDocs } from './yaml.js';

export const HEALTH_NAME = 'llm-gitops-health';
export const PLAN_CONFIGMAP = 'llm-gitops-health-plan';
const PLAN_DIR = '/etc/llm-gitops';
/** The key of the plan in the job's ConfigMap (`health --plan` also reads the ConfigMap file itself). */
export const PLAN_KEY = 'plan.json';

/** Cluster-scoped names carry the environment: two environments may share a cluster. */
export function healthClusterRoleName(env: Environment): string {
  return `${HEALTH_NAME}-${env.name}`;
}

function labels(env: Environment): Record<string, string> {
  return { ...MANAGED_BY, 'app.kubernetes.io/name': HEALTH_NAME, 'llm-gitops/environment': env.name };
}

/** The rules: get/list/watch on the models' kind and on the environment's delivery kind. */
export function healthRules(env: Environment): JsonObject[] {
  const kinds = [KINDS.LLMInferenceService, ...(deliveryKind(env.delivery.engine) ? [deliveryKind(env.delivery.engine)!] : [])];
  const read = kinds.map((k) => ({ apiGroups: [k.group], resources: [k.plural], verbs: ['get', 'list', 'watch'] }));
  // What `health` reads to say why a model is not Healthy (health/diagnose.ts): exactly those
  // kinds, grouped per API group; no Secrets, no pods/log.
  const groups = new Map<string, string[]>();
  for (const k of [...Object.values(DIAGNOSIS_KINDS), GATEWAY_KIND]) groups.set(k.group, [...(groups.get(k.group) ?? []), k.plural]);
  return [...read, ...[...groups].map(([group, plurals]) => ({ apiGroups: [group], resources: plurals.sort(), verbs: ['get', 'list'] }))];
}

export function planConfigMap(env: Environment): JsonObject {
  const plan = { version: 1, environments: [planEnvironment(env)] };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: PLAN_CONFIGMAP, namespace: env.namespace, labels: labels(env) },
    data: { [PLAN_KEY]: `${JSON.stringify(plan, null, 2)}\n` },
  };
}

export function healthCronJob(env: Environment, job: HealthJob): JsonObject {
  // The whole poll may take `timeout`; give the pod start and the last round a minute on top.
  const deadlineSeconds = Math.ceil((parseDuration(job.timeout) ?? 300_000) / 1000) + 60;
  const podLabels = labels(env);
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: HEALTH_NAME, namespace: env.namespace, labels: podLabels },
    spec: {
      schedule: job.schedule,
      // A slow run must not overlap the next one (two checks racing tell nothing new).
      concurrencyPolicy: 'Forbid',
      // A run that could not start within 5 minutes (node pressure, controller down) is skipped, not queued.
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: podLabels },
        spec: {
          // A failed check is a result, not a crash: retrying it would only repeat the verdict.
          backoffLimit: 0,
          activeDeadlineSeconds: deadlineSeconds,
          template: {
            metadata: { labels: podLabels },
            spec: {
              serviceAccountName: HEALTH_NAME,
              automountServiceAccountToken: true,
              restartPolicy: 'Never',
              securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
              containers: [
                {
                  name: 'health',
                  image: job.image,
                  args: ['health', '--plan', `${PLAN_DIR}/${PLAN_KEY}`, '--timeout', job.timeout, '--output', job.output],
                  env: [{ name: 'NO_COLOR', value: '1' }],
                  resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } },
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                  volumeMounts: [{ name: 'plan', mountPath: PLAN_DIR, readOnly: true }],
                },
              ],
              volumes: [{ name: 'plan', configMap: { name: PLAN_CONFIGMAP } }],
            },
          },
        },
      },
    },
  };
}

export function renderHealthJob(env: Environment): OutputFile[] {
  const job = env.health;
  if (!job) return [];
  const dir = `${envDir(env)}/health`;
  const src = env.file;
  const objects: [string, JsonObject][] = [
    ['plan.yaml', planConfigMap(env)],
    ['serviceaccount.yaml', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: HEALTH_NAME, namespace: env.namespace, labels: labels(env) } }],
    [
      'clusterrole.yaml',
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: healthClusterRoleName(env), labels: labels(env) }, rules: healthRules(env) },
    ],
    [
      'clusterrolebinding.yaml',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: healthClusterRoleName(env), labels: labels(env) },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: healthClusterRoleName(env) },
        subjects: [{ kind: 'ServiceAccount', name: HEALTH_NAME, namespace: env.namespace }],
      },
    ],
    ['cronjob.yaml', healthCronJob(env, job)],
  ];
  return [
    { path: `${dir}/kustomization.yaml`, ...yamlDocs(src, kustomization({ resources: objects.map(([f]) => f) })) },
    ...objects.map(([f, obj]) => ({ path: `${dir}/${f}`, ...yamlDocs(src, obj) })),
  ];
}
