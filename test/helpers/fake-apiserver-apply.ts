/**
 * Server-side apply for the fake API server (opt-in, `FakeOptions.apply`): PATCH with
 * `application/apply-patch+yaml` creates or updates an object, as `kubectl apply --server-side`
 * sends it. Like a real API server it refuses what it does not serve — a kind whose CRD was not
 * applied yet is 404 (kubectl: "no matches for kind"), a namespaced object in a namespace that
 * does not exist is 404 — and applying a CustomResourceDefinition makes its served versions
 * discoverable at once. Built-in kinds come from a short table (names only).
 */
import type { IncomingMessage } from 'node:http';
import { parse } from 'yaml';
import type { ResourceType } from './fake-apiserver-types.js';
import type { Obj, Store } from './fake-apiserver-store.js';
import { statusBody } from './fake-apiserver-status.js';

type Builtin = [group: string, version: string, kind: string, plural: string, namespaced: boolean];

/** The built-in kinds a GitOps tree applies (served when apply mode is on). */
const BUILTINS: Builtin[] = [
  ['', 'v1', 'Namespace', 'namespaces', false],
  ['', 'v1', 'ConfigMap', 'configmaps', true],
  ['', 'v1', 'Secret', 'secrets', true],
  ['', 'v1', 'Service', 'services', true],
  ['', 'v1', 'ServiceAccount', 'serviceaccounts', true],
  ['', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true],
  ['apps', 'v1', 'Deployment', 'deployments', true],
  ['batch', 'v1', 'Job', 'jobs', true],
  ['batch', 'v1', 'CronJob', 'cronjobs', true],
  ['policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true],
  ['networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true],
  ['autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true],
  ['rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true],
  ['rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false],
  ['admissionregistration.k8s.io', 'v1', 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false],
  ['admissionregistration.k8s.io', 'v1', 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false],
  ['admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicy', 'validatingadmissionpolicies', false],
  ['admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', false],
  ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false],
];

export function builtinTypes(): ResourceType[] {
  return BUILTINS.map(([group, version, kind, plural, namespaced]) => ({
    group,
    version,
    kind,
    plural,
    singular: kind.toLowerCase(),
    listKind: `${kind}List`,
    shortNames: [],
    namespaced,
    storage: true,
    columns: [],
  }));
}

/** The served versions of an applied CRD, as discovery entries. */
export function typesOfCrd(crd: Obj): ResourceType[] {
  const spec = crd.spec as { group: string; scope: string; names: { kind: string; listKind?: string; plural: string; singular?: string; shortNames?: string[] }; versions: { name: string; served: boolean; storage: boolean }[] };
  return spec.versions
    .filter((v) => v.served)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      kind: spec.names.kind,
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      shortNames: spec.names.shortNames ?? [],
      namespaced: spec.scope === 'Namespaced',
      storage: v.storage,
      columns: [],
    }));
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface ApplyContext {
  readonly types: ResourceType[];
  readonly store: Store;
  /** Namespaces created by applying a Namespace object (plus default, kube-system). */
  readonly namespaces: Set<string>;
  /** Every successful apply, in order: `Kind/namespace/name`. */
  readonly applied: string[];
}

/** Handles one server-side apply request; returns [status, body]. */
export function apply(ctx: ApplyContext, path: string, contentType: string | undefined, body: string): [number, object] {
  if (!contentType?.startsWith('application/apply-patch')) return [415, statusBody(415, `only server-side apply (application/apply-patch+yaml) is served, not ${contentType}`)];
  const parts = path.split('/').filter(Boolean);
  const [group, version, rest] = parts[0] === 'api' ? ['', parts[1], parts.slice(2)] : [parts[1] ?? '', parts[2], parts.slice(3)];
  const namespaced = rest[0] === 'namespaces' && rest.length === 4;
  const ns = namespaced ? rest[1] : undefined;
  const [plural, name] = namespaced ? rest.slice(2) : rest;
  const type = ctx.types.find((t) => t.group === group && t.version === version && t.plural === plural);
  if (!type || !name) return [404, statusBody(404, 'the server could not find the requested resource')];
  if (type.namespaced && !ns) return [400, statusBody(400, `${type.kind} is namespaced: apply it in a namespace`)];
  if (ns && !ctx.namespaces.has(ns)) return [404, statusBody(404, `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' })];
  const obj = parse(body) as Obj;
  if (obj.kind !== type.kind || obj.metadata?.name !== name) return [400, statusBody(400, `the body (${obj.kind} ${obj.metadata?.name}) does not match the URL (${type.kind} ${name})`)];
  const key = `${type.group}/${type.plural}`;
  const old = ctx.store.get(key, ns, name);
  const stored = ctx.store.put(key, { ...obj, apiVersion: `${type.group ? `${type.group}/` : ''}${type.version}`, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } });
  if (type.kind === 'Namespace') ctx.namespaces.add(name);
  if (type.kind === 'CustomResourceDefinition') {
    for (const t of typesOfCrd(obj)) if (!ctx.types.some((x) => x.group === t.group && x.version === t.version && x.plural === t.plural)) ctx.types.push(t);
  }
  ctx.applied.push(`${type.kind}/${ns ?? ''}/${name}`);
  return [old ? 200 : 201, stored];
}
