/**
 * What the catalog needs from a cluster, as a pure function of the normalized environments:
 * CRDs, the Gateway its routes attach to, cert-manager's webhook, the token Secrets, the storage
 * classes of downloads, and GPU demand per hardware profile. `preflight` then checks each need
 * against the cluster. Prerequisites delivered or managed elsewhere plug in as `extra` needs
 * (the platform.prerequisites of a catalog, once it has them), so there is one list of needs.
 */
import { GPU_RESOURCE, KSERVE_NAMESPACE } from '../model/kserve.js';
import type { Environment, JsonObject, Model } from '../model/types.js';

export interface CrdNeed {
  /** `plural.group` */
  readonly name: string;
  /** A served version that must exist (e.g. InferencePool v1). */
  readonly version?: string;
  /** Which part of the catalog needs it, for the message. */
  readonly why: string;
}

export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

export interface GpuNeed {
  readonly env: string;
  readonly resource: string;
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly JsonObject[];
  /** GPUs of the largest pod of this profile (a node must hold one whole pod). */
  readonly perPod: number;
  /** GPUs of every pod of this profile at the planned replicas. */
  readonly total: number;
  readonly models: readonly string[];
}

export interface Needs {
  readonly crds: readonly CrdNeed[];
  readonly gateways: readonly (ObjectRef & { readonly why: string })[];
  readonly certManagerWebhook: boolean;
  readonly secrets: readonly (ObjectRef & { readonly why: string })[];
  /** Named storage classes; `undefined` (a download without one) needs a default class. */
  readonly storageClasses: readonly { readonly name?: string; readonly why: string }[];
  readonly gpus: readonly GpuNeed[];
}

/** A prerequisite managed outside the catalog (e.g. `platform.prerequisites` entries): a CRD it provides. */
export interface ExternalPrerequisite {
  readonly crds: readonly string[];
  readonly why: string;
}

const CRD = {
  gateway: 'gateways.gateway.networking.k8s.io',
  gatewayClass: 'gatewayclasses.gateway.networking.k8s.io',
  httpRoute: 'httproutes.gateway.networking.k8s.io',
  inferencePool: 'inferencepools.inference.networking.k8s.io',
  lws: 'leaderworkersets.leaderworkerset.x-k8s.io',
  certificate: 'certificates.cert-manager.io',
  issuer: 'issuers.cert-manager.io',
  llmisvc: 'llminferenceservices.serving.kserve.io',
  llmisvcConfig: 'llminferenceserviceconfigs.serving.kserve.io',
  isvc: 'inferenceservices.serving.kserve.io',
  storageContainer: 'clusterstoragecontainers.serving.kserve.io',
} as const;

export const DEFAULT_GATEWAY: ObjectRef = { namespace: KSERVE_NAMESPACE, name: 'kserve-ingress-gateway' };

function gatewayRefs(m: Model): ObjectRef[] {
  const refs = (m.spec as { router?: { gateway?: { refs?: { name?: string; namespace?: string }[] } } } | undefined)?.router?.gateway?.refs;
  if (Array.isArray(refs) && refs.length) return refs.filter((r) => r?.name).map((r) => ({ name: r.name!, namespace: r.namespace ?? '' }));
  return [DEFAULT_GATEWAY];
}

function secretsOf(m: Model): string[] {
  const fromEnv = [...m.env, ...m.decode.env, ...(m.prefill?.env ?? [])]
    .map((e) => (e.valueFrom as { secretKeyRef?: { name?: string } } | undefined)?.secretKeyRef?.name)
    .filter((n): n is string => !!n);
  return [...(m.hfTokenSecret ? [m.hfTokenSecret] : []), ...fromEnv];
}

function replicasOf(m: Model): number {
  if (m.stopped) return 0;
  return m.replicas ?? m.autoscaling?.min ?? 1;
}

/** `nodeSelector` + tolerations + resource: one hardware profile. */
function profileKey(env: string, resource: string, m: Model): string {
  return JSON.stringify([env, resource, Object.entries(m.hardware.nodeSelector ?? {}).sort(), m.hardware.tolerations ?? []]);
}

