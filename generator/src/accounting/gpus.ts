/**
 * GPU accounting: how many GPUs (or DRA devices) an environment asks for, per resource and
 * profile, and how a change moves that — for `diff` ("prod: +8 nvidia.com/gpu on h100 (16 → 24)")
 * and each environment's README. Replicas × pods per replica (the LeaderWorkerSet group of a
 * multi-node workload) × GPUs per pod, for decode and prefill; autoscaled models at their
 * maximum; stopped models at zero. Pure.
 */
import type { Catalog, Environment, Model, Parallelism } from '../model/types.js';

export interface GpuDemand {
  readonly resource: string;
  /** The profile name, or "-" for models without one. */
  readonly profile: string;
  readonly count: number;
}

export interface GpuChange {
  readonly env: string;
  readonly resource: string;
  readonly profile: string;
  readonly before: number;
  readonly after: number;
}

function podsPerReplica(p: Parallelism, worker: boolean): number {
  if (!worker) return 1;
  if (p.data !== undefined) return Math.max(1, Math.floor(p.data / (p.dataLocal ?? 1)));
  return p.pipeline ?? 1;
}

/** GPUs (or DRA devices) of one model, by resource. */
export function modelGpus(m: Model): { resource: string; count: number } | undefined {
  const dra = m.production.dra;
  const resource = dra ? `dra:${dra.deviceClass}` : m.hardware.resourceName;
  const perPod = dra ? dra.count : m.hardware.gpus;
  if (!resource || perPod === 0) return undefined;
  const replicas = m.stopped ? 0 : m.autoscaling ? m.autoscaling.max : (m.replicas ?? 1);
  let count = replicas * podsPerReplica(m.parallelism, m.worker) * perPod;
  if (m.prefill && !m.stopped) count += (m.prefill.replicas ?? 1) * podsPerReplica(m.prefill.parallelism, m.prefill.worker) * (dra ? dra.count : m.prefill.gpus);
  return { resource, count };
}

export function gpuDemand(env: Environment): GpuDemand[] {
  const totals = new Map<string, GpuDemand>();
  for (const m of env.models) {
    const g = modelGpus(m);
    if (!g) continue;
    const profile = m.profile ?? '-';
    const key = `${g.resource}\u0000${profile}`;
    const had = totals.get(key)?.count ?? 0;
    totals.set(key, { resource: g.resource, profile, count: had + g.count });
  }
  return [...totals.values()].sort((a, b) => (a.resource + a.profile < b.resource + b.profile ? -1 : 1));
}

/** Per environment, resource and profile: the demand that changed. */
export function compareGpuDemand(before: Catalog, after: Catalog): GpuChange[] {
  const rows = new Map<string, { env: string; resource: string; profile: string; before: number; after: number }>();
  const add = (c: Catalog, side: 'before' | 'after') => {
    for (const env of c.environments) {
      for (const d of gpuDemand(env)) {
        const key = `${env.name}\u0000${d.resource}\u0000${d.profile}`;
        const row = rows.get(key) ?? { env: env.name, resource: d.resource, profile: d.profile, before: 0, after: 0 };
        row[side] = d.count;
        rows.set(key, row);
      }
    }
  };
  add(before, 'before');
  add(after, 'after');
  return [...rows.values()].filter((r) => r.before !== r.after).sort((a, b) => (a.env + a.resource + a.profile < b.env + b.resource + b.profile ? -1 : 1));
}

/** "prod: +8 nvidia.com/gpu on h100 (16 → 24)" */
export function phraseGpuChange(c: GpuChange, withEnv = true): string {
  const delta = c.after - c.before;
  const on = c.profile === '-' ? '' : ` on ${c.profile}`;
  return `${withEnv ? `${c.env}: ` : ''}${delta > 0 ? '+' : '-'}${Math.abs(delta)} ${c.resource}${on} (${c.before} → ${c.after})`;
}
