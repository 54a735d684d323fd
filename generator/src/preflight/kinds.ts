/**
 * The kinds `preflight` reads — the one list its requests and its documented read-only RBAC
 * come from. Cluster-scoped ones are listed once; the others once per namespace that matters.
 */
import type { KindRef } from '../health/kinds.js';

export const PREFLIGHT_KINDS = {
  CustomResourceDefinition: { kind: 'CustomResourceDefinition', group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', namespaced: false },
  GatewayClass: { kind: 'GatewayClass', group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gatewayclasses', namespaced: false },
  Gateway: { kind: 'Gateway', group: 'gateway.networking.k8s.io', version: 'v1', plural: 'gateways' },
  Deployment: { kind: 'Deployment', group: 'apps', version: 'v1', plural: 'deployments' },
  /** Listed metadata-only: names, never data. */
  Secret: { kind: 'Secret', group: '', version: 'v1', plural: 'secrets' },
  StorageClass: { kind: 'StorageClass', group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', namespaced: false },
  Node: { kind: 'Node', group: '', version: 'v1', plural: 'nodes', namespaced: false },
} as const satisfies Record<string, KindRef>;

export const CERT_MANAGER = { namespace: 'cert-manager', webhook: 'cert-manager-webhook' } as const;
