/**
 * The pure verdicts, object by object: LLMInferenceService (hand-written KServe statuses), Argo CD
 * Application and Flux Kustomization (the real upstream status payloads, mutated), revisions.
 */
import { describe, expect, it } from 'vitest';
import { assessLLMISVC, type LLMISVCContext } from '../generator/src/health/assess-llmisvc.js';
import { assessApplication } from '../generator/src/health/assess-argocd.js';
import { assessKustomization, fluxWindowMs } from '../generator/src/health/assess-flux.js';
import { behind, sameCommit, shaOf } from '../generator/src/health/revision.js';
import { parseDuration } from '../generator/src/health/duration.js';
import {
  application,
  kustomization,
  llmisvc,
  NEW_SHA,
  OLD_SHA,
  upstreamApplication,
  upstreamDegradedApplication,
  upstreamKustomization,
} from './helpers/health-fixtures.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const ctx: LLMISVCContext = { now: NOW, windowMs: 180_000, progressDeadlineMs: 900_000, deliveredBy: 'Application argocd/prod-models' };
const running = { stopped: false };

describe('LLMInferenceService', () => {
  it('Ready=True is Healthy, with the URL', () => {
    const a = assessLLMISVC(llmisvc('llm-prod', 'qwen'), running, ctx);
    expect(a).toMatchObject({ status: 'Healthy', reason: 'Ready', url: 'http://gateway.example.com/llm-prod/qwen', generation: 1, observedGeneration: 1 });
    expect(a.message).toBe('serving at http://gateway.example.com/llm-prod/qwen');
  });

  it('without router the URL comes from status.addresses', () => {
    const o = llmisvc('llm-prod', 'qwen') as { status: { url?: string; addresses: { url: string }[] } };
    delete o.status.url;
    o.status.addresses = [{ url: 'http://qwen-kserve-workload-svc.llm-prod.svc.cluster.local' }];
    expect(assessLLMISVC(o, running, ctx).url).toBe('http://qwen-kserve-workload-svc.llm-prod.svc.cluster.local');
  });

  it('missing names where to look', () => {
    expect(assessLLMISVC(undefined, running, ctx)).toMatchObject({ status: 'Missing', reason: 'NotFound' });
    expect(assessLLMISVC(undefined, running, ctx).message).toContain('Application argocd/prod-models');
  });

  it('Ready=False is Degraded with the reason and message of the first failing sub-condition', () => {
    const o = llmisvc('llm-prod', 'qwen', 'degraded') as { status: { conditions: { type: string; status: string; reason?: string; message?: string }[] } };
    // The router fails too; the workload comes first.
    o.status.conditions.push({ type: 'HTTPRoutesReady', status: 'False', reason: 'HTTPRoutesNotReady', message: 'route not accepted' });
    const a = assessLLMISVC(o, running, ctx);
    expect(a).toMatchObject({ status: 'Degraded', reason: 'ProgressDeadlineExceeded' });
    expect(a.message).toBe('MainWorkloadReady is False: ReplicaSet "qwen-kserve-7d9f" has timed out progressing.');
  });

  it('PresetsCombined=False is Degraded even while Ready stays Unknown', () => {
    const a = assessLLMISVC(llmisvc('llm-prod', 'qwen', 'presets-false'), running, ctx);
    expect(a).toMatchObject({ status: 'Degraded', reason: 'ConfigNotFound' });
    expect(a.message).toContain('LLMInferenceServiceConfig "vllm-prod-tuning" not found');
  });

  it('Ready=Unknown is Progressing, and Degraded after the progress deadline', () => {
    const recent = llmisvc('llm-prod', 'qwen', 'progressing', { lastTransitionTime: '2026-01-01T00:05:00Z' });
    expect(assessLLMISVC(recent, running, ctx)).toMatchObject({ status: 'Progressing', reason: 'MinimumReplicasUnavailable' });
    expect(assessLLMISVC(recent, running, ctx).message).toContain('waiting for MainWorkloadReady');
    const old = llmisvc('llm-prod', 'qwen', 'progressing', { lastTransitionTime: '2025-12-31T23:00:00Z' });
    const a = assessLLMISVC(old, running, ctx);
    expect(a.status).toBe('Degraded');
    expect(a.message).toMatch(/^not Ready for 1h10m, past the 15m progress deadline/);
  });

  it('Ready=False while a Deployment is still rolling out is Progressing, until the progress deadline', () => {
    const starting = (since: string) => {
      const o = llmisvc('llm-prod', 'qwen', 'degraded') as { status: { conditions: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[] } };
      for (const c of o.status.conditions) {
        if (c.status === 'False') Object.assign(c, { reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastTransitionTime: since });
      }
      return o;
    };
    const fresh = assessLLMISVC(starting('2026-01-01T00:08:00Z'), running, ctx);
    expect(fresh).toMatchObject({ status: 'Progressing', reason: 'MinimumReplicasUnavailable', message: 'starting: MainWorkloadReady is False: Deployment does not have minimum availability.' });
    const stuck = assessLLMISVC(starting('2026-01-01T00:00:00Z'), running, { ...ctx, progressDeadlineMs: 300_000 });
    expect(stuck).toMatchObject({ status: 'Degraded', reason: 'MinimumReplicasUnavailable' });
    expect(stuck.message).toBe('not Ready for 10m, past the 5m progress deadline: MainWorkloadReady is False: Deployment does not have minimum availability.');
  });

  it('no status yet, a generation not yet observed, and deletion are Progressing', () => {
    expect(assessLLMISVC(llmisvc('n', 'm', 'no-status'), running, ctx)).toMatchObject({ status: 'Progressing', reason: 'NoStatus' });
    expect(assessLLMISVC(llmisvc('n', 'm', 'new-generation'), running, ctx)).toMatchObject({ status: 'Progressing', reason: 'NewGeneration', generation: 2, observedGeneration: 1 });
    expect(assessLLMISVC(llmisvc('n', 'm', 'terminating'), running, ctx)).toMatchObject({ status: 'Progressing', reason: 'Terminating' });
    expect(assessLLMISVC(llmisvc('n', 'm', 'terminating'), running, ctx).message).toContain('serving.kserve.io/llmisvc-finalizer');
  });

  it('a stop the catalog asks for is Suspended; one it does not ask for is Stale; a missing stop too', () => {
    expect(assessLLMISVC(llmisvc('n', 'm', 'stopped'), { stopped: true }, ctx)).toMatchObject({ status: 'Suspended', reason: 'Stopped' });
    expect(assessLLMISVC(llmisvc('n', 'm', 'stopped'), running, ctx)).toMatchObject({ status: 'Stale', reason: 'StoppedInCluster' });
    expect(assessLLMISVC(llmisvc('n', 'm', 'ready'), { stopped: true }, ctx)).toMatchObject({ status: 'Stale', reason: 'NotStopped' });
    // Within the window of an expected push, the same disagreement is Pending.
    const expect_ = { sha: NEW_SHA, pushedAt: NOW - 60_000 };
    expect(assessLLMISVC(llmisvc('n', 'm', 'ready'), { stopped: true }, { ...ctx, expect: expect_ }).status).toBe('Pending');
  });

  it('a model no catalog lists: NotPruned when we made it, NotInCatalog otherwise', () => {
    expect(assessLLMISVC(llmisvc('n', 'old'), undefined, ctx)).toMatchObject({ status: 'Stale', reason: 'NotPruned' });
    expect(assessLLMISVC(llmisvc('n', 'hand', 'ready', { managed: false }), undefined, ctx)).toMatchObject({ status: 'Stale', reason: 'NotInCatalog' });
  });
});

