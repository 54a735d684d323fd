/**
 * JSON Lines: one record per object, then one summary record. A line per object suits log
 * pipelines (the scheduled job's logs) and `jq -c 'select(.status != "Healthy")'`.
 */
import { describeProblem } from '../../cluster/problem.js';
import type { Verdict } from '../status.js';
import { counts, RESULT, type Report } from './report.js';

/** Fixed key order, absent fields left out. */
function record(v: Verdict, ts: string): Record<string, unknown> {
  return {
    type: 'object',
    ts,
    env: v.env,
    kind: v.kind,
    namespace: v.namespace,
    name: v.name,
    status: v.status,
    reason: v.reason,
    message: v.message,
    inCatalog: v.inCatalog,
    ...(v.cause ? { cause: v.cause } : {}),
    ...(v.latencyMs !== undefined ? { latencyMs: v.latencyMs } : {}),
    ...(v.url ? { url: v.url } : {}),
    ...(v.revision ? { revision: v.revision } : {}),
    ...(v.expectedRevision ? { expectedRevision: v.expectedRevision } : {}),
    ...(v.revisionMatch !== undefined ? { revisionMatch: v.revisionMatch } : {}),
    ...(v.generation !== undefined ? { generation: v.generation } : {}),
    ...(v.observedGeneration !== undefined ? { observedGeneration: v.observedGeneration } : {}),
  };
}

export function formatJson(report: Report): string {
  const ts = new Date(report.finishedAt).toISOString();
  const lines = report.verdicts.map((v) => JSON.stringify(record(v, ts)));
  lines.push(
    JSON.stringify({
      type: 'summary',
      ts,
      result: RESULT[report.code],
      exitCode: report.code,
      counts: counts(report.verdicts),
      problems: report.problems.map((p) => ({ ...p, text: describeProblem(p) })),
      rounds: report.rounds,
      requests: report.requests,
      startedAt: new Date(report.startedAt).toISOString(),
      durationSeconds: (report.finishedAt - report.startedAt) / 1000,
      ...(report.expectedRevision ? { expectedRevision: report.expectedRevision } : {}),
    }),
  );
  return `${lines.join('\n')}\n`;
}