export function catalogNeeds(envs: readonly Environment[], external: readonly ExternalPrerequisite[] = []): Needs {
  const crds = new Map<string, CrdNeed>();
  const need = (name: string, why: string, version?: string) => {
    if (!crds.has(name)) crds.set(name, { name, why, ...(version ? { version } : {}) });
  };
  const gateways = new Map<string, ObjectRef & { why: string }>();
  const secrets = new Map<string, ObjectRef & { why: string }>();
  const storage = new Map<string, { name?: string; why: string }>();
  const gpus = new Map<string, { -readonly [K in keyof GpuNeed]: GpuNeed[K] }>();
  let certManager = false;

  for (const e of envs) {
    const where = (m: Model) => `${e.name}/${m.name}`;
    if (e.platform.mode === 'none') need(CRD.llmisvc, `${e.name}: platform.mode none (KServe llmisvc managed elsewhere)`);
    else {
      certManager = true;
      need(CRD.certificate, `${e.name}: the KServe llmisvc controller's webhook certificate`);
      need(CRD.issuer, `${e.name}: the KServe llmisvc controller's webhook certificate`);
    }
    if (e.platform.mode === 'addons') {
      need(CRD.isvc, `${e.name}: platform.mode addons needs KServe core installed`);
      need(CRD.storageContainer, `${e.name}: platform.mode addons needs KServe core installed`);
    }
    for (const m of e.models) {
      if (m.router !== 'none') {
        need(CRD.gatewayClass, `${where(m)}: router ${m.router}`);
        need(CRD.gateway, `${where(m)}: router ${m.router}`);
        need(CRD.httpRoute, `${where(m)}: router ${m.router}`);
        for (const g of gatewayRefs(m)) {
          const ref = { namespace: g.namespace || e.namespace, name: g.name };
          const k = `${ref.namespace}/${ref.name}`;
          if (!gateways.has(k)) gateways.set(k, { ...ref, why: where(m) });
        }
      }
      if (m.router === 'scheduler' || m.router === 'prefill-decode') need(CRD.inferencePool, `${where(m)}: router ${m.router} (the llm-d scheduler's pool)`, 'v1');
      if (m.worker || m.prefill?.worker) need(CRD.lws, `${where(m)}: multi-node (LeaderWorkerSet)`);
      for (const s of secretsOf(m)) {
        const k = `${e.namespace}/${s}`;
        if (!secrets.has(k)) secrets.set(k, { namespace: e.namespace, name: s, why: where(m) });
      }
      if (m.download) {
        const k = m.download.storageClass ?? '';
        if (!storage.has(k)) storage.set(k, { ...(m.download.storageClass ? { name: m.download.storageClass } : {}), why: `${where(m)}: download` });
      }
      if (m.hardware.accelerator !== 'cpu' && m.hardware.gpus > 0) {
        const resource = m.hardware.resourceName ?? GPU_RESOURCE[m.hardware.accelerator];
        const pods: [number, number][] = [[replicasOf(m), m.hardware.gpus]];
        if (m.prefill) pods.push([m.stopped ? 0 : (m.prefill.replicas ?? 1), m.prefill.gpus]);
        const key = profileKey(e.name, resource, m);
        const g = gpus.get(key) ?? { env: e.name, resource, nodeSelector: m.hardware.nodeSelector ?? {}, tolerations: m.hardware.tolerations ?? [], perPod: 0, total: 0, models: [] };
        g.perPod = Math.max(g.perPod, ...pods.map(([, n]) => n));
        g.total += pods.reduce((s, [r, n]) => s + r * n, 0);
        g.models = [...g.models, m.name];
        gpus.set(key, g);
      }
    }
  }
  for (const x of external) for (const c of x.crds) need(c, x.why);
  const byName = <T extends { name?: string }>(a: T, b: T) => (a.name ?? '').localeCompare(b.name ?? '');
  return {
    crds: [...crds.values()].sort(byName),
    gateways: [...gateways.values()],
    certManagerWebhook: certManager,
    secrets: [...secrets.values()],
    storageClasses: [...storage.values()].sort(byName),
    gpus: [...gpus.values()],
  };
}
