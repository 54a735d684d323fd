/**
 * JUnit XML for CI test reporters: a test suite per environment, a test case per object
 * (classname `<env>.<Kind>`, name `<namespace>/<name>`). Degraded, Missing, Stale and anything
 * still Progressing/Pending at the deadline fail; Suspended is skipped; API problems are errors
 * in a `cluster` suite.
 */
import { describeProblem } from '../../cluster/problem.js';
import { SETTLED_OK, type Verdict } from '../status.js';
import type { Report } from './report.js';

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

function testcase(v: Verdict): string {
  const open = `    <testcase classname="${esc(`${v.env}.${v.kind}`)}" name="${esc(`${v.namespace}/${v.name}`)}" time="0">`;
  const out = [v.url && `url: ${v.url}`, v.revision && `revision: ${v.revision}`, `${v.status}: ${v.reason}: ${v.message}`].filter(Boolean).join('\n');
  const body =
    v.status === 'Suspended'
      ? `      <skipped message="${esc(`${v.reason}: ${v.message}`)}"/>`
      : SETTLED_OK.has(v.status)
        ? ''
        : `      <failure type="${v.status}" message="${esc(`${v.status} (${v.reason}): ${v.message}`)}">${esc(`${v.kind} ${v.namespace}/${v.name} in ${v.env} is ${v.status}\n${v.reason}: ${v.message}`)}</failure>`;
  return [open, body, `      <system-out>${esc(out)}</system-out>`, '    </testcase>'].filter(Boolean).join('\n');
}

interface Suite {
  readonly name: string;
  readonly cases: string[];
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

export function formatJunit(report: Report): string {
  const seconds = ((report.finishedAt - report.startedAt) / 1000).toFixed(3);
  const suites = new Map<string, Suite>();
  const suite = (name: string) => {
    let s = suites.get(name);
    if (!s) suites.set(name, (s = { name, cases: [], tests: 0, failures: 0, errors: 0, skipped: 0 }));
    return s;
  };
  for (const v of report.verdicts) {
    const s = suite(`health.${v.env}`);
    s.tests += 1;
    if (v.status === 'Suspended') s.skipped += 1;
    else if (!SETTLED_OK.has(v.status)) s.failures += 1;
    s.cases.push(testcase(v));
  }
  for (const p of report.problems) {
    const s = suite('health.cluster');
    s.tests += 1;
    s.errors += 1;
    const name = `${p.verb} ${p.resource}${p.namespace ? ` -n ${p.namespace}` : ''}`;
    s.cases.push(
      `    <testcase classname="cluster" name="${esc(name)}" time="0">\n      <error type="${p.kind}" message="${esc(describeProblem(p))}">${esc(describeProblem(p))}</error>\n    </testcase>`,
    );
  }
  const all = [...suites.values()];
  const sum = (k: 'tests' | 'failures' | 'errors' | 'skipped') => all.reduce((n, s) => n + s[k], 0);
  const ts = new Date(report.startedAt).toISOString().replace(/\.\d+Z$/, '');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="llm-gitops health" tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}" skipped="${sum('skipped')}" time="${seconds}">`,
    ...all.map((s) =>
      [
        `  <testsuite name="${esc(s.name)}" tests="${s.tests}" failures="${s.failures}" errors="${s.errors}" skipped="${s.skipped}" time="${seconds}" timestamp="${ts}">`,
        ...s.cases,
        '  </testsuite>',
      ].join('\n'),
    ),
    '</testsuites>',
    '',
  ].join('\n');
}
