/**
 * `health`: did the delivery engine sync what we pushed, and is every catalog model serving?
 * Plan (catalogs or the job's plan file) → poll rounds of lists (cluster/) → verdicts (health/)
 * → one report in the chosen format. Prints nothing itself: progress goes to `io.progress`.
 */
import { connect } from '../cluster/client.js';
import { mapLimit } from '../concurrency.js';
import { redactDeep } from '../cluster/redact.js';
import { loadRepository } from '../catalog/repository.js';
import { readCatalogs, readLibrary, readOptional } from '../disk/files.js';
import { UsageError, UserError } from '../errors.js';
import { assessRound } from '../health/assess.js';
import { diagnoseRound, namespacesToDiagnose, PART_OF } from '../health/diagnose.js';
import { DIAGNOSIS_KINDS, GATEWAY_KIND, type KindRef } from '../health/kinds.js';
import { KSERVE_NAMESPACE } from '../model/kserve.js';
import { listKey, type ListOutcome, type Observation } from '../health/observation.js';
import { listRequests, parsePlan, planHealth, type HealthPlan } from '../health/plan.js';
import { exitCodeOf, poll, type Round } from '../health/poll.js';
import type { Verdict } from '../health/status.js';
import { probeAll, probeUrl } from '../probe/probe.js';
import { formatJson } from '../health/report/json.js';
import { formatJunit } from '../health/report/junit.js';
import { formatPrometheus } from '../health/report/prometheus.js';
import { liveFrame, progressLines, redraw } from '../health/report/progress.js';
import type { Report } from '../health/report/report.js';
import { formatTable } from '../health/report/table.js';
import { PLAN_KEY } from '../render/health-job.js';
import { parse as parseYaml } from 'yaml';
import { isSha, type Expectation } from '../health/revision.js';
import type { ApiProblem } from '../cluster/problem.js';
import { selectEnvironments } from './workspace.js';

export type HealthOutput = 'table' | 'json' | 'junit' | 'prometheus';

export interface HealthOptions {
  readonly root: string;
  readonly envs: readonly string[];
  /** A plan file (the health job's ConfigMap) instead of the catalogs. */
  readonly planFile?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly once: boolean;
  readonly expectRevision?: string;
  /** When the expected revision was pushed (ms since epoch). @default the start of this run */
  readonly pushedAt?: number;
  /** Overrides the engines' reconciliation windows (Argo CD 3m, Flux interval + 1m). */
  readonly reconcileWindowMs?: number;
  readonly progressDeadlineMs: number;
  readonly requestTimeoutMs: number;
  readonly pageSize?: number;
  /** Pages of one list at most. @default 200 */
  readonly maxPages?: number;
  /** Bytes of one API response at most. @default 64 MiB */
  readonly maxResponseBytes?: number;
  readonly output: HealthOutput;
  readonly color: boolean;
  /** Send a request to every Ready model at the end of the run. */
  readonly probe?: boolean;
  /** Origin to send probes to instead of the model's own URL host. */
  readonly probeUrl?: string;
  readonly probeTimeoutMs?: number;
  readonly probeTokenFile?: string;
}

export interface HealthIO {
  /** Receives progress text (already newline-terminated). */
  readonly progress?: (text: string) => void;
  /** Redraw a live table instead of appending lines (stderr is a terminal). */
  readonly live?: boolean;
  /** Terminal width for the live table. */
  readonly columns?: number;
}

export interface HealthRun {
  readonly code: 0 | 1 | 3 | 4;
  readonly output: string;
  readonly problems: readonly ApiProblem[];
}

/** Served model ids by `namespace/name`, from the catalogs (absent with --plan). */
const servedNames = new Map<string, string>();

