/**
 * The poll loop with an injected clock (sleep advances it), over the pure round assessment, and
 * the four output formats over one report.
 */
import { describe, expect, it } from 'vitest';
import { assessRound } from '../generator/src/health/assess.js';
import { listKey, type ListOutcome, type Observation } from '../generator/src/health/observation.js';
import { listRequests, parsePlan, type HealthPlan } from '../generator/src/health/plan.js';
import { exitCodeOf, FINAL_ROUND_GRACE_MS, poll } from '../generator/src/health/poll.js';
import { formatJson } from '../generator/src/health/report/json.js';
import { formatJunit } from '../generator/src/health/report/junit.js';
import { formatPrometheus, METRICS } from '../generator/src/health/report/prometheus.js';
import { formatTable } from '../generator/src/health/report/table.js';
import { liveFrame, progressLines, redraw } from '../generator/src/health/report/progress.js';
import type { Report } from '../generator/src/health/report/report.js';
import { application, llmisvc, NEW_SHA, OLD_SHA } from './helpers/health-fixtures.js';
import type { Obj } from './helpers/fake-apiserver.js';

const plan: HealthPlan = {
  version: 1,
  environments: [
    { env: 'prod', namespace: 'llm-prod', engine: 'argocd', deliveryNamespace: 'argocd', delivery: ['prod-delivery', 'prod-models'], models: [{ name: 'a', stopped: false }, { name: 'b', stopped: false }] },
  ],
};

function observation(apps: Obj[], models: Obj[], failures: Record<string, ListOutcome> = {}): Observation {
  const lists = new Map<string, ListOutcome>([
    [listKey('Application', 'argocd'), { ok: true, items: apps }],
    [listKey('LLMInferenceService', 'llm-prod'), { ok: true, items: models }],
    ...Object.entries(failures),
  ]);
  return { lists, requests: lists.size };
}

/** A clock that only moves when the loop sleeps. */
function clock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let t = start;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) };
}

const apps = () => [application('argocd', 'prod-delivery'), application('argocd', 'prod-models')];

describe('plan', () => {
  it('lists each kind once per namespace', () => {
    expect(listRequests(plan).map((r) => `${r.kind.kind}/${r.namespace}`)).toEqual(['Application/argocd', 'LLMInferenceService/llm-prod']);
  });
  it('a plan file is validated', () => {
    expect(parsePlan(plan).ok).toBe(true);
    const bad = parsePlan({ version: 1, environments: [{ env: 'x' }] });
    expect(bad.ok).toBe(false);
  });
});

