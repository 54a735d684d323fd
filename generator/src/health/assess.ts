/**
 * One poll round: the plan (what should exist) and the observation (what the lists returned) →
 * a verdict per object, plus the API problems that kept us from judging some. Pure.
 */
import type { ApiProblem } from '../cluster/problem.js';
import { assessApplication, atRevision } from './assess-argocd.js';
import { assessKustomization, fluxWindowFromInterval } from './assess-flux.js';
import { assessLLMISVC } from './assess-llmisvc.js';
import { KINDS, resourceName, type KindName, type KindRef } from './kinds.js';
import { meta } from './object.js';
import { listKey, type Observation } from './observation.js';
import { deliveryKind, type EnvironmentPlan, type HealthPlan } from './plan.js';
import { ARGO_WINDOW_MS, sameCommit, type Expectation } from './revision.js';
import { path, str } from './object.js';
import type { Assessment, Verdict } from './status.js';

export interface AssessOptions {
  readonly now: number;
  readonly expect?: Expectation;
  /** Ready=Unknown for longer than this is Degraded. */
  readonly progressDeadlineMs: number;
}

export interface RoundResult {
  readonly verdicts: readonly Verdict[];
  /** Lists that failed for a reason other than "kind not installed": the run cannot conclude. */
  readonly problems: readonly ApiProblem[];
}

const INSTALL_HINT: Record<string, string> = {
  Application: 'is Argo CD installed?',
  Kustomization: 'is Flux installed?',
  LLMInferenceService: 'sync the platform (or install KServe llmisvc) first',
};

function byName(items: readonly unknown[]): Map<string, unknown> {
  return new Map(items.map((o) => [meta(o).name, o]));
}

function windowOf(e: EnvironmentPlan, expect: Expectation | undefined): number {
  if (expect?.windowMs !== undefined) return expect.windowMs;
  return e.engine === 'flux' ? fluxWindowFromInterval(e.intervalMs ?? 600_000) : ARGO_WINDOW_MS;
}

export function assessRound(plan: HealthPlan, obs: Observation, opts: AssessOptions): RoundResult {
  const verdicts: Verdict[] = [];
  const problems = new Map<string, ApiProblem>();
  const claimed = new Map<string, Set<string>>();
  for (const e of plan.environments) {
    const names = claimed.get(e.namespace) ?? new Set<string>();
    for (const m of e.models) names.add(m.name);
    claimed.set(e.namespace, names);
  }
  const reportedUnmanaged = new Set<string>();

  /** The objects of a list, or undefined after recording why not (not-installed becomes Missing). */
  const itemsOf = (kind: KindRef<KindName>, namespace: string, expected: readonly string[], env: string): Map<string, unknown> | undefined => {
    const key = listKey(kind.kind, namespace);
    const outcome = obs.lists.get(key);
    if (!outcome) return undefined;
    if (outcome.ok) return byName(outcome.items);
    if (outcome.problem.kind !== 'not-installed') {
      problems.set(key, outcome.problem);
      return undefined;
    }
    for (const name of expected) {
      verdicts.push({
        env, kind: kind.kind, namespace, name, inCatalog: true,
        status: 'Missing', reason: 'NotInstalled',
        message: `${resourceName(kind)}/${kind.version} is not served by this cluster — ${INSTALL_HINT[kind.kind]}`,
      });
    }
    return undefined;
  };

  for (const e of plan.environments) {
    const push = (kind: KindRef<KindName>, namespace: string, name: string, a: Assessment, extra: Partial<Verdict> = {}) =>
      verdicts.push({ env: e.env, kind: kind.kind, namespace, name, inCatalog: true, ...a, ...extra });
    const kind = deliveryKind(e.engine);
    if (kind && e.deliveryNamespace) {
      const ns = e.deliveryNamespace;
      const found = itemsOf(kind, ns, e.delivery, e.env);
      if (found) {
        const pinned = new Set(e.pinned ?? []);
        for (const name of e.delivery) {
          const obj = found.get(name);
          // A unit synced to a chart version (not a commit) is judged without the expected revision.
          const expect = pinned.has(name) ? undefined : opts.expect;
          const a = kind === KINDS.Application
            ? assessApplication(obj, { now: opts.now, ...(expect ? { expect } : {}) })
            : assessKustomization(obj, { now: opts.now, ...(expect ? { expect } : {}), ...(e.intervalMs ? { intervalMs: e.intervalMs } : {}) });
          const sha = expect?.sha;
          const match = sha && obj !== undefined
            ? kind === KINDS.Application ? atRevision(obj, sha) : sameCommit(str(path(obj, 'status', 'lastAppliedRevision')), sha)
            : undefined;
          push(kind, ns, name, a, sha ? { expectedRevision: sha, ...(match !== undefined ? { revisionMatch: match } : {}) } : {});
        }
      }
    }

    const models = itemsOf(KINDS.LLMInferenceService, e.namespace, e.models.map((m) => m.name), e.env);
    if (!models) continue;
    // The models unit (the last before any shard units); a sharded model names its own unit.
    const modelsUnit = e.delivery.find((n) => n === `${e.env}-models`) ?? e.delivery[e.delivery.length - 1];
    const ctx = {
      now: opts.now,
      windowMs: windowOf(e, opts.expect),
      progressDeadlineMs: opts.progressDeadlineMs,
      ...(opts.expect ? { expect: opts.expect } : {}),
      ...(kind && modelsUnit ? { deliveredBy: `${kind.kind} ${e.deliveryNamespace}/${modelsUnit}` } : {}),
    };
    for (const m of e.models) {
      const own = kind && m.unit ? { ...ctx, deliveredBy: `${kind.kind} ${e.deliveryNamespace}/${m.unit}` } : ctx;
      push(KINDS.LLMInferenceService, e.namespace, m.name, assessLLMISVC(models.get(m.name), m, own));
    }
    const extra = [...models.keys()].filter((n) => !claimed.get(e.namespace)?.has(n) && !reportedUnmanaged.has(`${e.namespace}/${n}`)).sort();
    for (const name of extra) {
      reportedUnmanaged.add(`${e.namespace}/${name}`);
      push(KINDS.LLMInferenceService, e.namespace, name, assessLLMISVC(models.get(name), undefined, ctx), { inCatalog: false });
    }
  }
  return { verdicts, problems: [...problems.values()] };
}
