/**
 * One LLMInferenceService → a verdict, read from the object itself (never from an Argo CD
 * roll-up: Argo CD ≤ 3.5 has no health check for this kind and skips it). Checks, in order:
 * missing, terminating, not in the catalog, no status yet, generation not observed, stop,
 * PresetsCombined, Ready. Pure: the clock comes in `ctx.now`.
 */
import { STARTING_REASONS } from '../model/kserve.js';
import { STOP_ANNOTATION } from '../model/kserve.js';
import { formatDuration } from './duration.js';
import { condition, conditions, explain, meta, num, path, str, type Condition } from './object.js';
import { behind, type Expectation } from './revision.js';
import type { Assessment } from './status.js';

/** What the catalog says about the model; undefined when no catalog lists it. */
export interface ModelExpectation {
  readonly stopped: boolean;
}

export interface LLMISVCContext {
  readonly now: number;
  readonly expect?: Expectation;
  /** Reconciliation window of the environment's delivery engine (for not-yet-pruned or not-yet-stopped objects). */
  readonly windowMs: number;
  /** Ready=Unknown for longer than this is Degraded. */
  readonly progressDeadlineMs: number;
  /** `Application argocd/dev-models` — where to look when the object is missing. */
  readonly deliveredBy?: string;
}

/**
 * Where a Ready=False comes from, most specific first: workloads before the router, sub-conditions
 * before their roll-ups (kserve v1alpha2 llm_inference_service_lifecycle.go).
 */
const FAILURE_ORDER = [
  'MainWorkloadReady',
  'WorkerWorkloadReady',
  'PrefillWorkloadReady',
  'PrefillWorkerWorkloadReady',
  'ScalingReady',
  'PrefillScalingReady',
  'GatewaysReady',
  'HTTPRoutesReady',
  'InferencePoolReady',
  'SchedulerWorkloadReady',
  'WorkloadsReady',
  'RouterReady',
];

/**
 * Reasons of a Ready=False that every model start passes through: KServe copies the Deployment's
 * Available=False reason (MinimumReplicasUnavailable, or Progressing before the Deployment has
 * conditions), and the pool waits for the Gateway. Progressing until the progress deadline, as the
 * Argo CD health check and the Flux health expressions this repository renders also treat them.
 */
const STARTING: ReadonlySet<string> = new Set(STARTING_REASONS);

function firstWith(conds: readonly Condition[], status: string): Condition | undefined {
  for (const type of FAILURE_ORDER) {
    const c = conds.find((x) => x.type === type && x.status === status);
    if (c) return c;
  }
  return undefined;
}

function urlOf(obj: unknown): string | undefined {
  const addresses = path(obj, 'status', 'addresses');
  return str(path(obj, 'status', 'url')) ?? (Array.isArray(addresses) ? str(path(addresses[0], 'url')) : undefined);
}

