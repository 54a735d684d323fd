/**
 * Why a model is not Healthy, from its live children (pods by KServe's llmisvc labels,
 * Deployments, LeaderWorkerSets, our download Job, InferencePool and HTTPRoute status, the
 * Gateway): the first cause a person can act on, and the controller false negatives we know of.
 * Pure: the children come from the round's lists (listed once per namespace, never per model).
 */
import { KSERVE_NAMESPACE } from '../model/kserve.js';
import { DIAGNOSIS_KINDS, GATEWAY_KIND } from './kinds.js';
import { listKey, type Observation } from './observation.js';
import type { Verdict } from './status.js';

export const PART_OF = 'app.kubernetes.io/part-of=llminferenceservice';

type Cond = { type?: string; status?: string; reason?: string; message?: string };
type O = {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: Record<string, any>;
  status?: Record<string, any> & { conditions?: Cond[] };
};

export interface Cause {
  readonly reason: string;
  readonly message: string;
}

const cond = (o: O | undefined, type: string): Cond | undefined => o?.status?.conditions?.find((c) => c.type === type);

function itemsOf(obs: Observation, kind: string, ns: string): O[] {
  const o = obs.lists.get(listKey(kind, ns));
  return o?.ok ? (o.items as O[]) : [];
}

const ofModel = (model: string) => (o: O) => o.metadata?.labels?.['app.kubernetes.io/name'] === model || o.metadata?.labels?.['llm-gitops/model'] === model;

function podCause(pods: readonly O[]): Cause | undefined {
  for (const p of pods) {
    const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])] as { name?: string; image?: string; state?: any; lastState?: any }[];
    for (const c of statuses) {
      const w = c.state?.waiting;
      if (w?.reason === 'ImagePullBackOff' || w?.reason === 'ErrImagePull') {
        return { reason: w.reason, message: `pod ${p.metadata?.name}: container ${c.name} cannot pull image ${c.image}${w.message ? ` (${w.message})` : ''} — check the image name, tag and pull secret` };
      }
      if (w?.reason === 'CrashLoopBackOff') {
        const t = c.lastState?.terminated;
        const last = t ? `; last exit: ${t.reason ?? 'Error'}, exit code ${t.exitCode}${t.reason === 'OOMKilled' ? ' — raise its memory limit' : ''}` : '';
        return { reason: 'CrashLoopBackOff', message: `pod ${p.metadata?.name}: container ${c.name} keeps crashing${last} — kubectl logs --previous shows why` };
      }
    }
    const scheduled = cond(p, 'PodScheduled');
    if (p.status?.phase === 'Pending' && scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
      const m = scheduled.message ?? '';
      const what = /Insufficient ([\w./-]+)/.exec(m)?.[1];
      const taint = /untolerated taint\(?s?\)?:? ?\{?([^}]*)\}?/.exec(m)?.[1];
      const fix = what ? ` — not enough ${what} on the matching nodes (run llm-gitops preflight)` : taint ? ` — add a toleration for ${taint.trim()} to the profile` : '';
      return { reason: 'Unschedulable', message: `pod ${p.metadata?.name} cannot be scheduled: ${m}${fix}` };
    }
  }
  return undefined;
}

function jobCause(jobs: readonly O[]): Cause | undefined {
  for (const j of jobs) {
    const failed = cond(j, 'Failed');
    if (failed?.status === 'True') return { reason: 'DownloadFailed', message: `download Job ${j.metadata?.name} failed: ${failed.reason ?? ''}${failed.message ? ` ${failed.message}` : ''} — check its pod's logs, the Hugging Face token Secret and the claim's size`.replace(/:\s+—/, ' —') };
    if (cond(j, 'Complete')?.status !== 'True') return { reason: 'Downloading', message: `download Job ${j.metadata?.name} is still running (${j.status?.active ?? 0} active, ${j.status?.failed ?? 0} failed) — the model starts once the weights are on the claim` };
  }
  return undefined;
}

const parentsAccepted = (o: O): Cond | undefined => {
  for (const p of (o.status?.parents ?? []) as { conditions?: Cond[] }[]) {
    const a = p.conditions?.find((c) => c.type === 'Accepted');
    if (a) return a;
  }
  return undefined;
};