/** The plan JSON, or the job's ConfigMap file that carries it under `data["plan.json"]` (as generate writes it). */
function planData(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (json) {
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch {
      throw UserError.of(file, `neither JSON nor YAML: ${(json as Error).message}`);
    }
    const carried = (doc as { kind?: unknown; data?: Record<string, unknown> } | null)?.data?.[PLAN_KEY];
    if ((doc as { kind?: unknown } | null)?.kind !== 'ConfigMap' || typeof carried !== 'string') {
      throw UserError.of(file, `not a health plan: expected the plan JSON or the health job's ConfigMap with data["${PLAN_KEY}"] (environments/<env>/health/plan.yaml)`);
    }
    try {
      return JSON.parse(carried);
    } catch (e) {
      throw UserError.of(file, `data["${PLAN_KEY}"] is not JSON: ${(e as Error).message}`);
    }
  }
}

async function loadPlan(opts: HealthOptions): Promise<HealthPlan> {
  if (opts.planFile) {
    const text = await readOptional(opts.planFile);
    if (text === undefined) throw new UsageError(`--plan ${opts.planFile}: no such file`);
    const data = planData(opts.planFile, text);
    const parsed = parsePlan(data);
    if (!parsed.ok) throw UserError.of(opts.planFile, `not a health plan: ${parsed.message}`);
    const known = parsed.plan.environments.map((e) => e.env);
    const unknown = opts.envs.filter((e) => !known.includes(e));
    if (unknown.length) throw new UsageError(`--env ${unknown.join(', ')}: not in ${opts.planFile} (it has ${known.join(', ')})`);
    return opts.envs.length ? { ...parsed.plan, environments: parsed.plan.environments.filter((e) => opts.envs.includes(e.env)) } : parsed.plan;
  }
  const envs = await selectEnvironments(opts.root, opts.envs);
  const loaded = loadRepository(await readCatalogs(opts.root, envs), await readLibrary(opts.root));
  if (!loaded.ok) throw new UserError(loaded.issues);
  for (const e of loaded.value.environments) for (const m of e.models) servedNames.set(`${e.namespace}/${m.name}`, m.servedName);
  return planHealth(loaded.value.environments);
}