export function assessLLMISVC(obj: unknown, model: ModelExpectation | undefined, ctx: LLMISVCContext): Assessment {
  if (obj === undefined) {
    const where = ctx.deliveredBy ? ` — check ${ctx.deliveredBy}` : '';
    return { status: 'Missing', reason: 'NotFound', message: `not in the cluster though the catalog lists it${where}` };
  }
  const m = meta(obj);
  const generation = num(m.generation);
  const observedGeneration = num(path(obj, 'status', 'observedGeneration'));
  const url = urlOf(obj);
  const facts = { ...(generation !== undefined ? { generation } : {}), ...(observedGeneration !== undefined ? { observedGeneration } : {}), ...(url ? { url } : {}) };

  if (m.deletionTimestamp) {
    const waiting = m.finalizers?.length ? `; waiting for finalizers ${m.finalizers.join(', ')}` : '';
    return { ...facts, status: 'Progressing', reason: 'Terminating', message: `being deleted since ${m.deletionTimestamp}${waiting}` };
  }
  if (!model) {
    const ours = m.labels?.['app.kubernetes.io/managed-by'] === 'llm-gitops';
    return ours
      ? behind(ctx.expect, ctx.windowMs, ctx.now, 'NotPruned', 'no catalog lists it any more, but it is still in the cluster — let the delivery engine prune it (prune: true) or delete it', facts)
      : behind(ctx.expect, ctx.windowMs, ctx.now, 'NotInCatalog', 'in the environment namespace but in no catalog — add it to catalog.yaml or delete it', facts);
  }

  const conds = conditions(obj);
  if (!conds.length) {
    return { ...facts, status: 'Progressing', reason: 'NoStatus', message: 'the KServe llmisvc controller has not reported any condition yet — is it running?' };
  }
  const ready = condition(obj, 'Ready');
  const readyGen = num(ready?.observedGeneration);
  if (generation !== undefined && (observedGeneration !== generation || (readyGen !== undefined && readyGen !== generation))) {
    return { ...facts, status: 'Progressing', reason: 'NewGeneration', message: `generation ${generation} not yet observed by the controller (it is at ${observedGeneration ?? 'none'})` };
  }

  const stopAnnotation = m.annotations?.[STOP_ANNOTATION] === 'true';
  const stoppedConditions = conds.some((c) => c.reason === 'Stopped');
  if (model.stopped) {
    if (stopAnnotation && stoppedConditions) return { ...facts, status: 'Suspended', reason: 'Stopped', message: `stopped (${STOP_ANNOTATION}=true), as the catalog asks` };
    if (stopAnnotation) return { ...facts, status: 'Progressing', reason: 'Stopping', message: 'stop requested; the controller is scaling it down' };
    return behind(ctx.expect, ctx.windowMs, ctx.now, 'NotStopped', `the catalog stops it, but the cluster object has no ${STOP_ANNOTATION}=true — the delivery engine has not applied the catalog`, facts);
  }
  if (stopAnnotation) {
    return behind(ctx.expect, ctx.windowMs, ctx.now, 'StoppedInCluster', `stopped in the cluster (${STOP_ANNOTATION}=true) but the catalog wants it running — sync pending, or someone stopped it by hand`, facts);
  }
  if (stoppedConditions && ready?.status !== 'True') {
    return { ...facts, status: 'Progressing', reason: 'Starting', message: 'starting again after a stop' };
  }

  const presets = condition(obj, 'PresetsCombined');
  if (presets?.status === 'False') {
    return { ...facts, status: 'Degraded', reason: presets.reason ?? 'PresetsCombinedFalse', message: `PresetsCombined is False: ${explain(presets) || 'the presets could not be merged'} — check spec.baseRefs and the LLMInferenceServiceConfigs` };
  }
  if (ready?.status === 'True') {
    return { ...facts, status: 'Healthy', reason: 'Ready', message: url ? `serving at ${url}` : 'Ready (no URL reported)' };
  }
  const since = ready?.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  const overdue = Number.isFinite(since) && ctx.now - since > ctx.progressDeadlineMs;
  const late = (detail: string) => `not Ready for ${formatDuration(ctx.now - since)}, past the ${formatDuration(ctx.progressDeadlineMs)} progress deadline: ${detail}`;
  if (ready?.status === 'False') {
    const cause = firstWith(conds, 'False') ?? ready;
    const reason = cause.reason ?? `${cause.type}False`;
    const detail = `${cause.type} is False${cause.message ? `: ${cause.message}` : ''}`;
    if (!STARTING.has(reason)) return { ...facts, status: 'Degraded', reason, message: detail };
    return { ...facts, status: overdue ? 'Degraded' : 'Progressing', reason, message: overdue ? late(detail) : `starting: ${detail}` };
  }
  const waitingOn = firstWith(conds, 'Unknown');
  const detail = [ready ? `Ready is Unknown${ready.reason ? ` (${explain(ready)})` : ''}` : 'no Ready condition yet', waitingOn ? `waiting for ${waitingOn.type}${waitingOn.reason ? ` (${explain(waitingOn)})` : ''}` : ''].filter(Boolean).join('; ');
  if (overdue) return { ...facts, status: 'Degraded', reason: ready?.reason ?? 'ProgressDeadlineExceeded', message: late(detail) };
  return { ...facts, status: 'Progressing', reason: ready?.reason ?? waitingOn?.reason ?? 'NotReady', message: detail };
}
