/** Preflight results as a table, JSON Lines (one record per check, then a summary) or JUnit — like `health`. */
import { describeProblem, type ApiProblem } from '../cluster/problem.js';
import type { CheckResult } from './checks.js';

export interface PreflightReport {
  readonly results: readonly CheckResult[];
  readonly problems: readonly ApiProblem[];
  readonly code: 0 | 1 | 3;
  readonly requests: number;
  readonly startedAt: number;
  readonly finishedAt: number;
}

const RESULT = { 0: 'ready', 1: 'not ready', 3: 'unchecked' } as const;
const TEXT = { 0: 'the cluster has what the catalog needs', 1: 'the cluster lacks something the catalog needs', 3: 'the cluster could not be checked' } as const;

export function formatPreflightTable(r: PreflightReport): string {
  const rows = [...r.results].sort((a, b) => Number(a.ok) - Number(b.ok)).map((x) => [x.ok ? 'PASS' : 'FAIL', x.check, x.subject, x.message]);
  const head = ['RESULT', 'CHECK', 'SUBJECT', 'MESSAGE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const lines = rows.length ? [line(head), ...rows.map(line)] : ['nothing to check'];
  if (r.problems.length) lines.push('', 'could not check:', ...r.problems.map((p) => `  ${describeProblem(p)}`));
  const failed = r.results.filter((x) => !x.ok).length;
  lines.push('', `${r.results.length - failed} passed, ${failed} failed — ${TEXT[r.code]} (exit ${r.code}; ${r.requests} API request(s))`);
  return `${lines.join('\n')}\n`;
}

export function formatPreflightJson(r: PreflightReport): string {
  const ts = new Date(r.finishedAt).toISOString();
  const lines = r.results.map((x) => JSON.stringify({ type: 'check', ts, ...x, result: x.ok ? 'pass' : 'fail' }));
  lines.push(
    JSON.stringify({
      type: 'summary', ts, result: RESULT[r.code], exitCode: r.code,
      passed: r.results.filter((x) => x.ok).length, failed: r.results.filter((x) => !x.ok).length,
      problems: r.problems.map((p) => ({ ...p, text: describeProblem(p) })),
      requests: r.requests, durationSeconds: (r.finishedAt - r.startedAt) / 1000,
    }),
  );
  return `${lines.join('\n')}\n`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function formatPreflightJunit(r: PreflightReport): string {
  const seconds = ((r.finishedAt - r.startedAt) / 1000).toFixed(3);
  const cases = r.results.map((x) =>
    [`    <testcase classname="preflight.${esc(x.check)}" name="${esc(x.subject)}" time="0">`, x.ok ? '' : `      <failure type="${esc(x.check)}" message="${esc(x.message)}">${esc(x.message)}</failure>`, `      <system-out>${esc(x.message)}</system-out>`, '    </testcase>'].filter(Boolean).join('\n'),
  );
  const errors = r.problems.map((p) => `    <testcase classname="preflight.cluster" name="${esc(`${p.verb} ${p.resource}${p.namespace ? ` -n ${p.namespace}` : ''}`)}" time="0">\n      <error type="${p.kind}" message="${esc(describeProblem(p))}">${esc(describeProblem(p))}</error>\n    </testcase>`);
  const failures = r.results.filter((x) => !x.ok).length;
  const tests = r.results.length + r.problems.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="llm-gitops preflight" tests="${tests}" failures="${failures}" errors="${r.problems.length}" time="${seconds}">`,
    `  <testsuite name="preflight" tests="${tests}" failures="${failures}" errors="${r.problems.length}" time="${seconds}">`,
    ...cases,
    ...errors,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
