/**
 * `llm-gitops health` as CI and the scheduled job run it: the built CLI against the fake API
 * server, one scenario per situation the issue names, each asserting the exit code and the
 * verdict of every object involved.
 */
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { application, catalogText, kustomization, llmisvc, NEW_SHA, OLD_SHA } from './helpers/health-fixtures.js';
import { DEV, EDGE, runScenario } from './helpers/health-scenario.js';
import { healthTypes } from './helpers/fake-apiserver-types.js';

const LLM = 'serving.kserve.io/v1alpha2';

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.concurrent('health scenarios', () => {
  it('all ready (Argo CD and Flux environments): exit 0, every object Healthy, one list per kind and namespace', async () => {
    const r = await runScenario({ envs: [DEV, EDGE], args: ['--once'] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.verdicts.map((v) => `${v.kind} ${v.namespace}/${v.name} ${v.status}`)).toEqual([
      'Application argocd/dev-delivery Healthy',
      'Application argocd/dev-platform Healthy',
      'Application argocd/dev-models Healthy',
      'LLMInferenceService llm-dev/chat Healthy',
      'LLMInferenceService llm-dev/embed Healthy',
      'Kustomization flux-system/edge-delivery Healthy',
      'Kustomization flux-system/edge-models Healthy',
      'LLMInferenceService llm-edge/small Healthy',
    ]);
    expect(r.of('chat')).toMatchObject({ reason: 'Ready', url: 'http://gateway.example.com/llm-dev/chat' });
    expect(r.summary).toMatchObject({ result: 'healthy', exitCode: 0, rounds: 1, requests: 4 });
    expect(r.fake.dataRequests.map((q) => q.path).sort()).toEqual([
      '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications',
      '/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations',
      '/apis/serving.kserve.io/v1alpha2/namespaces/llm-dev/llminferenceservices',
      '/apis/serving.kserve.io/v1alpha2/namespaces/llm-edge/llminferenceservices',
    ]);
  });

  it('progressing, then ready within the timeout: exit 0 after several rounds, progress on stderr', async () => {
    const r = await runScenario({
      setup: (f) => f.put(llmisvc('llm-dev', 'chat', 'progressing')),
      // Ready after the second round has listed the models.
      during: (f) => void f.when((q) => q.path.endsWith('/llm-dev/llminferenceservices'), 2).then(() => f.put(llmisvc('llm-dev', 'chat', 'ready'))),
      args: ['--timeout', '30s', '--interval', '300ms'],
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.of('chat')).toMatchObject({ status: 'Healthy' });
    expect(r.summary.rounds).toBeGreaterThan(1);
    // 2 lists, then (a model is not Ready) its children: 6 kinds in llm-dev + the Gateways in kserve.
    expect(r.stderr).toMatch(/round 1 \(\+[\d.]+s, 9 requests\): 4 Healthy, 1 Progressing/);
    expect(r.stderr).toContain('LLMInferenceService llm-dev/chat: Progressing (MinimumReplicasUnavailable)');
    expect(r.stderr).toContain('LLMInferenceService llm-dev/chat: Progressing → Healthy (Ready) serving at http://gateway.example.com/llm-dev/chat');
  });

  it('a degraded model: exit 1 with the reason and message of the failing workload', async () => {
    const r = await runScenario({ setup: (f) => f.put(llmisvc('llm-dev', 'chat', 'degraded')), args: ['--once'] });
    expect(r.code).toBe(1);
    expect(r.of('chat')).toMatchObject({ status: 'Degraded', reason: 'ProgressDeadlineExceeded', message: 'MainWorkloadReady is False: ReplicaSet "chat-kserve-7d9f" has timed out progressing.' });
    expect(r.of('embed').status).toBe('Healthy');
    expect(r.summary).toMatchObject({ result: 'failed', counts: { Degraded: 1, Healthy: 4 } });
  });

  it('a missing model: exit 1, Missing, pointing at the Application that should deliver it', async () => {
    const r = await runScenario({ setup: (f) => f.remove(LLM, 'LLMInferenceService', 'llm-dev', 'embed'), args: ['--once'] });
    expect(r.code).toBe(1);
    expect(r.of('embed')).toMatchObject({ status: 'Missing', reason: 'NotFound', message: 'not in the cluster though the catalog lists it — check Application argocd/dev-models' });
  });

  it('a stopped model the catalog stops: Suspended, exit 0; stopped against the catalog: Stale, exit 1', async () => {
    const stopped = await runScenario({
      catalog: (e) => catalogText(e, { stopped: ['embed'] }),
      setup: (f) => f.put(llmisvc('llm-dev', 'embed', 'stopped')),
      args: ['--once'],
    });
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.of('embed')).toMatchObject({ status: 'Suspended', reason: 'Stopped' });
    const drift = await runScenario({ setup: (f) => f.put(llmisvc('llm-dev', 'embed', 'stopped')), args: ['--once'] });
    expect(drift.code).toBe(1);
    expect(drift.of('embed')).toMatchObject({ status: 'Stale', reason: 'StoppedInCluster' });
  });

  it('PresetsCombined=False: exit 1, Degraded with the config that is not found', async () => {
    const r = await runScenario({ setup: (f) => f.put(llmisvc('llm-dev', 'chat', 'presets-false')), args: ['--once'] });
    expect(r.code).toBe(1);
    expect(r.of('chat')).toMatchObject({ status: 'Degraded', reason: 'ConfigNotFound' });
    expect(r.of('chat').message).toContain('LLMInferenceServiceConfig "vllm-prod-tuning" not found');
  });

  it('Argo CD OutOfSync: Progressing (exit 4) with automated sync, Degraded (exit 1) without', async () => {
    const auto = await runScenario({ setup: (f) => f.put(application('argocd', 'dev-models', { sync: 'OutOfSync' })), args: ['--once'] });
    expect(auto.code).toBe(4);
    expect(auto.of('dev-models')).toMatchObject({ status: 'Progressing', reason: 'OutOfSync' });
    const manual = await runScenario({ setup: (f) => f.put(application('argocd', 'dev-models', { sync: 'OutOfSync', automated: false })), args: ['--once'] });
    expect(manual.code).toBe(1);
    expect(manual.of('dev-models')).toMatchObject({ status: 'Degraded', reason: 'OutOfSync', message: 'OutOfSync and automated sync is off — run `argocd app sync argocd/dev-models`' });
  });

  it('synced to an older revision: Pending inside the reconciliation window, then Stale, exit 1', async () => {
    const r = await runScenario({
      setup: (f) => {
        for (const u of ['dev-delivery', 'dev-platform', 'dev-models']) f.put(application('argocd', u, { revision: OLD_SHA }));
      },
      args: ['--expect-revision', NEW_SHA, '--reconcile-window', '4s', '--interval', '400ms', '--timeout', '10s'],
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Application argocd\/dev-models: Pending \(RevisionBehind\) at ea87599, expected 3f1c2d4/);
    expect(r.stderr).toContain('Application argocd/dev-models: Pending → Stale (RevisionBehind)');
    expect(r.of('dev-models')).toMatchObject({ status: 'Stale', reason: 'RevisionBehind', revision: OLD_SHA, expectedRevision: NEW_SHA, revisionMatch: false });
    expect(r.of('chat').status).toBe('Healthy');
  });

  it('an older revision that catches up inside the window: Pending, then Healthy, exit 0', async () => {
    const r = await runScenario({
      setup: (f) => {
        for (const u of ['dev-delivery', 'dev-platform', 'dev-models']) f.put(application('argocd', u, { revision: OLD_SHA }));
      },
      during: (f) =>
        void f.when((q) => q.path.endsWith('/argocd/applications'), 2).then(() => ['dev-delivery', 'dev-platform', 'dev-models'].forEach((u) => f.put(application('argocd', u, { revision: NEW_SHA })))),
      args: ['--expect-revision', NEW_SHA.slice(0, 12), '--interval', '300ms', '--timeout', '30s'],
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Application argocd/dev-models: Pending → Healthy (Synced)');
    expect(r.of('dev-models')).toMatchObject({ status: 'Healthy', revisionMatch: true, revision: NEW_SHA });
  });

  it('Flux Stalled: exit 1, Degraded with the stall reason', async () => {
    const r = await runScenario({
      envs: [EDGE],
      setup: (f) => f.put(kustomization('flux-system', 'edge-models', { ready: 'False', reason: 'InvalidCELExpression', message: 'invalid healthCheckExprs', stalled: { reason: 'InvalidCELExpression', message: 'failed to parse CEL expression' } })),
      args: ['--once'],
    });
    expect(r.code).toBe(1);
    expect(r.of('edge-models')).toMatchObject({ status: 'Degraded', reason: 'InvalidCELExpression', message: 'Stalled: failed to parse CEL expression — fix the Kustomization spec' });
    expect(r.of('edge-delivery').status).toBe('Healthy');
  });

  it('403 on one kind: exit 3 at once (even while polling), saying which verb on which resource; the rest is still reported', async () => {
    const r = await runScenario({ setup: (f) => f.fault('/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', 403), args: ['--timeout', '60s'] });
    expect(r.code).toBe(3);
    // "At once": one round of lists, no second poll — and far from the 60 s --timeout it would
    // otherwise wait out (a wall-clock bound only that loose, so a loaded machine cannot fail it).
    const rounds = new Map<string, number>();
    for (const q of r.fake.requests) rounds.set(q.path, (rounds.get(q.path) ?? 0) + 1);
    expect([...rounds].filter(([, n]) => n > 1)).toEqual([]);
    expect(r.ms).toBeLessThan(45_000);
    expect(r.stderr).toContain('error: cannot check the cluster: forbidden: list applications.argoproj.io in namespace argocd — applications.argoproj.io is forbidden: User "system:serviceaccount:llm-prod:llm-gitops-health" cannot list resource "applications"');
    expect(r.summary).toMatchObject({ result: 'unchecked', exitCode: 3, problems: [{ kind: 'forbidden', verb: 'list', resource: 'applications.argoproj.io', namespace: 'argocd', status: 403 }] });
    expect(r.verdicts.map((v) => `${v.name}:${v.status}`)).toEqual(['chat:Healthy', 'embed:Healthy']);
    // 403 is not retried.
    expect(r.fake.requests.filter((q) => q.path.endsWith('/applications')).map((q) => q.status)).toEqual([403]);
  });

  it('500s (and a 429) then recovery: retried with backoff, exit 0', async () => {
    const path = '/apis/serving.kserve.io/v1alpha2/namespaces/llm-dev/llminferenceservices';
    const r = await runScenario({ setup: (f) => f.fault(path, 500, { status: 429, retryAfter: 0 }, 503), args: ['--once'] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.fake.requests.filter((q) => q.path === path).map((q) => q.status)).toEqual([500, 429, 503, 200]);
    expect(r.summary.requests).toBe(5);
  });

  it('500s that do not stop: exit 3 after the retries, as a server error', async () => {
    const path = '/apis/serving.kserve.io/v1alpha2/namespaces/llm-dev/llminferenceservices';
    const r = await runScenario({ setup: (f) => f.fault(path, 500, 500, 500, 500, 500), args: ['--once'] });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('API server error: list llminferenceservices.serving.kserve.io in namespace llm-dev — Internal error occurred: etcdserver: request timed out');
    expect(r.fake.requests.filter((q) => q.path === path)).toHaveLength(4);
  });

  it('cluster unreachable: exit 3, naming the server', async () => {
    const port = await closedPort();
    const r = await runScenario({ server: `http://127.0.0.1:${port}`, args: ['--once'] });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`cluster unreachable: list (applications\\.argoproj\\.io in namespace argocd|llminferenceservices\\.serving\\.kserve\\.io in namespace llm-dev) — http://127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
    expect(r.summary.problems[0]).toMatchObject({ kind: 'unreachable' });
  });

  it('a rejected token: exit 3, unauthorised', async () => {
    const r = await runScenario({ token: 'expired-token', args: ['--once'] });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('unauthorised (the credentials were rejected): list');
  });

  it('timeout while progressing: exit 4, the model Progressing', async () => {
    const r = await runScenario({ setup: (f) => f.put(llmisvc('llm-dev', 'chat', 'progressing')), args: ['--timeout', '3s', '--interval', '250ms'] });
    expect(r.code).toBe(4);
    expect(r.of('chat')).toMatchObject({ status: 'Progressing', reason: 'MinimumReplicasUnavailable' });
    expect(r.summary).toMatchObject({ result: 'progressing', exitCode: 4 });
    expect(r.summary.rounds).toBeGreaterThanOrEqual(3);
  });

  it('the LLMInferenceService CRD not installed: every model Missing with why, exit 1', async () => {
    const withModels = await runScenario({
      fakeOptions: { types: healthTypes().filter((t) => t.kind !== 'LLMInferenceService') },
      envs: [{ ...EDGE, models: [] }],
      catalog: () => catalogText(EDGE),
      args: ['--once'],
    });
    expect(withModels.code).toBe(1);
    expect(withModels.of('small')).toMatchObject({ status: 'Missing', reason: 'NotInstalled', message: 'llminferenceservices.serving.kserve.io/v1alpha2 is not served by this cluster — sync the platform (or install KServe llmisvc) first' });
  });

  it('a model in the cluster but in no catalog is reported (Stale), with the others Healthy', async () => {
    const r = await runScenario({ setup: (f) => f.put(llmisvc('llm-dev', 'experiment', 'ready', { managed: false })), args: ['--once'] });
    expect(r.code).toBe(1);
    expect(r.of('experiment')).toMatchObject({ status: 'Stale', reason: 'NotInCatalog', inCatalog: false });
    expect(r.of('chat').status).toBe('Healthy');
  });

  it('usage errors exit 2', async () => {
    expect((await runScenario({ args: ['--env', 'nope'] })).code).toBe(2);
    expect((await runScenario({ args: ['--output', 'xml'] })).code).toBe(2);
    expect((await runScenario({ args: ['--interval', 'soon'] })).code).toBe(2);
    const ctx = await runScenario({ args: ['--context', 'elsewhere'] });
    expect(ctx.code).toBe(2);
    expect(ctx.stderr).toContain('--context elsewhere: no such context (known: fake)');
  });

  it('Flux: a Kustomization behind the pushed commit that attempted it says so', async () => {
    const r = await runScenario({
      envs: [EDGE],
      setup: (f) =>
        f.update('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'flux-system', 'edge-models', (o) => {
          const s = o.status as Record<string, string>;
          s.lastAppliedRevision = `main@sha1:${OLD_SHA}`;
          s.lastAttemptedRevision = `main@sha1:${NEW_SHA}`;
        }),
      args: ['--once', '--expect-revision', NEW_SHA, '--pushed-at', String(Math.floor(Date.now() / 1000) - 3600)],
    });
    expect(r.code).toBe(1);
    expect(r.of('edge-models')).toMatchObject({ status: 'Stale', reason: 'RevisionBehind' });
    expect(r.of('edge-models').message).toContain('it attempted 3f1c2d4 but has not applied it');
    expect(r.of('edge-delivery')).toMatchObject({ status: 'Healthy', revisionMatch: true });
  });
});
