/**
 * The pull-request view of a change, in three formats: text for a terminal, markdown for a PR
 * comment (objects and YAML folded away in <details>), json for tools. Pure.
 */
import type { ObjectChange } from './objects.js';
import { groupByEnv, phrase, phraseWithEnv } from './phrase.js';
import type { SemanticChange } from './semantic.js';
import { phraseGpuChange, type GpuChange } from '../accounting/gpus.js';

export type ReportFormat = 'text' | 'markdown' | 'json';

export interface Review {
  /** The revision compared against, as the user wrote it. */
  readonly base: string;
  readonly changes: readonly SemanticChange[];
  readonly objects: readonly ObjectChange[];
  /** GPU demand that moves, per environment, resource and profile (accounting/gpus.ts). */
  readonly gpus?: readonly GpuChange[];
  /** The unified YAML diff of the generated files, when asked for. */
  readonly unified?: string;
}

/** First line of the markdown report; the CI workflow finds its earlier comment by it. */
export const MARKDOWN_MARKER = '<!-- llm-gitops diff -->';

/** GitHub rejects comments over 65,536 characters; the YAML diff is cut to stay below. */
const MARKDOWN_DIFF_MAX = 50_000;

const SIGN = { added: '+', removed: '-', changed: '~' } as const;

function objectLabel(o: ObjectChange): string {
  return o.name ? `${o.kind} ${o.name}` : o.kind;
}

function countObjects(objects: readonly ObjectChange[]): string {
  const n = (a: ObjectChange['action']) => objects.filter((o) => o.action === a).length;
  return (['added', 'removed', 'changed'] as const).filter((a) => n(a)).map((a) => `${n(a)} ${a}`).join(', ');
}

export function formatText(r: Review): string {
  if (!r.changes.length && !r.objects.length) return `no changes between ${r.base} and the working tree\n`;
  const lines = [`changes from ${r.base} to the working tree:`, ...r.changes.map((c) => `  ${phraseWithEnv(c)}`)];
  if (!r.changes.length) lines.push('  (no catalog change: the generated tree differs — llm-gitops itself changed, or the tree is stale)');
  if (r.gpus?.length) lines.push('', 'GPU demand:', ...r.gpus.map((g) => `  ${phraseGpuChange(g)}`));
  if (r.objects.length) {
    lines.push('', `generated objects (${countObjects(r.objects)}):`);
    const envWidth = Math.max(...r.objects.map((o) => (o.env ?? '-').length));
    const labelWidth = Math.max(...r.objects.map((o) => objectLabel(o).length));
    for (const o of r.objects) {
      const fields = o.fields.length ? `  (${o.fields.join(', ')})` : '';
      lines.push(`  ${SIGN[o.action]} ${(o.env ?? '-').padEnd(envWidth)}  ${objectLabel(o).padEnd(labelWidth)}  ${o.path}${fields}`);
    }
  }
  const text = `${lines.join('\n')}\n`;
  return r.unified ? `${text}\n${r.unified}` : text;
}

/** Escapes what markdown or HTML would read as markup in a phrase or a table cell. */
function md(s: string): string {
  return s.replace(/[\\`*_|<>[\]]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`));
}

function fence(body: string): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

export function formatMarkdown(r: Review): string {
  const out = [MARKDOWN_MARKER, `### llm-gitops: changes from \`${r.base.replace(/`/g, '')}\``, ''];
  if (!r.changes.length && !r.objects.length) return `${[...out, 'No change to any environment.'].join('\n')}\n`;
  if (!r.changes.length) out.push('No catalog change; the generated tree differs (llm-gitops itself changed, or the tree is stale).', '');
  for (const g of groupByEnv(r.changes)) {
    out.push(`**${md(g.env)}**`, '', ...g.changes.map((c) => `- ${md(phrase(c))}`), '');
  }
  if (r.gpus?.length) out.push('**GPU demand**', '', ...r.gpus.map((g) => `- ${md(phraseGpuChange(g))}`), '');
  if (r.objects.length) {
    out.push(`<details><summary>Generated objects: ${countObjects(r.objects)}</summary>`, '');
    out.push('| | environment | object | file | fields |', '|---|---|---|---|---|');
    for (const o of r.objects) {
      out.push(`| ${o.action} | ${md(o.env ?? '—')} | ${md(objectLabel(o))} | \`${o.path}\` | ${o.fields.map((f) => `\`${f}\``).join(', ')} |`);
    }
    out.push('', '</details>', '');
  }
  if (r.unified) {
    const cut = r.unified.length > MARKDOWN_DIFF_MAX;
    const body = cut ? `${r.unified.slice(0, MARKDOWN_DIFF_MAX)}\n… (cut: run \`llm-gitops diff --unified\` for the rest)\n` : r.unified;
    const f = fence(body);
    out.push('<details><summary>YAML diff of the generated files</summary>', '', `${f}diff`, body.replace(/\n$/, ''), f, '', '</details>', '');
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

export function formatJson(r: Review): string {
  const json = {
    base: r.base,
    changes: r.changes.map((c) => ({ env: c.env, model: c.model ?? null, kind: c.kind, fields: c.fields, text: phraseWithEnv(c) })),
    objects: r.objects,
    gpus: (r.gpus ?? []).map((g) => ({ ...g, text: phraseGpuChange(g) })),
    ...(r.unified !== undefined ? { diff: r.unified } : {}),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

export function formatReview(r: Review, format: ReportFormat): string {
  return format === 'json' ? formatJson(r) : format === 'markdown' ? formatMarkdown(r) : formatText(r);
}
