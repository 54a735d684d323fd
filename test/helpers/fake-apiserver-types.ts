/**
 * What the fake API server serves, read from the real CRDs in ../shared at test time (never
 * copied): group, served versions, names, scope and printer columns. Plus the discovery
 * documents kubectl asks for before it lists anything.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UPSTREAM } from './repo.js';

export interface PrinterColumn {
  readonly name: string;
  readonly type: string;
  readonly jsonPath: string;
  readonly priority?: number;
}

/** One served group/version/resource. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly listKind: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
  /** The version objects are stored in (they are served under every version unconverted). */
  readonly storage: boolean;
  readonly columns: readonly PrinterColumn[];
}

interface Crd {
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames?: string[] };
    versions: { name: string; served: boolean; storage: boolean; additionalPrinterColumns?: PrinterColumn[] }[];
  };
}

const cache = new Map<string, ResourceType[]>();

/** Every served version of the CRD at `path` (relative to shared/upstream). */
export function crdTypes(path: string): ResourceType[] {
  const hit = cache.get(path);
  if (hit) return hit;
  const crd = parse(readFileSync(join(UPSTREAM, path), 'utf8')) as Crd;
  const { group, scope, names } = crd.spec;
  const types = crd.spec.versions
    .filter((v) => v.served)
    .map((v) => ({
      group,
      version: v.name,
      plural: names.plural,
      singular: names.singular,
      kind: names.kind,
      listKind: names.listKind,
      shortNames: names.shortNames ?? [],
      namespaced: scope === 'Namespaced',
      storage: v.storage,
      columns: v.additionalPrinterColumns ?? [],
    }));
  cache.set(path, types);
  return types;
}

export const CRD = {
  llmisvc: 'kserve/v0.20.0/config/crd/minimal/llmisvc/serving.kserve.io_llminferenceservices.yaml',
  application: 'argo-cd/v3.5.1/manifests/crds/application-crd.yaml',
  kustomization: 'kustomize-controller/v1.9.4/config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml',
} as const;

/** The three kinds `health` reads, as the real CRDs define them. */
export function healthTypes(): ResourceType[] {
  return [...crdTypes(CRD.llmisvc), ...crdTypes(CRD.application), ...crdTypes(CRD.kustomization)];
}

const VERBS = ['get', 'list', 'watch'];

export function apiVersions(): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
}

export function coreResources(): object {
  return {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [{ name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: VERBS, shortNames: ['ns'] }],
  };
}

function groupDoc(types: readonly ResourceType[], group: string): object {
  const versions = [...new Set(types.filter((t) => t.group === group).map((t) => t.version))];
  const preferred = types.find((t) => t.group === group && t.storage)?.version ?? versions[0];
  const ordered = [preferred, ...versions.filter((v) => v !== preferred)];
  return {
    name: group,
    versions: ordered.map((v) => ({ groupVersion: `${group}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${group}/${preferred}`, version: preferred },
  };
}

export function apiGroupList(types: readonly ResourceType[]): object {
  const groups = [...new Set(types.map((t) => t.group))].sort();
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => groupDoc(types, g)) };
}

export function apiGroup(types: readonly ResourceType[], group: string): object | undefined {
  if (!types.some((t) => t.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(types, group) };
}

export function apiResourceList(types: readonly ResourceType[], group: string, version: string): object | undefined {
  const here = types.filter((t) => t.group === group && t.version === version);
  if (!here.length) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${group}/${version}`,
    resources: here.flatMap((t) => [
      { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: VERBS, shortNames: t.shortNames, categories: [] },
      { name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get'] },
    ]),
  };
}

/**
 * Built-in kinds preflight and the health diagnosis read. Kubernetes' own API facts (group,
 * version, names, scope), written here because no CRD describes them.
 */
function builtin(group: string, version: string, kind: string, plural: string, namespaced: boolean, shortNames: string[] = []): ResourceType {
  return { group, version, plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List`, shortNames, namespaced, storage: true, columns: [] };
}

export function builtinTypes(): ResourceType[] {
  return [
    builtin('', 'v1', 'Node', 'nodes', false, ['no']),
    builtin('', 'v1', 'Pod', 'pods', true, ['po']),
    builtin('', 'v1', 'Secret', 'secrets', true),
    builtin('apps', 'v1', 'Deployment', 'deployments', true, ['deploy']),
    builtin('batch', 'v1', 'Job', 'jobs', true),
    builtin('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, ['sc']),
    builtin('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, ['crd']),
  ];
}

export const PLATFORM_CRD = {
  gatewayClass: 'gateway-api/v1.5.1/config/crd/standard/gateway.networking.k8s.io_gatewayclasses.yaml',
  gateway: 'gateway-api/v1.5.1/config/crd/standard/gateway.networking.k8s.io_gateways.yaml',
  httpRoute: 'gateway-api/v1.5.1/config/crd/standard/gateway.networking.k8s.io_httproutes.yaml',
  inferencePool: 'gateway-api-inference-extension/v1.5.0/config/crd/bases/inference.networking.k8s.io_inferencepools.yaml',
  lws: 'lws/v0.8.0/config/crd/bases/leaderworkerset.x-k8s.io_leaderworkersets.yaml',
  certificate: 'cert-manager/v1.17.0/deploy/crds/crd-certificates.yaml',
  issuer: 'cert-manager/v1.17.0/deploy/crds/crd-issuers.yaml',
} as const;

/** Everything: health's kinds, the platform CRDs' kinds and the built-ins. */
export function allTypes(): ResourceType[] {
  return [...healthTypes(), ...Object.values(PLATFORM_CRD).flatMap((p) => crdTypes(p)), ...builtinTypes()];
}

/** The real CRD document at `path` (under shared/upstream), as the API server would serve it: Established. */
const parsedCrds = new Map<string, Record<string, any>>();

export function crdObject(path: string, established = true): Record<string, any> {
  if (!parsedCrds.has(path)) parsedCrds.set(path, parse(readFileSync(join(UPSTREAM, path), 'utf8')) as Record<string, any>);
  const crd = structuredClone(parsedCrds.get(path)!);
  crd.status = { conditions: [{ type: 'NamesAccepted', status: 'True' }, { type: 'Established', status: established ? 'True' : 'False', reason: established ? 'InitialNamesAccepted' : 'Installing' }] };
  return crd;
}
