/**
 * What should exist, from the catalogs: per environment the delivery objects and every model.
 * Serialisable, because the scheduled job reads it from a ConfigMap the generator renders next
 * to it (so the job checks exactly what its revision of the catalog asks for, without git
 * access and without rebuilding its image for every catalog change).
 */
import { z } from '../catalog/zod.js';
import { deliveryNames } from '../model/delivery-names.js';
import { unitOfModel } from '../sharding/assign.js';
import type { DeliveryEngine, Environment } from '../model/types.js';
import { parseDuration } from './duration.js';
import { KINDS, type KindName, type KindRef } from './kinds.js';
import { unitName, unitsOf } from '../prerequisites/units.js';

export interface PlannedModel {
  readonly name: string;
  readonly stopped: boolean;
  /** The delivery unit of a model of a sharded environment (`<env>-models-<nn>`); else the models unit. */
  readonly unit?: string;
}

export interface EnvironmentPlan {
  readonly env: string;
  /** Namespace of the models. */
  readonly namespace: string;
  readonly engine: DeliveryEngine;
  /** Namespace of the Argo CD Applications / Flux Kustomizations (absent for engine none). */
  readonly deliveryNamespace?: string;
  /** Application / Kustomization names, in sync order (root, prerequisite units, platform, models, shards). */
  readonly delivery: readonly string[];
  /**
   * Units whose source is not this repository (Argo CD Helm charts from a registry): they sync to
   * a chart version, never to a commit, so `--expect-revision` does not apply to them.
   */
  readonly pinned?: readonly string[];
  /** Flux reconcile interval in ms (for the default reconciliation window). */
  readonly intervalMs?: number;
  readonly models: readonly PlannedModel[];
}

export interface HealthPlan {
  readonly version: 1;
  readonly environments: readonly EnvironmentPlan[];
}

export function planEnvironment(env: Environment): EnvironmentPlan {
  const engine = env.delivery.engine;
  const units = unitOfModel(env);
  // The prerequisite units sync first, after the root that delivers them (prerequisites/units.ts).
  const prerequisites = engine === 'none' ? [] : unitsOf(env);
  const [root, ...rest] = deliveryNames(env);
  const pinned = engine === 'argocd' ? prerequisites.filter((u) => u.source.type === 'chart' && !u.source.vendored).map((u) => unitName(env, u)) : [];
  return {
    env: env.name,
    namespace: env.namespace,
    engine,
    ...(engine === 'none' ? {} : { deliveryNamespace: env.delivery.namespace }),
    delivery: root === undefined ? [] : [root, ...prerequisites.map((u) => unitName(env, u)), ...rest],
    ...(pinned.length ? { pinned } : {}),
    ...(engine === 'flux' ? { intervalMs: parseDuration(env.delivery.interval) ?? 600_000 } : {}),
    models: env.models.map((m) => ({ name: m.name, stopped: m.stopped, ...(units.has(m.name) ? { unit: units.get(m.name)! } : {}) })),
  };
}

export function planHealth(envs: readonly Environment[]): HealthPlan {
  return { version: 1, environments: envs.map(planEnvironment) };
}

/** The delivery kind of an engine. */
export function deliveryKind(engine: DeliveryEngine): KindRef<KindName> | undefined {
  return engine === 'argocd' ? KINDS.Application : engine === 'flux' ? KINDS.Kustomization : undefined;
}

export interface ListRequest {
  readonly kind: KindRef;
  readonly namespace: string;
}

/**
 * The lists one round makes: each kind once per namespace that holds something we expect,
 * however many objects — the request budget does not grow with the number of models.
 */
export function listRequests(plan: HealthPlan): ListRequest[] {
  const seen = new Map<string, ListRequest>();
  const add = (kind: KindRef, namespace: string) => seen.set(`${kind.kind}/${namespace}`, { kind, namespace });
  for (const e of plan.environments) {
    add(KINDS.LLMInferenceService, e.namespace);
    const kind = deliveryKind(e.engine);
    if (kind && e.deliveryNamespace) add(kind, e.deliveryNamespace);
  }
  return [...seen.values()].sort((a, b) => (a.kind.kind + a.namespace < b.kind.kind + b.namespace ? -1 : 1));
}

const planSchema = z.strictObject({
  version: z.literal(1),
  environments: z.array(
    z.strictObject({
      env: z.string().min(1),
      namespace: z.string().min(1),
      engine: z.enum(['argocd', 'flux', 'none']),
      deliveryNamespace: z.string().min(1).optional(),
      delivery: z.array(z.string().min(1)),
      pinned: z.array(z.string().min(1)).optional(),
      intervalMs: z.number().positive().optional(),
      models: z.array(z.strictObject({ name: z.string().min(1), stopped: z.boolean(), unit: z.string().min(1).optional() })),
    }),
  ),
});

/** A plan file (from the health job's ConfigMap) → HealthPlan, or the reason it is not one. */
export function parsePlan(data: unknown): { ok: true; plan: HealthPlan } | { ok: false; message: string } {
  const r = planSchema.safeParse(data);
  return r.success ? { ok: true, plan: r.data as HealthPlan } : { ok: false, message: z.prettifyError(r.error) };
}
