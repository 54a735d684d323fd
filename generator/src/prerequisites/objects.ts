/**
 * The objects the tree writes itself for prerequisites: the GatewayClass + Gateway KServe routes
 * through, the ExternalSecret of a token, and the kustomizations of release-manifest
 * dependencies. Pure.
 */
import { MANAGED_BY } from '../model/names.js';
import type { Environment, JsonObject, PlatformSource } from '../model/types.js';
import { imageOverride, kustomization } from '../render/kustomization.js';
import { stringify } from '../render/yaml.js';
import { ENVOY_GATEWAY_CONTROLLER, GATEWAY_NAME, GATEWAY_NAMESPACE, gatewayClassOf } from './requirements.js';
import type { TokenSource } from './types.js';

export const GATEWAY_API_VERSION = 'gateway.networking.k8s.io/v1';
export const EXTERNAL_SECRET_API_VERSION = 'external-secrets.io/v1';

/** CRDs (and other cluster-wide definitions) are synced server-side and never pruned or deleted. */
export const PROTECTED = {
  'argocd.argoproj.io/sync-options': 'ServerSideApply=true,Prune=false,Delete=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};

export function gatewayClass(env: Environment): JsonObject {
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: 'GatewayClass',
    metadata: { name: gatewayClassOf(env), labels: { ...MANAGED_BY } },
    spec: { controllerName: ENVOY_GATEWAY_CONTROLLER },
  };
}

/**
 * The Gateway's namespace, for Flux: Argo CD creates it (CreateNamespace=true), a Flux
 * Kustomization does not, and the platform that declares it waits for this unit — without it the
 * Gateway would never apply (found by the Flux replay). Never pruned: the platform owns it too.
 */
export function gatewayNamespace(): JsonObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: GATEWAY_NAMESPACE, labels: { ...MANAGED_BY }, annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' } } };
}

/**
 * KServe's default Gateway (inferenceservice-config `ingress.kserveIngressGateway`): one HTTP
 * listener that takes routes from every namespace, so each environment's HTTPRoutes attach.
 */
export function gateway(env: Environment): JsonObject {
  return {
    apiVersion: GATEWAY_API_VERSION,
    kind: 'Gateway',
    metadata: { name: GATEWAY_NAME, namespace: GATEWAY_NAMESPACE, labels: { ...MANAGED_BY } },
    spec: {
      gatewayClassName: gatewayClassOf(env),
      listeners: [{ name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'All' } } }],
      infrastructure: { labels: { 'serving.kserve.io/gateway': GATEWAY_NAME } },
    },
  };
}

/** An ExternalSecret that makes Secret `t.secret` (key HF_TOKEN) from the environment's store. */
export function externalSecret(env: Environment, t: TokenSource): JsonObject {
  const e = t.externalSecret!;
  return {
    apiVersion: EXTERNAL_SECRET_API_VERSION,
    kind: 'ExternalSecret',
    metadata: {
      name: t.secret,
      namespace: env.namespace,
      labels: { ...MANAGED_BY, 'llm-gitops/environment': env.name },
      // Before the models that read it; the CRD belongs to the operator, which may be newer than the dry run.
      annotations: env.delivery.engine === 'argocd' ? { 'argocd.argoproj.io/sync-wave': '-1', 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' } : {},
    },
    spec: {
      refreshInterval: e.refreshInterval,
      secretStoreRef: { name: e.store, kind: e.storeKind },
      // Owner: the Secret goes with the ExternalSecret, and is never in git.
      target: { name: t.secret, creationPolicy: 'Owner' },
      data: [{ secretKey: 'HF_TOKEN', remoteRef: { key: e.remoteKey, ...(e.property ? { property: e.property } : {}) } }],
    },
  };
}

/** The command that creates a token Secret by hand (printed by generate, written into the README). */
export function createSecretCommand(namespace: string, secret: string): string {
  return `kubectl create secret generic ${secret} -n ${namespace} --from-literal=HF_TOKEN=<your Hugging Face token>`;
}

const RELEASES: Record<string, (v: string) => string> = {
  'gateway-api': (v) => `https://github.com/kubernetes-sigs/gateway-api/releases/download/${v}/standard-install.yaml`,
  'inference-extension': (v) => `https://github.com/kubernetes-sigs/gateway-api-inference-extension/releases/download/${v}/v1-manifests.yaml`,
  leaderworkerset: (v) => `https://github.com/kubernetes-sigs/lws/releases/download/${v}/manifests.yaml`,
};

/** What `vendor --prerequisite <name>` copies, relative to the project's source root, and what the base points at. */
export const VENDORED: Record<string, { readonly entries: readonly string[]; readonly resource: string }> = {
  'gateway-api': { entries: ['config/crd'], resource: 'config/crd' },
  'inference-extension': { entries: ['config/crd/bases/inference.networking.k8s.io_inferencepools.yaml'], resource: 'config/crd/bases/inference.networking.k8s.io_inferencepools.yaml' },
  leaderworkerset: { entries: ['config/default'], resource: 'config/default' },
};

/** Inside the unit's own folder: kustomize loads no file from outside the kustomization's directory. */
export const prerequisiteVendorDir = (name: string, version: string) => `base/prerequisites/${name}/${version}/vendor`;

/** The kustomization of a release-manifest dependency at base/prerequisites/<name>/<version>. */
export function releaseKustomization(name: string, version: string, source: PlatformSource): JsonObject {
  const resource = source === 'remote' ? RELEASES[name]!(version) : `vendor/${VENDORED[name]!.resource}`;
  return kustomization({
    resources: [resource],
    patches: [{ target: { kind: 'CustomResourceDefinition' }, patch: stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'any', annotations: PROTECTED } }) }],
    // The git copy of LWS names the staging image; the release manifest names this one.
    ...(name === 'leaderworkerset' ? { images: [imageOverride('us-central1-docker.pkg.dev/k8s-staging-images/lws/lws', `registry.k8s.io/lws/lws:${version}`)] } : {}),
  });
}