describe('Argo CD Application (upstream v3.5.1 status payload)', () => {
  const actx = { now: NOW };

  it('the upstream example as is: Synced + Healthy at its revision', () => {
    const a = assessApplication(upstreamApplication(), actx);
    expect(a).toMatchObject({ status: 'Healthy', reason: 'Synced', revision: 'rev1' });
  });

  it('the upstream minimal degraded app (status.health only) is Degraded', () => {
    const app = { ...upstreamDegradedApplication(), metadata: { name: 'x', namespace: 'argocd' } };
    expect(assessApplication(app, actx)).toMatchObject({ status: 'Degraded', reason: 'HealthDegraded' });
  });

  it('error conditions, Unknown sync and failed operations are Degraded', () => {
    expect(assessApplication(application('argocd', 'a', { conditions: [{ type: 'ComparisonError', message: 'rpc error: repository not accessible' }] }), actx)).toMatchObject({ status: 'Degraded', reason: 'ComparisonError' });
    // Warnings are not errors.
    expect(assessApplication(application('argocd', 'a', { conditions: [{ type: 'OrphanedResourceWarning', message: 'x' }] }), actx).status).toBe('Healthy');
    expect(assessApplication(application('argocd', 'a', { sync: 'Unknown' }), actx)).toMatchObject({ status: 'Degraded', reason: 'SyncUnknown' });
    const failed = assessApplication(application('argocd', 'a', { phase: 'Failed', opMessage: 'one or more objects failed to apply' }), actx);
    expect(failed).toMatchObject({ status: 'Degraded', reason: 'SyncFailed' });
    expect(failed.message).toContain('one or more objects failed to apply');
  });

  it('a running sync is Progressing; OutOfSync is Progressing with automated sync, Degraded without', () => {
    expect(assessApplication(application('argocd', 'a', { phase: 'Running' }), actx)).toMatchObject({ status: 'Progressing', reason: 'Syncing' });
    expect(assessApplication(application('argocd', 'a', { sync: 'OutOfSync' }), actx)).toMatchObject({ status: 'Progressing', reason: 'OutOfSync' });
    const manual = assessApplication(application('argocd', 'a', { sync: 'OutOfSync', automated: false }), actx);
    expect(manual).toMatchObject({ status: 'Degraded', reason: 'OutOfSync' });
    expect(manual.message).toContain('argocd app sync argocd/a');
  });

  it('app health maps: Progressing, Suspended, Missing, Unknown', () => {
    expect(assessApplication(application('argocd', 'a', { health: 'Progressing' }), actx).status).toBe('Progressing');
    expect(assessApplication(application('argocd', 'a', { health: 'Suspended' }), actx).status).toBe('Suspended');
    expect(assessApplication(application('argocd', 'a', { health: 'Missing' }), actx).status).toBe('Missing');
    expect(assessApplication(application('argocd', 'a', { health: 'Unknown' }), actx)).toMatchObject({ status: 'Degraded', reason: 'HealthUnknown' });
  });

  it('an older revision is Pending inside the window, Stale after; the expected one is Healthy', () => {
    const old = application('argocd', 'a', { revision: OLD_SHA });
    const pushed = (agoMs: number) => ({ now: NOW, expect: { sha: NEW_SHA, pushedAt: NOW - agoMs } });
    expect(assessApplication(old, pushed(60_000))).toMatchObject({ status: 'Pending', reason: 'RevisionBehind' });
    const stale = assessApplication(old, pushed(240_000));
    expect(stale).toMatchObject({ status: 'Stale', reason: 'RevisionBehind', revision: OLD_SHA });
    expect(stale.message).toContain('at ea87599, expected 3f1c2d4');
    expect(stale.message).toContain('past the 3m reconciliation window');
    expect(assessApplication(application('argocd', 'a'), { now: NOW, expect: { sha: NEW_SHA.slice(0, 7), pushedAt: NOW } }).status).toBe('Healthy');
    // A failure stays a failure whatever the revision.
    expect(assessApplication(application('argocd', 'a', { revision: OLD_SHA, phase: 'Failed' }), pushed(240_000)).status).toBe('Degraded');
  });

  it('a missing Application is Missing', () => {
    expect(assessApplication(undefined, actx)).toMatchObject({ status: 'Missing', reason: 'NotFound' });
  });
});

