/**
 * Prometheus text exposition format (0.0.4), for a Pushgateway (`PUT` replaces the job's group)
 * or a node-exporter textfile collector. Metric names are documented in README.md and
 * ARCHITECTURE.md; `METRICS` below is the one list of them.
 */
import { STATUSES, type Verdict } from '../status.js';
import { counts, type Report } from './report.js';

/** Every metric this formatter writes: name → help text. */
export const METRICS = {
  llm_gitops_health_status: 'Status of a checked object: 1 for its current status, 0 for the other six (Healthy, Progressing, Degraded, Suspended, Missing, Pending, Stale).',
  llm_gitops_health_ready: '1 when the object is Healthy, else 0.',
  llm_gitops_health_revision_match: 'Delivery objects, only with --expect-revision: 1 when the Application/Kustomization is at the expected commit, else 0.',
  llm_gitops_health_objects: 'Checked objects per environment and status.',
  llm_gitops_health_check_success: '1 when the cluster could be read (exit code other than 3), else 0.',
  llm_gitops_health_exit_code: 'Exit code of the run: 0 healthy, 1 degraded/missing/stale, 3 cluster not checkable, 4 still progressing.',
  llm_gitops_health_api_requests: 'Kubernetes API requests the run made (all rounds, pages and retries).',
  llm_gitops_health_duration_seconds: 'Wall time of the run.',
  llm_gitops_health_last_run_timestamp_seconds: 'Unix time the run finished.',
} as const;

type MetricName = keyof typeof METRICS;

function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${label(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function objectLabels(v: Verdict): Record<string, string> {
  return { env: v.env, kind: v.kind, namespace: v.namespace, name: v.name };
}

export function formatPrometheus(report: Report): string {
  const out: string[] = [];
  const family = (name: MetricName, samples: [Record<string, string>, number][]) => {
    out.push(`# HELP ${name} ${METRICS[name]}`, `# TYPE ${name} gauge`);
    for (const [l, value] of samples) out.push(`${name}${labels(l)} ${value}`);
  };
  family('llm_gitops_health_status', report.verdicts.flatMap((v) => STATUSES.map((s): [Record<string, string>, number] => [{ ...objectLabels(v), status: s }, v.status === s ? 1 : 0])));
  family('llm_gitops_health_ready', report.verdicts.map((v) => [objectLabels(v), v.status === 'Healthy' ? 1 : 0]));
  const withRevision = report.verdicts.filter((v) => v.revisionMatch !== undefined);
  if (withRevision.length) family('llm_gitops_health_revision_match', withRevision.map((v) => [objectLabels(v), v.revisionMatch ? 1 : 0]));
  const envs = [...new Set(report.verdicts.map((v) => v.env))];
  family(
    'llm_gitops_health_objects',
    envs.flatMap((env) => {
      const c = counts(report.verdicts.filter((v) => v.env === env));
      return STATUSES.map((s): [Record<string, string>, number] => [{ env, status: s }, c[s]]);
    }),
  );
  family('llm_gitops_health_check_success', [[{}, report.code === 3 ? 0 : 1]]);
  family('llm_gitops_health_exit_code', [[{}, report.code]]);
  family('llm_gitops_health_api_requests', [[{}, report.requests]]);
  family('llm_gitops_health_duration_seconds', [[{}, (report.finishedAt - report.startedAt) / 1000]]);
  family('llm_gitops_health_last_run_timestamp_seconds', [[{}, Math.floor(report.finishedAt / 1000)]]);
  return `${out.join('\n')}\n`;
}
