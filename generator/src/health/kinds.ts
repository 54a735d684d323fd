/**
 * The kinds `health` reads, in one place: the cluster reader lists them, the planner asks for
 * them, the health job's RBAC grants get/list/watch on exactly these.
 */
import { LLMISVC_API_VERSION } from '../model/kserve.js';

export type KindName = 'LLMInferenceService' | 'Application' | 'Kustomization';

/** A served group/version/resource (`group` empty for the core API). */
export interface KindRef<K extends string = string> {
  readonly kind: K;
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  /** false for cluster-scoped kinds (Nodes, CRDs, GatewayClasses). @default true */
  readonly namespaced?: boolean;
}

const [LLMISVC_GROUP = '', LLMISVC_VERSION = ''] = LLMISVC_API_VERSION.split('/');

export const KINDS: { readonly [K in KindName]: KindRef<K> } = {
  LLMInferenceService: { kind: 'LLMInferenceService', group: LLMISVC_GROUP, version: LLMISVC_VERSION, plural: 'llminferenceservices' },
  /** Argo CD v3.x; the CRD serves only v1alpha1. */
  Application: { kind: 'Application', group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' },
  /** Flux kustomize-controller v1.x serves only v1. */
  Kustomization: { kind: 'Kustomization', group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' },
};

/** `llminferenceservices.serving.kserve.io`, as Kubernetes names a resource in messages. */
export function resourceName(k: KindRef): string {
  return k.group ? `${k.plural}.${k.group}` : k.plural;
}

/**
 * What `health` reads to say why a model is not Healthy: the live children, listed once per
 * namespace that holds such a model (never per model), in the same round. No Secrets, no logs.
 */
export const DIAGNOSIS_KINDS = {
  Pod: { kind: 'Pod', group: '', version: 'v1', plural: 'pods' },
  Deployment: { kind: 'Deployment', group: 'apps', version: 'v1', plural: 'deployments' },
  LeaderWorkerSet: { kind: 'LeaderWorkerSet', group: 'leaderworkerset.x-k8s.io', version: 'v1', plural: 'leaderworkersets' },
  Job: { kind: 'Job', group: 'batch', version: 'v1', plural: 'jobs' },
  InferencePool: { kind: 'InferencePool', group: 'inference.networking.k8s.io', version: 'v1', plural: 'inferencepools' },
  HTTPRoute: { kind: 'HTTPRoute', group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' },
} as const satisfies Record<string, KindRef>;

/** Gateways are listed in KServe's namespace (its default gateway lives there). */
export const GATEWAY_KIND = { kind: 'Gateway', group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gateways' } as const satisfies KindRef;