describe('poll', () => {
  it('progressing, then ready within the timeout: stops at the first all-healthy round', async () => {
    const c = clock();
    let round = 0;
    const rounds: string[] = [];
    const r = await poll(
      { timeoutMs: 60_000, intervalMs: 10_000, once: false },
      {
        ...c,
        observe: async () => observation(apps(), [llmisvc('llm-prod', 'a'), llmisvc('llm-prod', 'b', ++round < 3 ? 'progressing' : 'ready')]),
        assess: (obs, now) => assessRound(plan, obs, { now, progressDeadlineMs: 900_000 }),
        onRound: (x) => rounds.push(`${x.n}@${x.elapsedMs}:${exitCodeOf(x)}`),
      },
    );
    expect(r.code).toBe(0);
    expect(rounds).toEqual(['1@0:4', '2@10000:4', '3@20000:0']);
    expect(r.last.verdicts.every((v) => v.status === 'Healthy')).toBe(true);
  });

  it('timeout while progressing: exit 4 after the last round at the deadline', async () => {
    const c = clock();
    const r = await poll(
      { timeoutMs: 25_000, intervalMs: 10_000, once: false },
      {
        ...c,
        observe: async () => observation(apps(), [llmisvc('llm-prod', 'a'), llmisvc('llm-prod', 'b', 'progressing')]),
        assess: (obs, now) => assessRound(plan, obs, { now, progressDeadlineMs: 900_000 }),
      },
    );
    expect(r.code).toBe(4);
    expect(r.last.n).toBe(4); // 0 s, 10 s, 20 s, 25 s
    expect(r.finishedAt - r.startedAt).toBe(25_000);
    expect(r.last.verdicts.find((v) => v.name === 'b')).toMatchObject({ status: 'Progressing', reason: 'MinimumReplicasUnavailable' });
  });

  it('an older revision: Pending inside the window, Stale after, exit 1', async () => {
    const c = clock();
    const statuses: string[] = [];
    const expect_ = { sha: NEW_SHA, pushedAt: c.now(), windowMs: 30_000 };
    const r = await poll(
      { timeoutMs: 60_000, intervalMs: 20_000, once: false },
      {
        ...c,
        observe: async () => observation([application('argocd', 'prod-delivery', { revision: OLD_SHA }), application('argocd', 'prod-models', { revision: OLD_SHA })], [llmisvc('llm-prod', 'a'), llmisvc('llm-prod', 'b')]),
        assess: (obs, now) => assessRound(plan, obs, { now, progressDeadlineMs: 900_000, expect: expect_ }),
        onRound: (x) => statuses.push(x.verdicts.find((v) => v.name === 'prod-models')!.status),
      },
    );
    expect(statuses).toEqual(['Pending', 'Pending', 'Stale', 'Stale']);
    expect(r.code).toBe(1);
    expect(r.last.verdicts.find((v) => v.name === 'prod-models')).toMatchObject({ revisionMatch: false, expectedRevision: NEW_SHA, revision: OLD_SHA });
  });

  it('an API problem ends the run at once with exit 3; not-installed becomes Missing instead', async () => {
    const c = clock();
    const forbidden: ListOutcome = { ok: false, problem: { kind: 'forbidden', verb: 'list', resource: 'applications.argoproj.io', namespace: 'argocd', status: 403, detail: 'no' } };
    const r = await poll(
      { timeoutMs: 60_000, intervalMs: 10_000, once: false },
      {
        ...c,
        observe: async () => observation([], [llmisvc('llm-prod', 'a'), llmisvc('llm-prod', 'b')], { [listKey('Application', 'argocd')]: forbidden }),
        assess: (obs, now) => assessRound(plan, obs, { now, progressDeadlineMs: 900_000 }),
      },
    );
    expect(r.code).toBe(3);
    expect(r.last.n).toBe(1);
    expect(r.last.verdicts.map((v) => v.name)).toEqual(['a', 'b']);

    const notInstalled: ListOutcome = { ok: false, problem: { kind: 'not-installed', verb: 'list', resource: 'applications.argoproj.io', namespace: 'argocd', status: 404, detail: 'x' } };
    const round = assessRound(plan, observation([], [llmisvc('llm-prod', 'a'), llmisvc('llm-prod', 'b')], { [listKey('Application', 'argocd')]: notInstalled }), { now: c.now(), progressDeadlineMs: 1 });
    expect(round.problems).toEqual([]);
    expect(round.verdicts.filter((v) => v.kind === 'Application').map((v) => `${v.status}/${v.reason}`)).toEqual(['Missing/NotInstalled', 'Missing/NotInstalled']);
    expect(exitCodeOf(round)).toBe(1);
  });

  it('each round gets the deadline; the last one, at the deadline, a short grace; a round the deadline cuts keeps the verdict before it', async () => {
    const c = clock();
    const deadlines: number[] = [];
    const cut: ListOutcome = { ok: false, problem: { kind: 'deadline', verb: 'list', resource: 'llminferenceservices.serving.kserve.io', namespace: 'llm-prod', detail: 'the deadline passed' } };
    const r = await poll(
      { timeoutMs: 25_000, intervalMs: 10_000, once: false },
      {
        ...c,
        observe: async (deadline) => {
          deadlines.push(deadline - c.now());
          // The round at the deadline is cut by it.
          return deadlines.length < 4
            ? observation(apps(), [llmisvc('llm-prod', 'a'), llmisvc('llm-prod', 'b', 'progressing')])
            : observation(apps(), [], { [listKey('LLMInferenceService', 'llm-prod')]: cut });
        },
        assess: (obs, now) => assessRound(plan, obs, { now, progressDeadlineMs: 900_000 }),
      },
    );
    expect(deadlines).toEqual([25_000, 15_000, 5_000, FINAL_ROUND_GRACE_MS]);
    expect(r.code).toBe(4); // still progressing at the deadline, as round 3 saw it
    expect(r.last.n).toBe(3);
    expect(r.last.problems).toEqual([]);

    // With nothing complete before it, a cut round is what the run reports: exit 3.
    const once = await poll({ timeoutMs: 10_000, intervalMs: 1000, once: true }, { ...c, observe: async () => observation(apps(), [], { [listKey('LLMInferenceService', 'llm-prod')]: cut }), assess: (obs, now) => assessRound(plan, obs, { now, progressDeadlineMs: 900_000 }) });
    expect(once.code).toBe(3);
  });

  it('a model in the namespace that no catalog lists is reported', () => {
    const round = assessRound(plan, observation(apps(), [llmisvc('llm-prod', 'a'), llmisvc('llm-prod', 'b'), llmisvc('llm-prod', 'zombie')]), { now: 0, progressDeadlineMs: 1 });
    expect(round.verdicts.find((v) => v.name === 'zombie')).toMatchObject({ inCatalog: false, status: 'Stale', reason: 'NotPruned' });
  });
});