/** The first actionable cause for one model, or a recognised false negative. */
export function diagnoseModel(v: Verdict, obs: Observation): Cause | undefined {
  const ns = v.namespace;
  const mine = ofModel(v.name);
  const job = jobCause(itemsOf(obs, DIAGNOSIS_KINDS.Job.kind, ns).filter(mine));
  if (job) return job;
  const pods = podCause(itemsOf(obs, DIAGNOSIS_KINDS.Pod.kind, ns).filter(mine));
  if (pods) return pods;
  const lws = itemsOf(obs, DIAGNOSIS_KINDS.LeaderWorkerSet.kind, ns).filter(mine);
  const lwsAvailable = lws.length > 0 && lws.every((l) => cond(l, 'Available')?.status === 'True');
  const notAvailable = lws.find((l) => cond(l, 'Available')?.status !== 'True');
  if (notAvailable) {
    const a = cond(notAvailable, 'Available');
    return { reason: 'LeaderWorkerSetNotAvailable', message: `LeaderWorkerSet ${notAvailable.metadata?.name} is not Available${a?.message ? `: ${a.message}` : ''} (${notAvailable.status?.readyReplicas ?? 0}/${notAvailable.spec?.replicas ?? '?'} groups ready)` };
  }
  for (const [kind, label] of [[DIAGNOSIS_KINDS.InferencePool.kind, 'InferencePool'], [DIAGNOSIS_KINDS.HTTPRoute.kind, 'HTTPRoute']] as const) {
    for (const o of itemsOf(obs, kind, ns).filter(mine)) {
      const a = parentsAccepted(o);
      if (a && a.status !== 'True') return { reason: `${label}NotAccepted`, message: `${label} ${o.metadata?.name} is not Accepted by its parent: ${a.reason ?? ''}${a.message ? ` ${a.message}` : ''}`.trim() };
    }
  }
  const gateways = itemsOf(obs, GATEWAY_KIND.kind, KSERVE_NAMESPACE);
  const notProgrammed = gateways.find((g) => cond(g, 'Programmed')?.status !== 'True');
  if (notProgrammed) return { reason: 'GatewayNotProgrammed', message: `Gateway ${KSERVE_NAMESPACE}/${notProgrammed.metadata?.name} is not Programmed${cond(notProgrammed, 'Programmed')?.message ? `: ${cond(notProgrammed, 'Programmed')!.message}` : ''} — check the gateway controller` };

  // Known false negatives: the controller says no while the children say yes.
  const routes = itemsOf(obs, DIAGNOSIS_KINDS.HTTPRoute.kind, ns).filter(mine);
  if (v.reason === 'WaitingForGateway' && routes.length && routes.every((r) => parentsAccepted(r)?.status === 'True')) {
    return { reason: 'WaitingForGateway', message: `KServe reports WaitingForGateway, but the HTTPRoute is Accepted by its Gateway — a known controller false negative with a bring-your-own gateway (kserve#5986, kserve#6072); it may well be serving: check with health --probe` };
  }
  if (lwsAvailable && /Worker|MultiNode|LeaderWorkerSet/i.test(`${v.reason} ${v.message}`)) {
    return { reason: v.reason, message: `the LeaderWorkerSet is Available, but KServe has not noticed — the controller does not watch LeaderWorkerSet status (kserve#6043); it catches up on its next resync (${v.message})` };
  }
  return undefined;
}

/** Namespaces whose models need a diagnosis: some LLMInferenceService there is not Ready. */
export function namespacesToDiagnose(obs: Observation, namespaces: readonly string[]): string[] {
  return namespaces.filter((ns) => {
    const o = obs.lists.get(listKey('LLMInferenceService', ns));
    if (!o?.ok) return false;
    return (o.items as O[]).some((m) => cond(m, 'Ready')?.status !== 'True');
  });
}

/** The round's verdicts with the cause of every catalog model that is not Healthy or Suspended. */
export function diagnoseRound(verdicts: readonly Verdict[], obs: Observation): Verdict[] {
  return verdicts.map((v) => {
    if (v.kind !== 'LLMInferenceService' || !v.inCatalog || v.status === 'Healthy' || v.status === 'Suspended' || v.status === 'Missing') return v;
    const cause = diagnoseModel(v, obs);
    return cause ? { ...v, cause: cause.reason, message: `${cause.message} [${v.reason}: ${v.message}]` } : v;
  });
}
