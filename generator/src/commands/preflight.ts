/**
 * `preflight`: can this cluster serve the catalog at all? Catalogs → needs (preflight/needs.ts,
 * pure) → one list per kind (and per CRD asked for, per namespace that matters) under one
 * deadline → a result per need. Same kubeconfig handling, deadline, limits, redaction and exit
 * codes as `health`: 0 ready, 1 something missing, 3 the cluster could not be checked.
 */
import { mapLimit } from '../concurrency.js';
import { connect, METADATA_ONLY } from '../cluster/client.js';
import { redactDeep } from '../cluster/redact.js';
import { loadRepository } from '../catalog/repository.js';
import { readCatalogs } from '../disk/files.js';
import { UserError } from '../errors.js';
import type { ListOutcome } from '../health/observation.js';
import { assessPreflight, preflightLists } from '../preflight/checks.js';
import { catalogNeeds } from '../preflight/needs.js';
import { externalRequirements } from '../prerequisites/requirements.js';
import { formatPreflightJson, formatPreflightJunit, formatPreflightTable, type PreflightReport } from '../preflight/report.js';
import { selectEnvironments } from './workspace.js';

export interface PreflightOptions {
  readonly root: string;
  readonly envs: readonly string[];
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly timeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxPages?: number;
  readonly maxResponseBytes?: number;
  readonly output: 'table' | 'json' | 'junit';
}

export interface PreflightRun {
  readonly code: 0 | 1 | 3;
  readonly output: string;
  readonly report: PreflightReport;
}


export async function preflight(opts: PreflightOptions): Promise<PreflightRun> {
  const startedAt = Date.now();
  const envs = await selectEnvironments(opts.root, opts.envs);
  const loaded = loadRepository(await readCatalogs(opts.root, envs));
  if (!loaded.ok) throw new UserError(loaded.issues);
  // Prerequisites the catalogs declare external (platform.prerequisites): their CRDs must be there already.
  const external = loaded.value.environments.flatMap((e) => externalRequirements(e).map((r) => ({ crds: r.crds, why: `${e.name}: prerequisite ${r.name} (install: external)` })));
  const needs = catalogNeeds(loaded.value.environments, external);
  const reader = connect({
    ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
    ...(opts.context ? { context: opts.context } : {}),
    requestTimeoutMs: opts.requestTimeoutMs,
    ...(opts.maxPages ? { maxPages: opts.maxPages } : {}),
    ...(opts.maxResponseBytes ? { maxResponseBytes: opts.maxResponseBytes } : {}),
  });
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const lists = preflightLists(needs);
  const outcomes = await mapLimit(lists, 8, (l) =>
    reader.list(l.kind, l.namespace, { signal, ...(l.fieldSelector ? { fieldSelector: l.fieldSelector } : {}), ...(l.metadataOnly ? { accept: METADATA_ONLY } : {}) }),
  );
  const round = assessPreflight(needs, new Map<string, ListOutcome>(lists.map((l, i) => [l.key, outcomes[i]!])));
  const code = round.problems.length ? 3 : round.results.some((r) => !r.ok) ? 1 : 0;
  const report = redactDeep<PreflightReport>({ results: round.results, problems: round.problems, code, requests: reader.requests, startedAt, finishedAt: Date.now() }, reader.redact);
  const format = { table: formatPreflightTable, json: formatPreflightJson, junit: formatPreflightJunit }[opts.output];
  return { code, output: reader.redact(format(report)), report };
}
