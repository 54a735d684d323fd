/**
 * Objects a model needs beside its LLMInferenceService: the PVC and download Job of a pvc://
 * model with `download`, and the ServiceAccount that hands the HF token Secret to KServe's
 * storage-initializer (KServe reads credentials from the secrets listed on the pod's SA).
 */
import { createHash } from 'node:crypto';
import { MANAGED_BY } from '../model/names.js';
import type { Environment, JsonObject, Model } from '../model/types.js';
import { stringify } from './yaml.js';
import { combined } from './shape.js';

export function hfServiceAccountName(secret: string): string {
  return `${secret}-reader`.slice(0, 253);
}

export function renderHfServiceAccount(env: Environment, secret: string): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: hfServiceAccountName(secret), namespace: env.namespace, labels: { ...MANAGED_BY } },
    secrets: [{ name: secret }],
  };
}

export function renderClaim(env: Environment, m: Model): JsonObject {
  const d = m.download!;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: d.claim,
      namespace: env.namespace,
      labels: combined(MANAGED_BY, { 'llm-gitops/model': m.name }),
      // Deleting a claim deletes downloaded weights: never prune it automatically.
      annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false', 'argocd.argoproj.io/sync-wave': '-2', 'kustomize.toolkit.fluxcd.io/prune': 'disabled' },
    },
    spec: {
      accessModes: [d.accessMode],
      resources: { requests: { storage: d.size } },
      ...(d.storageClass ? { storageClassName: d.storageClass } : {}),
    },
  };
}

/**
 * A Job's pod template is immutable, so the name carries a hash of its spec: a changed source
 * makes a new Job (the old one is pruned) instead of a failed sync.
 */
export function renderDownloadJob(env: Environment, m: Model): JsonObject {
  const d = m.download!;
  const dest = `/mnt/models/${d.subPath}`.replace(/\/+$/, '') || '/mnt/models';
  const podSpec: JsonObject = {
    restartPolicy: 'OnFailure',
    ...(m.hfTokenSecret ? { serviceAccountName: hfServiceAccountName(m.hfTokenSecret) } : {}),
    securityContext: { fsGroup: 1000 },
    containers: [
      {
        name: 'download',
        image: d.image,
        args: [d.from, dest],
        ...(m.hfTokenSecret ? { env: [{ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: m.hfTokenSecret, key: 'HF_TOKEN' } } }] } : {}),
        resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '4Gi' } },
        volumeMounts: [{ name: 'models', mountPath: '/mnt/models' }],
      },
    ],
    volumes: [{ name: 'models', persistentVolumeClaim: { claimName: d.claim } }],
  };
  const hash = createHash('sha256').update(stringify(podSpec)).digest('hex').slice(0, 8);
  const base = `${m.name}-download`.slice(0, 63 - 9).replace(/-+$/, '');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${base}-${hash}`,
      namespace: env.namespace,
      labels: combined(MANAGED_BY, { 'llm-gitops/model': m.name }),
      annotations: { 'argocd.argoproj.io/sync-wave': '-1' },
    },
    spec: { backoffLimit: 6, template: { metadata: { labels: { 'llm-gitops/model': m.name } }, spec: podSpec } },
  };
}
