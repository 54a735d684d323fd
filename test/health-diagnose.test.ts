/**
 * `health` that says why (issue 13 §2): for a model that is not Healthy, the first actionable
 * cause from its live children, and the known controller false negatives. Every cause over the
 * pure diagnosis with objects shaped as the API server returns them; end to end through the
 * built CLI and the fake API server for the request budget and the report.
 */
import { describe, expect, it } from 'vitest';
import { diagnoseModel } from '../generator/src/health/diagnose.js';
import { listKey, type Observation } from '../generator/src/health/observation.js';
import type { Verdict } from '../generator/src/health/status.js';
import type { Obj } from './helpers/fake-apiserver.js';
import { allTypes } from './helpers/fake-apiserver-types.js';
import { llmisvc } from './helpers/health-fixtures.js';
import { DEV, runScenario } from './helpers/health-scenario.js';

const NS = 'llm-dev';
const labels = (model: string) => ({ 'app.kubernetes.io/part-of': 'llminferenceservice', 'app.kubernetes.io/name': model, 'kserve.io/component': 'workload' });

function pod(model: string, status: Record<string, unknown>): Obj {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${model}-kserve-7d9f-abcde`, namespace: NS, labels: labels(model) }, spec: {}, status };
}

const unschedulable = (message: string) => pod('chat', { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] });
const waiting = (reason: string, message: string, lastState: Record<string, unknown> = {}) =>
  pod('chat', { phase: 'Running', containerStatuses: [{ name: 'main', image: 'ghcr.io/llm-d/llm-d-cuda:v0.9.9', ready: false, state: { waiting: { reason, message } }, lastState }] });

function job(model: string, conditions: { type: string; status: string; reason?: string; message?: string }[], active = 0): Obj {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: `${model}-download-1a2b`, namespace: NS, labels: { 'llm-gitops/model': model } }, spec: {}, status: { active, failed: 2, conditions } };
}

const accepted = (kind: string, apiVersion: string, status: string, reason = 'Accepted', message = '') =>
  ({ apiVersion, kind, metadata: { name: `chat-${kind.toLowerCase()}`, namespace: NS, labels: labels('chat') }, spec: {}, status: { parents: [{ parentRef: { name: 'x' }, conditions: [{ type: 'Accepted', status, reason, message }] }] } }) as Obj;

function lws(available: boolean): Obj {
  return { apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', metadata: { name: 'chat-kserve-mn', namespace: NS, labels: labels('chat') }, spec: { replicas: 2 }, status: { readyReplicas: available ? 2 : 0, conditions: [{ type: 'Available', status: available ? 'True' : 'False', message: available ? 'All replicas are ready' : 'Waiting for pods' }] } };
}

function gateway(programmed: boolean): Obj {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'kserve-ingress-gateway', namespace: 'kserve' }, spec: { gatewayClassName: 'envoy' }, status: { conditions: [{ type: 'Programmed', status: programmed ? 'True' : 'False', message: programmed ? '' : 'no address assigned' }] } };
}

function observe(objects: Obj[]): Observation {
  const lists = new Map<string, { ok: true; items: Obj[] }>();
  for (const o of objects) {
    const key = listKey(o.kind!, o.metadata.namespace!);
    lists.set(key, { ok: true, items: [...(lists.get(key)?.items ?? []), o] });
  }
  return { lists, requests: 0 };
}

const verdict = (reason = 'MinimumReplicasUnavailable', message = 'starting'): Verdict => ({ env: 'dev', kind: 'LLMInferenceService', namespace: NS, name: 'chat', inCatalog: true, status: 'Progressing', reason, message });
const why = (objects: Obj[], v = verdict()) => diagnoseModel(v, observe(objects));

describe('diagnosis: the first cause a person can act on', () => {
  it('Unschedulable: not enough GPUs, or a taint the profile does not tolerate', () => {
    expect(why([unschedulable('0/5 nodes are available: 3 Insufficient nvidia.com/gpu, 2 node(s) didn\'t match Pod\'s node affinity/selector.')])).toEqual({
      reason: 'Unschedulable',
      message: "pod chat-kserve-7d9f-abcde cannot be scheduled: 0/5 nodes are available: 3 Insufficient nvidia.com/gpu, 2 node(s) didn't match Pod's node affinity/selector. — not enough nvidia.com/gpu on the matching nodes (run llm-gitops preflight)",
    });
    expect(why([unschedulable('0/2 nodes are available: 2 node(s) had untolerated taint {nvidia.com/gpu: present}.')])?.message).toMatch(/— add a toleration for nvidia.com\/gpu: present to the profile$/);
  });

  it('ImagePullBackOff / ErrImagePull name the image; CrashLoopBackOff the last termination', () => {
    expect(why([waiting('ImagePullBackOff', 'Back-off pulling image "ghcr.io/llm-d/llm-d-cuda:v0.9.9"')])).toMatchObject({ reason: 'ImagePullBackOff', message: expect.stringContaining('cannot pull image ghcr.io/llm-d/llm-d-cuda:v0.9.9') });
    expect(why([waiting('ErrImagePull', 'not found')])?.reason).toBe('ErrImagePull');
    expect(why([waiting('CrashLoopBackOff', 'back-off 5m0s', { terminated: { reason: 'OOMKilled', exitCode: 137 } })])).toEqual({
      reason: 'CrashLoopBackOff',
      message: 'pod chat-kserve-7d9f-abcde: container main keeps crashing; last exit: OOMKilled, exit code 137 — raise its memory limit — kubectl logs --previous shows why',
    });
  });

  it('the download Job: failed, or still running (before anything about pods)', () => {
    expect(why([job('chat', [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }]), unschedulable('x')])).toMatchObject({ reason: 'DownloadFailed', message: expect.stringContaining('download Job chat-download-1a2b failed: BackoffLimitExceeded Job has reached the specified backoff limit') });
    expect(why([job('chat', [], 1)])).toMatchObject({ reason: 'Downloading', message: expect.stringContaining('still running (1 active') });
    expect(why([job('chat', [{ type: 'Complete', status: 'True' }])])).toBeUndefined();
  });

  it('LWS not Available; InferencePool / HTTPRoute not Accepted; Gateway not Programmed', () => {
    expect(why([lws(false)])).toMatchObject({ reason: 'LeaderWorkerSetNotAvailable', message: 'LeaderWorkerSet chat-kserve-mn is not Available: Waiting for pods (0/2 groups ready)' });
    expect(why([accepted('InferencePool', 'inference.networking.k8s.io/v1', 'False', 'NotSupportedByParent', 'no extension')])).toMatchObject({ reason: 'InferencePoolNotAccepted', message: 'InferencePool chat-inferencepool is not Accepted by its parent: NotSupportedByParent no extension' });
    expect(why([accepted('HTTPRoute', 'gateway.networking.k8s.io/v1', 'False', 'NotAllowedByListeners')])).toMatchObject({ reason: 'HTTPRouteNotAccepted' });
    expect(why([gateway(false)])).toMatchObject({ reason: 'GatewayNotProgrammed', message: 'Gateway kserve/kserve-ingress-gateway is not Programmed: no address assigned — check the gateway controller' });
    expect(why([gateway(true), accepted('HTTPRoute', 'gateway.networking.k8s.io/v1', 'True')])).toBeUndefined();
  });

  it('known false negatives are said: WaitingForGateway while the route is Accepted (kserve#5986/#6072); LWS status not watched (kserve#6043)', () => {
    expect(why([gateway(true), accepted('HTTPRoute', 'gateway.networking.k8s.io/v1', 'True')], verdict('WaitingForGateway', 'RouterReady is False'))?.message).toMatch(/known controller false negative with a bring-your-own gateway \(kserve#5986, kserve#6072\)/);
    expect(why([lws(true)], verdict('ReconcileMultiNodeWorkloadError', 'WorkerWorkloadReady is False'))?.message).toMatch(/does not watch LeaderWorkerSet status \(kserve#6043\)/);
  });
});

describe.concurrent('health says why (built CLI)', () => {
  it('an unschedulable model: the cause in the report; children listed once per kind in its namespace only', async () => {
    const r = await runScenario({
      fakeOptions: { types: allTypes() },
      setup: (f) => {
        f.put(llmisvc(NS, 'chat', 'progressing'));
        f.put(unschedulable('0/3 nodes are available: 3 Insufficient nvidia.com/gpu.'));
        f.put(pod('embed', { phase: 'Running' }));
        f.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unrelated', namespace: NS, labels: { app: 'other' } }, spec: {}, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'x' }] } });
      },
      args: ['--once'],
    });
    expect(r.code).toBe(4);
    expect(r.of('chat')).toMatchObject({ status: 'Progressing', cause: 'Unschedulable', message: expect.stringMatching(/^pod chat-kserve-7d9f-abcde cannot be scheduled: 0\/3 nodes are available: 3 Insufficient nvidia.com\/gpu\. — not enough nvidia.com\/gpu/) });
    expect(r.of('embed').cause).toBeUndefined();
    // Application(argocd) + LLMInferenceService(llm-dev), then 6 child kinds in llm-dev + Gateways in kserve.
    expect(r.summary.requests).toBe(2 + 6 + 1);
    const pods = r.fake.requests.filter((q) => q.path === '/api/v1/namespaces/llm-dev/pods');
    expect(pods).toHaveLength(1);
    expect(pods[0]!.query.labelSelector).toBe('app.kubernetes.io/part-of=llminferenceservice');
    expect(r.fake.requests.some((q) => /secrets|\/log$/.test(q.path))).toBe(false);
  });

  it('all Ready: no child is listed (the budget stays kinds × namespaces)', async () => {
    const r = await runScenario({ envs: [DEV], fakeOptions: { types: allTypes() }, args: ['--once'] });
    expect(r.code).toBe(0);
    expect(r.summary.requests).toBe(2);
  });
});
