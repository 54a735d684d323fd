/**
 * One Flux Kustomization → a verdict (health.md §2): suspend, Stalled, Ready/Reconciling for the
 * current generation, and `lastAppliedRevision` (`<ref>@sha1:<hex>`) against the pushed commit.
 * Ready=True only means "applied" unless the Kustomization waits for health, so the models are
 * judged separately, from their own objects.
 */
import { parseDuration } from './duration.js';
import { condition, explain, meta, num, path, str } from './object.js';
import { behind, sameCommit, short, type Expectation } from './revision.js';
import { FAILED, type Assessment } from './status.js';

export interface FluxContext {
  readonly now: number;
  readonly expect?: Expectation;
  /** Used when the object has no parsable spec.interval. @default 10m, the catalog default */
  readonly intervalMs?: number;
}

/**
 * A push reaches the cluster once the GitRepository fetched it (this repository's poll every
 * minute) and the Kustomization applied it — at once on the new artifact, or at its own
 * `spec.interval` as the backstop: one interval plus one source poll in the worst case.
 */
export const FLUX_SOURCE_POLL_MS = 60_000;

export function fluxWindowFromInterval(intervalMs: number): number {
  return intervalMs + FLUX_SOURCE_POLL_MS;
}

/** The window of a live Kustomization (its spec.interval), or from `fallbackIntervalMs`. */
export function fluxWindowMs(ks: unknown, fallbackIntervalMs = 600_000): number {
  return fluxWindowFromInterval(parseDuration(str(path(ks, 'spec', 'interval')) ?? '') ?? fallbackIntervalMs);
}

function state(ks: unknown, ref: string): Assessment {
  const m = meta(ks);
  if (path(ks, 'spec', 'suspend') === true) {
    return { status: 'Suspended', reason: 'Suspended', message: `suspended — \`flux resume kustomization ${m.name} -n ${m.namespace ?? 'flux-system'}\`` };
  }
  const stalled = condition(ks, 'Stalled');
  if (stalled?.status === 'True') return { status: 'Degraded', reason: stalled.reason ?? 'Stalled', message: `Stalled: ${stalled.message ?? 'a configuration error Flux will not retry'} — fix the Kustomization spec` };
  const ready = condition(ks, 'Ready');
  if (!ready) return { status: 'Progressing', reason: 'NotReconciled', message: 'waiting to be reconciled — is the kustomize-controller running?' };
  const generation = num(meta(ks).generation);
  const seen = num(ready.observedGeneration) || num(path(ks, 'status', 'observedGeneration'));
  if (generation !== undefined && seen !== generation) {
    return { status: 'Progressing', reason: 'NewGeneration', message: `generation ${generation} not yet reconciled (Ready is for ${seen ?? 'none'})` };
  }
  const reconciling = condition(ks, 'Reconciling');
  if (reconciling?.status === 'True') return { status: 'Progressing', reason: reconciling.reason ?? 'Progressing', message: explain(reconciling) || 'reconciling' };
  if (ready.status === 'False') return { status: 'Degraded', reason: ready.reason ?? 'NotReady', message: `Ready is False: ${ready.message ?? 'no message'} — \`flux events --for Kustomization/${ref}\`` };
  if (ready.status !== 'True') return { status: 'Progressing', reason: ready.reason ?? 'Progressing', message: explain(ready) || 'Ready is Unknown' };
  return { status: 'Healthy', reason: ready.reason ?? 'ReconciliationSucceeded', message: ready.message ?? 'Ready' };
}

export function assessKustomization(ks: unknown, ctx: FluxContext): Assessment {
  if (ks === undefined) return { status: 'Missing', reason: 'NotFound', message: 'no such Flux Kustomization — apply the environment\'s delivery manifests' };
  const m = meta(ks);
  const revision = str(path(ks, 'status', 'lastAppliedRevision'));
  const observedGeneration = num(path(ks, 'status', 'observedGeneration'));
  const facts = {
    ...(revision ? { revision } : {}),
    ...(num(m.generation) !== undefined ? { generation: m.generation } : {}),
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  if (m.deletionTimestamp) return { ...facts, status: 'Progressing', reason: 'Deleting', message: `being deleted since ${m.deletionTimestamp}` };
  const verdict = { ...facts, ...state(ks, m.name) };
  if (!ctx.expect || FAILED.has(verdict.status) || sameCommit(revision, ctx.expect.sha)) return verdict;
  // Suspended is deliberate: say that it will not pick the commit up rather than call it stale.
  if (verdict.status === 'Suspended') return { ...verdict, message: `${verdict.message}; it stays at ${short(revision)} and will not apply ${short(ctx.expect.sha)}` };
  const attempted = str(path(ks, 'status', 'lastAttemptedRevision'));
  const tried = sameCommit(attempted, ctx.expect.sha) ? `; it attempted ${short(ctx.expect.sha)} but has not applied it` : '';
  return behind(
    ctx.expect,
    ctx.expect.windowMs ?? fluxWindowMs(ks, ctx.intervalMs),
    ctx.now,
    'RevisionBehind',
    `applied ${short(revision)}, expected ${short(ctx.expect.sha)}${tried} — \`flux reconcile kustomization ${m.name} -n ${m.namespace ?? 'flux-system'} --with-source\``,
    facts,
  );
}
