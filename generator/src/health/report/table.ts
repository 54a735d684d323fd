/** The human table: one row per object, worst first within an environment, then the API problems and a summary. */
import { styleText } from 'node:util';
import { describeProblem } from '../../cluster/problem.js';
import type { HealthStatus, Verdict } from '../status.js';
import { countsText, RESULT_TEXT, type Report } from './report.js';

const COLOR: Record<HealthStatus, Parameters<typeof styleText>[0]> = {
  Healthy: 'green',
  Progressing: 'cyan',
  Pending: 'cyan',
  Suspended: 'gray',
  Degraded: 'red',
  Missing: 'red',
  Stale: 'yellow',
};

const RANK: Record<HealthStatus, number> = { Degraded: 0, Missing: 1, Stale: 2, Pending: 3, Progressing: 4, Suspended: 5, Healthy: 6 };

/** Worst first, then kind (delivery before models), then name; stable for equal keys. */
export function sortVerdicts(verdicts: readonly Verdict[]): Verdict[] {
  return [...verdicts].sort((a, b) => RANK[a.status] - RANK[b.status] || (a.kind === 'LLMInferenceService' ? 1 : 0) - (b.kind === 'LLMInferenceService' ? 1 : 0) || a.env.localeCompare(b.env) || a.name.localeCompare(b.name));
}

/**
 * Rows as aligned columns; `color` only styles the status cell (padding is computed on plain
 * text). The caller decides on colour (TTY, NO_COLOR), so styleText must not check the stream.
 */
export function verdictTable(verdicts: readonly Verdict[], color = false, width?: number): string[] {
  const head = ['STATUS', 'ENV', 'KIND', 'NAMESPACE/NAME', 'REASON', 'MESSAGE'];
  const rows = verdicts.map((v) => [v.status, v.env, v.kind, `${v.namespace}/${v.name}${v.inCatalog ? '' : ' (not in catalog)'}`, v.reason, v.message]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  if (width) {
    // A live frame must not wrap: the redraw moves the cursor up by lines, not by screen rows.
    const room = Math.max(10, width - 1 - widths.slice(0, -1).reduce((n, w) => n + w + 2, 0));
    for (const r of rows) if (r[5]!.length > room) r[5] = `${r[5]!.slice(0, room - 1)}…`;
  }
  const line = (cells: string[], status?: HealthStatus) =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd(widths[i]!);
        return i === 0 && status && color ? styleText(COLOR[status], padded, { validateStream: false }) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map((r, i) => line(r, verdicts[i]!.status))];
}

export function formatTable(report: Report, color = false): string {
  const lines = report.verdicts.length ? verdictTable(sortVerdicts(report.verdicts), color) : ['no objects to check'];
  if (report.problems.length) {
    lines.push('', 'could not check:');
    for (const p of report.problems) lines.push(`  ${describeProblem(p)}`);
  }
  const took = ((report.finishedAt - report.startedAt) / 1000).toFixed(1);
  lines.push('', `${countsText(report.verdicts)} — ${RESULT_TEXT[report.code]} (exit ${report.code}; ${report.rounds} round(s), ${report.requests} API request(s), ${took}s)`);
  return `${lines.join('\n')}\n`;
}