describe('Flux Kustomization (upstream flux2 v2.9.4 status payload)', () => {
  const fctx = { now: NOW };

  it('the upstream example as is: Ready at main@sha1:696f056…', () => {
    const ks = upstreamKustomization();
    const a = assessKustomization(ks, fctx);
    expect(a).toMatchObject({ status: 'Healthy', reason: 'ReconciliationSucceeded', revision: 'main@sha1:696f056df216eea4f9401adbee0ff744d4df390f' });
    expect(assessKustomization(ks, { now: NOW, expect: { sha: '696f056', pushedAt: NOW } }).status).toBe('Healthy');
  });

  it('Stalled is Degraded; Ready=False is Degraded unless Reconciling', () => {
    const stalled = assessKustomization(kustomization('flux-system', 'k', { ready: 'False', reason: 'InvalidCELExpression', stalled: { reason: 'InvalidCELExpression', message: 'failed to parse healthCheckExprs' } }), fctx);
    expect(stalled).toMatchObject({ status: 'Degraded', reason: 'InvalidCELExpression' });
    expect(assessKustomization(kustomization('flux-system', 'k', { ready: 'False', reason: 'BuildFailed', message: 'kustomize build failed' }), fctx)).toMatchObject({ status: 'Degraded', reason: 'BuildFailed' });
    expect(assessKustomization(kustomization('flux-system', 'k', { ready: 'Unknown', reason: 'Progressing', reconciling: true }), fctx)).toMatchObject({ status: 'Progressing', reason: 'Progressing' });
  });

  it('a generation not yet reconciled is Progressing; suspend is Suspended', () => {
    expect(assessKustomization(kustomization('flux-system', 'k', { generation: 3, observedGeneration: 2 }), fctx)).toMatchObject({ status: 'Progressing', reason: 'NewGeneration' });
    expect(assessKustomization(kustomization('flux-system', 'k', { suspend: true }), fctx)).toMatchObject({ status: 'Suspended' });
  });

  it('lastAppliedRevision behind the push: Pending inside interval + one source poll, then Stale', () => {
    const ks = kustomization('flux-system', 'k', { revision: OLD_SHA });
    expect(fluxWindowMs(ks)).toBe(6 * 60_000); // the upstream example's spec.interval is 5m
    expect(assessKustomization(ks, { now: NOW, expect: { sha: NEW_SHA, pushedAt: NOW - 5 * 60_000 } }).status).toBe('Pending');
    const stale = assessKustomization(ks, { now: NOW, expect: { sha: NEW_SHA, pushedAt: NOW - 7 * 60_000 } });
    expect(stale).toMatchObject({ status: 'Stale', reason: 'RevisionBehind' });
    expect(stale.message).toContain('flux reconcile kustomization k -n flux-system --with-source');
  });
});