export async function health(opts: HealthOptions, io: HealthIO = {}): Promise<HealthRun> {
  const startedAt = Date.now();
  if (opts.expectRevision !== undefined && !isSha(opts.expectRevision)) {
    throw new UsageError(`--expect-revision ${opts.expectRevision}: not a commit SHA (7 to 64 hex digits)`);
  }
  const plan = await loadPlan(opts);
  const expect: Expectation | undefined = opts.expectRevision
    ? { sha: opts.expectRevision.toLowerCase(), pushedAt: opts.pushedAt ?? startedAt, ...(opts.reconcileWindowMs !== undefined ? { windowMs: opts.reconcileWindowMs } : {}) }
    : undefined;
  const reader = connect({
    ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
    ...(opts.context ? { context: opts.context } : {}),
    requestTimeoutMs: opts.requestTimeoutMs,
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
    ...(opts.maxPages ? { maxPages: opts.maxPages } : {}),
    ...(opts.maxResponseBytes ? { maxResponseBytes: opts.maxResponseBytes } : {}),
  });
  const progress = io.progress ? (text: string) => io.progress!(reader.redact(text)) : undefined;
  const requests = listRequests(plan);
  let lastLists: Map<string, ListOutcome> | undefined;
  const modelNamespaces = [...new Set(plan.environments.map((e) => e.namespace))];

  const observe = async (deadline: number): Promise<Observation> => {
    const before = reader.requests;
    // One signal for the whole round: requests, retries, backoff, pages and the credential plugin.
    const signal = AbortSignal.timeout(Math.max(0, deadline - Date.now()));
    const outcomes = await mapLimit(requests, 8, (r) => reader.list(r.kind, r.namespace, { signal }));
    const lists = new Map<string, ListOutcome>(requests.map((r, i) => [listKey(r.kind.kind, r.namespace), outcomes[i]!]));
    // Models not Ready: their children, once per kind and such namespace (plus KServe's Gateways once).
    const sick = namespacesToDiagnose({ lists, requests: 0 }, modelNamespaces);
    const more: { kind: KindRef; namespace: string; labelSelector?: string }[] = sick.flatMap((ns) =>
      Object.values(DIAGNOSIS_KINDS).map((kind) => ({ kind, namespace: ns, ...(kind === DIAGNOSIS_KINDS.Pod ? { labelSelector: PART_OF } : {}) })),
    );
    if (sick.length) more.push({ kind: GATEWAY_KIND, namespace: KSERVE_NAMESPACE });
    const extra = await mapLimit(more, 8, (r) => reader.list(r.kind, r.namespace, { signal, ...(r.labelSelector ? { labelSelector: r.labelSelector } : {}) }));
    more.forEach((r, i) => lists.set(listKey(r.kind.kind, r.namespace), extra[i]!));
    lastLists = lists;
    return { lists, requests: reader.requests - before };
  };

  let previous: Round | undefined;
  let frameLines = 0;
  const onRound = (round: Round) => {
    if (!progress || opts.once) return;
    if (io.live) {
      const frame = liveFrame(round, opts.color, io.columns);
      progress(redraw(frameLines, frame));
      frameLines = frame.length;
    } else progress(`${progressLines(previous, round).join('\n')}\n`);
    previous = round;
  };

  const result = await poll(
    { timeoutMs: opts.timeoutMs, intervalMs: opts.intervalMs, once: opts.once },
    {
      now: Date.now,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      observe,
      assess: (obs, now) => {
        const r = assessRound(plan, obs, { now, progressDeadlineMs: opts.progressDeadlineMs, ...(expect ? { expect } : {}) });
        return { ...r, verdicts: diagnoseRound(r.verdicts, obs) };
      },
      onRound,
    },
  );
  // The final table repeats the live frame: clear it. Other formats go elsewhere; keep the frame.
  if (io.live && progress && frameLines && opts.output === 'table') progress(redraw(frameLines, []).replace(/\n$/, ''));
  // Server text (condition messages, Status bodies) and URLs are hostile: no format may echo a credential.
  let verdicts = result.last.verdicts;
  let code = result.code;
  if (opts.probe && code !== 3) {
    const token = opts.probeTokenFile ? (await readOptional(opts.probeTokenFile))?.trim() : undefined;
    if (opts.probeTokenFile && token === undefined) throw new UsageError(`--probe-token-file ${opts.probeTokenFile}: no such file`);
    reader.redact.add(token);
    const live = (v: Verdict) => {
      const o = lastLists?.get(listKey('LLMInferenceService', v.namespace));
      const item = o?.ok ? (o.items as { metadata?: { name?: string }; spec?: { model?: { name?: string } } }[]).find((x) => x.metadata?.name === v.name) : undefined;
      return item?.spec?.model?.name;
    };
    const targets = verdicts
      .filter((v) => v.kind === 'LLMInferenceService' && v.status === 'Healthy' && v.url)
      .map((v) => ({ key: `${v.namespace}/${v.name}`, url: probeUrl(v.url!, opts.probeUrl), served: servedNames.get(`${v.namespace}/${v.name}`) ?? live(v) ?? v.name }));
    const probed = await probeAll(targets, { timeoutMs: opts.probeTimeoutMs ?? 10_000, ...(token ? { token } : {}), signal: AbortSignal.timeout(Math.max(1000, result.startedAt + opts.timeoutMs + 2000 - Date.now())) });
    verdicts = verdicts.map((v) => {
      const p = probed.get(`${v.namespace}/${v.name}`);
      if (!p || v.kind !== 'LLMInferenceService') return v;
      return p.ok ? { ...v, latencyMs: p.latencyMs, message: `${v.message}; ${p.message}` } : { ...v, status: 'Degraded', reason: 'ProbeFailed', latencyMs: p.latencyMs, message: `Ready, but the probe failed: ${p.message}` };
    });
    code = exitCodeOf({ verdicts, problems: result.last.problems });
  }
  const report: Report = redactDeep({
    verdicts,
    problems: result.last.problems,
    code,
    startedAt,
    finishedAt: result.finishedAt,
    rounds: result.last.n,
    requests: result.requests,
    ...(expect ? { expectedRevision: expect.sha } : {}),
  }, reader.redact);
  const format = { table: (r: Report) => formatTable(r, opts.color), json: formatJson, junit: formatJunit, prometheus: formatPrometheus }[opts.output];
  return { code, output: reader.redact(format(report)), problems: report.problems };
}
