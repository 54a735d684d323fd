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
