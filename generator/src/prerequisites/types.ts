/**
 * KServe's dependencies as the generator sees them: what a catalog asked for (settings), and
 * what an environment ends up requiring (requirements.ts).
 */

/** Every dependency the tree can deliver or expect, in install order. */
export const PREREQUISITES = [
  'cert-manager',
  'gateway-api',
  'inference-extension',
  'envoy-gateway',
  'envoy-ai-gateway',
  'gateway',
  'leaderworkerset',
  'keda',
  'external-secrets',
] as const;
export type PrerequisiteName = (typeof PREREQUISITES)[number];

/** managed: the tree installs it; external: already there (preflight checks it); bundled: KServe's manifests carry it. */
export type Install = 'managed' | 'external' | 'bundled';

/** What a catalog wrote for one dependency, normalized (undefined = derive). */
export interface PrerequisiteSetting {
  readonly install?: Install;
  readonly version?: string;
  /** gateway only: the GatewayClass name. */
  readonly className?: string;
  /** Helm-chart dependencies only: vendored = the chart copy under base/vendor/<name>/<version>. */
  readonly source?: 'remote' | 'vendored';
}

export type PrerequisiteSettings = Readonly<Partial<Record<PrerequisiteName, PrerequisiteSetting>>>;

/** Where a token Secret comes from: an ExternalSecret, or (absent) created by hand. */
export interface TokenSource {
  readonly secret: string;
  readonly externalSecret?: {
    readonly store: string;
    readonly storeKind: 'ClusterSecretStore' | 'SecretStore';
    readonly remoteKey: string;
    readonly property?: string;
    readonly refreshInterval: string;
  };
}

/** Something preflight can look for on the cluster. */
export interface ClusterObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** One dependency an environment needs, decided. */
export interface Requirement {
  readonly name: PrerequisiteName;
  readonly install: Install;
  /** The version delivered (managed) or expected (external); '' when not pinned (external without a pin). */
  readonly version: string;
  /** Why it is needed: which models, or the catalog asked for it. */
  readonly why: string;
  /** CRDs that must be established once it is there (preflight). */
  readonly crds: readonly string[];
  /** Objects that must exist once it is there (controller Deployments, GatewayClass, Gateway). */
  readonly objects: readonly ClusterObject[];
}
