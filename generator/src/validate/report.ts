/**
 * Validation results → text, JSON (kubeconform's shape) or JUnit XML. Pure functions.
 */
import { dotted } from './messages.js';
import { summarize, type ResourceResult, type Status, type Summary } from './result.js';
import type { OutputFormat } from './output-formats.js';

export { OUTPUT_FORMATS, type OutputFormat } from './output-formats.js';

const KUBECONFORM_STATUS: Record<Status, string> = { valid: 'statusValid', invalid: 'statusInvalid', error: 'statusError', skipped: 'statusSkipped' };

const where = (file: string, line?: number, col?: number) => [file, line, col].filter((p) => p !== undefined).join(':');
/** ` [rule: …]` after a message that comes from a CEL or webhook rule. */
const ruleNote = (rule?: string) => (rule ? ` [rule: ${rule.length > 160 ? `${rule.slice(0, 157)}...` : rule}]` : '');
const objectName = (r: ResourceResult) => (r.name ? `${r.kind || '?'}/${r.name}` : r.kind || '(no kind)');

/** One line per violation or error (`file:line:col: Kind/name: path: message`), then the counts. */
export function textReport(results: readonly ResourceResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    if (r.status === 'invalid') {
      for (const v of r.validationErrors) lines.push(`${where(r.filename, v.line ?? r.line, v.col)}: ${objectName(r)}: ${dotted(v.path)}: ${v.msg}${ruleNote(v.rule)}`);
    } else if (r.status === 'error') lines.push(`${where(r.filename, r.line)}: ${objectName(r)}: error: ${r.msg}`);
  }
  return `${lines.map((l) => `${l}\n`).join('')}${summaryLine(summarize(results))}\n`;
}

/** `N valid, N invalid, N errors, N skipped`. */
export function summaryLine(s: Summary): string {
  return `${s.valid} valid, ${s.invalid} invalid, ${s.errors} errors, ${s.skipped} skipped`;
}

/** kubeconform's `-output json` shape (every resource listed, as with `-verbose`), plus lines. */
export function jsonReport(results: readonly ResourceResult[]): string {
  const resources = results.map((r) => ({
    filename: r.filename,
    kind: r.kind,
    name: r.name,
    version: r.version,
    status: KUBECONFORM_STATUS[r.status],
    msg: r.msg,
    validationErrors: r.validationErrors.map((v) => ({ path: v.path, msg: v.msg, ...(v.rule ? { rule: v.rule } : {}), ...(v.line === undefined ? {} : { line: v.line, col: v.col }) })),
    ...(r.line === undefined ? {} : { line: r.line }),
  }));
  return `${JSON.stringify({ resources, summary: summarize(results) }, null, 2)}\n`;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** JUnit XML: a test suite per file, a test case per object; invalid → failure, error → error. */
export function junitReport(results: readonly ResourceResult[]): string {
  const byFile = new Map<string, ResourceResult[]>();
  for (const r of results) byFile.set(r.filename, [...(byFile.get(r.filename) ?? []), r]);
  const total = summarize(results);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="llm-gitops validate" tests="${results.length}" failures="${total.invalid}" errors="${total.errors}" skipped="${total.skipped}">`];
  for (const [file, rs] of byFile) {
    const s = summarize(rs);
    out.push(`  <testsuite name="${xml(file)}" tests="${rs.length}" failures="${s.invalid}" errors="${s.errors}" skipped="${s.skipped}">`);
    for (const r of rs) {
      const open = `    <testcase name="${xml(objectName(r))}" classname="${xml(`${r.version} ${r.kind}`.trim())}"`;
      if (r.status === 'valid') out.push(`${open}/>`);
      else if (r.status === 'skipped') out.push(`${open}>`, `      <skipped message="${xml(r.msg)}"/>`, '    </testcase>');
      else if (r.status === 'error') out.push(`${open}>`, `      <error message="${xml(r.msg)}" type="ValidationError"/>`, '    </testcase>');
      else {
        const body = r.validationErrors.map((v) => `${dotted(v.path)}: ${v.msg}`).join('\n');
        out.push(`${open}>`, `      <failure message="${xml(`${r.validationErrors.length} schema violation(s)`)}" type="ValidationError">${xml(body)}</failure>`, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

/** The report in the chosen `--output` format. */
export function formatReport(format: OutputFormat, results: readonly ResourceResult[]): string {
  return format === 'json' ? jsonReport(results) : format === 'junit' ? junitReport(results) : textReport(results);
}

/** What the CEL rules did: `CEL: 224 rules in 2 CRD versions, 6 compiled (those objects reached), 0 could not be compiled, …; 6 rule evaluations, 0 transition skips`. */
export function admissionLine(a: { schemas: readonly { total: number; compiled: number; transition: number; failed: readonly unknown[] }[]; evaluated: number; transitionSkipped: number }): string {
  const total = a.schemas.reduce((n, s) => n + s.total, 0);
  const compiled = a.schemas.reduce((n, s) => n + s.compiled, 0);
  const failed = a.schemas.reduce((n, s) => n + s.failed.length, 0);
  const transition = a.schemas.reduce((n, s) => n + s.transition, 0);
  return `CEL: ${total} rules in ${a.schemas.length} CRD versions, ${compiled} compiled (those objects reached), ${failed} could not be compiled${failed ? ' (see the warnings)' : ''}, ${transition} transition rules (oldSelf) not checked at create; ${a.evaluated} rule evaluations, ${a.transitionSkipped} transition skips`;
}