describe('revisions and durations', () => {
  it('parses both engines’ revision strings', () => {
    expect(shaOf('main@sha1:696f056df216eea4f9401adbee0ff744d4df390f')).toBe('696f056df216eea4f9401adbee0ff744d4df390f');
    expect(shaOf('refs/heads/main@sha1:abcdef1234567')).toBe('abcdef1234567');
    expect(shaOf('sha1:abcdef1234567')).toBe('abcdef1234567');
    expect(shaOf('main/696f056df216eea4f9401adbee0ff744d4df390f')).toBe('696f056df216eea4f9401adbee0ff744d4df390f');
    expect(shaOf(OLD_SHA)).toBe(OLD_SHA);
    expect(shaOf('v1.2.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef')).toHaveLength(64);
    expect(shaOf('rev1')).toBeUndefined();
    expect(sameCommit(OLD_SHA, 'EA87599')).toBe(true);
    expect(sameCommit(OLD_SHA, 'ea8759')).toBe(false); // under 7 characters never matches
    expect(sameCommit('main@sha1:ea87599', OLD_SHA)).toBe(true);
  });

  it('behind() without a push in flight is Stale at once', () => {
    expect(behind(undefined, 180_000, NOW, 'X', 'm').status).toBe('Stale');
  });

  it('parses Go-style durations', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('5 minutes')).toBeUndefined();
  });
});
