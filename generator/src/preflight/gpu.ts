/**
 * GPU fit, as the scheduler would see it: a node serves a profile when its labels match the
 * nodeSelector, it tolerates every NoSchedule/NoExecute taint, it is schedulable, and its
 * allocatable GPUs hold one whole pod. Then total demand against the total those nodes offer.
 */
import type { JsonObject } from '../model/types.js';
import type { GpuNeed } from './needs.js';

interface Taint {
  readonly key?: string;
  readonly value?: string;
  readonly effect?: string;
}

export interface NodeInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly unschedulable: boolean;
  readonly allocatable: Readonly<Record<string, string>>;
}

export function nodeInfo(o: unknown): NodeInfo {
  const n = o as { metadata?: { name?: string; labels?: Record<string, string> }; spec?: { taints?: Taint[]; unschedulable?: boolean }; status?: { allocatable?: Record<string, string> } };
  return {
    name: n?.metadata?.name ?? '',
    labels: n?.metadata?.labels ?? {},
    taints: Array.isArray(n?.spec?.taints) ? n.spec.taints : [],
    unschedulable: n?.spec?.unschedulable === true,
    allocatable: n?.status?.allocatable ?? {},
  };
}

/** Kubernetes' toleration matching (v1 helper ToleratesTaint). */
export function tolerates(tolerations: readonly JsonObject[], taint: Taint): boolean {
  return tolerations.some((t) => {
    const op = (t.operator as string | undefined) ?? 'Equal';
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return op === 'Exists';
    if (t.key !== taint.key) return false;
    return op === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

export function untolerated(node: NodeInfo, tolerations: readonly JsonObject[]): Taint[] {
  return node.taints.filter((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(tolerations, t));
}

export function matches(node: NodeInfo, selector: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => node.labels[k] === v);
}

export function allocatable(node: NodeInfo, resource: string): number {
  const n = Number(node.allocatable[resource] ?? 0);
  return Number.isFinite(n) ? n : 0;
}

export function selectorText(s: Readonly<Record<string, string>>): string {
  const parts = Object.entries(s).map(([k, v]) => `${k}=${v}`);
  return parts.length ? `${parts.join(',')} nodes` : 'any node';
}

export interface GpuFit {
  readonly ok: boolean;
  readonly message: string;
}

export function gpuFit(need: GpuNeed, nodes: readonly NodeInfo[]): GpuFit {
  const where = selectorText(need.nodeSelector);
  const withResource = nodes.filter((n) => allocatable(n, need.resource) > 0);
  const selected = nodes.filter((n) => matches(n, need.nodeSelector) && !n.unschedulable);
  const eligible = selected.filter((n) => !untolerated(n, need.tolerations).length);
  const models = need.models.join(', ');
  if (!eligible.length) {
    const blocked = selected.find((n) => untolerated(n, need.tolerations).length);
    const why = blocked
      ? `${blocked.name} matches but has the taint ${untolerated(blocked, need.tolerations).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ')} the profile does not tolerate — add a toleration to the profile`
      : `${withResource.length} node(s) have ${need.resource}${withResource.length ? ` (${withResource.slice(0, 3).map((n) => n.name).join(', ')})` : ''} — check the profile's nodeSelector or the node labels`;
    return { ok: false, message: `${need.env}: no schedulable node matches ${where} (models ${models}): ${why}` };
  }
  const fits = eligible.filter((n) => allocatable(n, need.resource) >= need.perPod);
  if (!fits.length) {
    const most = Math.max(...eligible.map((n) => allocatable(n, need.resource)));
    return { ok: false, message: `${need.env}: a pod needs ${need.perPod} × ${need.resource} on one node, but the ${eligible.length} matching ${where} offer at most ${most} each (models ${models})` };
  }
  const total = fits.reduce((s, n) => s + allocatable(n, need.resource), 0);
  if (need.total > total) {
    return { ok: false, message: `${need.env} needs ${need.total} × ${need.resource} on ${where}; ${total} allocatable (${fits.length} node(s); models ${models})` };
  }
  return { ok: true, message: `${need.env} needs ${need.total} × ${need.resource} on ${where}; ${total} allocatable on ${fits.length} node(s)` };
}