describe('reports', () => {
  const verdicts = assessRound(
    plan,
    observation([application('argocd', 'prod-delivery'), application('argocd', 'prod-models', { revision: OLD_SHA })], [llmisvc('llm-prod', 'a'), llmisvc('llm-prod', 'b', 'degraded')]),
    { now: Date.parse('2026-01-01T01:00:00Z'), progressDeadlineMs: 900_000, expect: { sha: NEW_SHA, pushedAt: Date.parse('2026-01-01T00:00:00Z') } },
  ).verdicts;
  const report: Report = { verdicts, problems: [], code: 1, startedAt: Date.parse('2026-01-01T01:00:00Z'), finishedAt: Date.parse('2026-01-01T01:00:02Z'), rounds: 3, requests: 6, expectedRevision: NEW_SHA };

  it('json: one record per object, then a summary', () => {
    const lines = formatJson(report).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    expect(lines.slice(0, 4).map((l) => `${l.name}:${l.status}`)).toEqual(['prod-delivery:Healthy', 'prod-models:Stale', 'a:Healthy', 'b:Degraded']);
    expect(lines[3]).toMatchObject({ type: 'object', kind: 'LLMInferenceService', reason: 'ProgressDeadlineExceeded', inCatalog: true, generation: 1 });
    expect(lines[4]).toMatchObject({ type: 'summary', result: 'failed', exitCode: 1, rounds: 3, requests: 6, durationSeconds: 2, counts: { Healthy: 2, Degraded: 1, Stale: 1 } });
  });

  it('junit: failures per object, a suite per environment', () => {
    const xml = formatJunit(report);
    expect(xml).toContain('<testsuites name="llm-gitops health" tests="4" failures="2" errors="0" skipped="0" time="2.000">');
    expect(xml).toContain('<testcase classname="prod.LLMInferenceService" name="llm-prod/b" time="0">');
    expect(xml).toMatch(/<failure type="Degraded" message="Degraded \(ProgressDeadlineExceeded\): MainWorkloadReady is False: ReplicaSet &quot;b-kserve-7d9f&quot; has timed out progressing.">/);
    expect(xml).toContain('<failure type="Stale"');
  });

  it('prometheus: every documented metric, a state set per object', () => {
    const text = formatPrometheus(report);
    for (const name of Object.keys(METRICS)) expect(text).toContain(`# TYPE ${name} gauge`);
    expect(text).toContain('llm_gitops_health_status{env="prod",kind="LLMInferenceService",namespace="llm-prod",name="b",status="Degraded"} 1');
    expect(text).toContain('llm_gitops_health_status{env="prod",kind="LLMInferenceService",namespace="llm-prod",name="b",status="Healthy"} 0');
    expect(text).toContain('llm_gitops_health_revision_match{env="prod",kind="Application",namespace="argocd",name="prod-models"} 0');
    expect(text).toContain('llm_gitops_health_revision_match{env="prod",kind="Application",namespace="argocd",name="prod-delivery"} 1');
    expect(text).toContain('llm_gitops_health_check_success 1');
    expect(text).toContain('llm_gitops_health_last_run_timestamp_seconds 1767229202');
    // Every sample line parses as name{labels} value.
    for (const line of text.trim().split('\n').filter((l) => !l.startsWith('#'))) expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? -?[0-9.e+]+$/);
  });

  it('table: worst first, then a summary with the exit code', () => {
    const text = formatTable(report);
    const rows = text.split('\n');
    expect(rows[0]).toMatch(/^STATUS\s+ENV\s+KIND\s+NAMESPACE\/NAME\s+REASON\s+MESSAGE$/);
    expect(rows[1]).toMatch(/^Degraded\s+prod\s+LLMInferenceService\s+llm-prod\/b\s+ProgressDeadlineExceeded/);
    expect(rows[2]).toMatch(/^Stale\s+prod\s+Application\s+argocd\/prod-models\s+RevisionBehind/);
    expect(text).toContain('2 Healthy, 1 Degraded, 1 Stale — something is degraded, missing or stale (exit 1; 3 round(s), 6 API request(s), 2.0s)');
  });

  it('live table: worst rows first, at most 30, redrawn in place', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ ...verdicts[2]!, name: `m${String(i).padStart(2, '0')}` }));
    const frame = liveFrame({ verdicts: [...many, verdicts[3]!], problems: [], n: 4, at: 0, elapsedMs: 31_000, requests: 2 }, false);
    expect(frame[1]).toMatch(/^Degraded\s+prod\s+LLMInferenceService\s+llm-prod\/b/);
    expect(frame).toHaveLength(1 + 30 + 2);
    expect(frame.at(-2)).toBe('… and 11 more');
    expect(frame.at(-1)).toBe('round 4, +31.0s: 40 Healthy, 1 Degraded');
    expect(redraw(0, ['a', 'b'])).toBe('a\nb\n');
    expect(redraw(2, ['c'])).toBe('\x1b[2F\x1b[Jc\n');
    expect(liveFrame({ verdicts, problems: [], n: 1, at: 0, elapsedMs: 0, requests: 2 }, true)[1]).toContain('\x1b[31mDegraded');
  });

  it('progress lines: what is not healthy first, then only changes', () => {
    const r1 = { verdicts, problems: [], n: 1, at: 0, elapsedMs: 0, requests: 2 };
    const first = progressLines(undefined, r1);
    expect(first[0]).toBe('round 1 (+0.0s, 2 requests): 2 Healthy, 1 Degraded, 1 Stale');
    expect(first).toHaveLength(3);
    const healed = verdicts.map((v) => (v.name === 'b' ? { ...v, status: 'Healthy' as const, reason: 'Ready', message: 'serving' } : v));
    const second = progressLines(r1, { ...r1, n: 2, elapsedMs: 10_000, verdicts: healed });
    expect(second).toEqual(['round 2 (+10.0s, 2 requests): 3 Healthy, 1 Stale', '  LLMInferenceService llm-prod/b: Degraded → Healthy (Ready) serving']);
  });
});
