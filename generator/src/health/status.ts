/**
 * The verdict vocabulary. Every checked object gets one of seven statuses and a reason a person
 * can act on; the run's exit code follows from the worst of them.
 */
import type { KindName } from './kinds.js';

/**
 * - Healthy: as the catalog asks, serving / synced.
 * - Progressing: moving towards it (rollout, sync running, generation not yet observed).
 * - Degraded: failed; needs a person (Ready=False, sync failed, Stalled, PresetsCombined=False).
 * - Suspended: deliberately paused (stopped model, suspended Kustomization). Not a failure.
 * - Missing: the catalog says it should exist; the cluster has no such object (or no such kind).
 * - Pending: behind the expected revision, still inside the reconciliation window.
 * - Stale: the cluster disagrees with git and the window has passed (older revision, an object
 *   the catalog no longer lists, a stop the catalog does not ask for).
 */
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Pending' | 'Stale';

export const STATUSES: readonly HealthStatus[] = ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Pending', 'Stale'];

/** Statuses that end a run successfully. */
export const SETTLED_OK: ReadonlySet<HealthStatus> = new Set(['Healthy', 'Suspended']);
/** Statuses that fail a run (exit 1). */
export const FAILED: ReadonlySet<HealthStatus> = new Set(['Degraded', 'Missing', 'Stale']);

/** What assess says about one object. */
export interface Assessment {
  readonly status: HealthStatus;
  /** A short CamelCase code (the upstream reason when there is one). */
  readonly reason: string;
  /** One sentence: what is wrong and what to do. */
  readonly message: string;
  readonly url?: string;
  /** The revision the delivery object is at (Argo sync.revision, Flux lastAppliedRevision). */
  readonly revision?: string;
  readonly generation?: number;
  readonly observedGeneration?: number;
}

/** An assessment with the object it is about. */
export interface Verdict extends Assessment {
  readonly env: string;
  readonly kind: KindName;
  readonly namespace: string;
  readonly name: string;
  /** False for an object found in the cluster that no catalog lists. */
  readonly inCatalog: boolean;
  readonly expectedRevision?: string;
  /** Delivery objects with --expect-revision: is it at that commit? */
  readonly revisionMatch?: boolean;
  /** Models not Healthy: the actionable cause found in their live children (health/diagnose.ts). */
  readonly cause?: string;
  /** --probe: how long the request to the model took. */
  readonly latencyMs?: number;
}
