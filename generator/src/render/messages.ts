/**
 * Commit messages and pull-request bodies, from the change list, through Handlebars templates
 * the user may replace (`--message-template`, `--pr-body-template`). Pure: templates arrive as
 * text. Templates are compiled strict, so a misspelt field fails instead of printing nothing.
 */
import Handlebars from './handlebars.js';
import { UserError } from '../errors.js';
import { groupByEnv, models, phrase, phraseWithEnv } from '../change/phrase.js';
import type { FieldChange, SemanticChange } from '../change/semantic.js';

/** The subject line git tools show in one line. */
export const SUBJECT_MAX = 72;
const PREFIX = 'llm-gitops: ';

/** A generated file this change touches. */
export interface FileTouch {
  readonly path: string;
  readonly action: 'created' | 'updated' | 'removed';
}

/** What a template sees: the contract of user templates, so keep it stable. */
export interface MessageContext {
  /** `llm-gitops: prod: qwen2-7b-instruct replicas 3 → 5; dev: opt-125m added` (≤ 72 chars). */
  readonly subject: string;
  /** Per environment, the phrases without the environment name. */
  readonly environments: readonly { readonly name: string; readonly changes: readonly string[] }[];
  /** The structured list, each with its phrase as `text`. */
  readonly changes: readonly { readonly env: string; readonly model: string | null; readonly kind: SemanticChange['kind']; readonly fields: readonly FieldChange[]; readonly text: string }[];
  readonly files: { readonly total: number; readonly created: number; readonly updated: number; readonly removed: number; readonly list: readonly FileTouch[] };
}

export const DEFAULT_COMMIT_TEMPLATE = `{{subject}}
{{#if environments.length}}

{{#each environments}}
{{name}}:
{{#each changes}}
- {{this}}
{{/each}}
{{/each}}
{{/if}}
{{#if files.total}}

Generated files: {{files.created}} created, {{files.updated}} updated, {{files.removed}} removed.
{{/if}}
`;

export const DEFAULT_PR_BODY_TEMPLATE = `## {{subject}}

{{#each environments}}
### {{name}}

{{#each changes}}
- {{this}}
{{/each}}

{{/each}}
{{#if files.total}}
<details><summary>Generated files: {{files.created}} created, {{files.updated}} updated, {{files.removed}} removed</summary>

{{#each files.list}}
- \`{{path}}\` {{action}}
{{/each}}

</details>

{{/if}}
Made by \`llm-gitops commit\`: the catalogs under \`environments/<env>/catalog.yaml\` are the source; every other file here is generated.
`;

/** One environment's changes counted: models only ("dev (new): 2 models added", "prod: settings changed, 1 model changed"). */
function countBy(changes: readonly SemanticChange[]): string {
  const own = changes.find((c) => !c.model);
  const ms = changes.filter((c) => c.model);
  const n = (k: SemanticChange['kind']) => ms.filter((c) => c.kind === k).length;
  const counts = (['added', 'removed', 'changed'] as const).filter((k) => n(k)).map((k, i) => `${i === 0 ? models(n(k)) : n(k)} ${k}`);
  if (own?.kind === 'changed') counts.unshift('settings changed');
  return counts.join(', ') || 'no models';
}

/** `dev (new)`, `old (removed)`, or just the name. */
function envLabel(g: { env: string; changes: readonly SemanticChange[] }): string {
  const own = g.changes.find((c) => !c.model);
  return own && own.kind !== 'changed' ? `${g.env} (${own.kind === 'added' ? 'new' : 'removed'})` : g.env;
}

/** The subject: every phrase if it fits, else a summary per environment, else counts. */
export function subjectOf(changes: readonly SemanticChange[], files: readonly FileTouch[]): string {
  const fits = (s: string) => s.length <= SUBJECT_MAX;
  if (!changes.length) {
    const envs = [...new Set(files.map((f) => /^environments\/([^/]+)\//.exec(f.path)?.[1]).filter((e): e is string => !!e))].sort();
    const where = envs.length && envs.length <= 3 ? envs.join(', ') : 'the tree';
    return `${PREFIX}regenerate ${where} (${files.length} file${files.length === 1 ? '' : 's'})`;
  }
  const full = PREFIX + changes.map(phraseWithEnv).join('; ');
  if (fits(full)) return full;
  const groups = groupByEnv(changes);
  const perEnv = PREFIX + groups.map((g) => (g.changes.length === 1 && fits(PREFIX + phrase(g.changes[0]!)) ? `${g.env}: ${phrase(g.changes[0]!)}` : `${envLabel(g)}: ${countBy(g.changes)}`)).join('; ');
  if (fits(perEnv)) return perEnv;
  const counts = PREFIX + groups.map((g) => `${envLabel(g)}: ${countBy(g.changes)}`).join('; ');
  if (fits(counts)) return counts;
  const moved = changes.filter((c) => c.model).length;
  return `${PREFIX}${moved ? `${models(moved)} changed` : 'settings changed'} in ${groups.length} environments`;
}

export function messageContext(changes: readonly SemanticChange[], files: readonly FileTouch[]): MessageContext {
  const count = (a: FileTouch['action']) => files.filter((f) => f.action === a).length;
  return {
    subject: subjectOf(changes, files),
    environments: groupByEnv(changes).map((g) => ({ name: g.env, changes: g.changes.map(phrase) })),
    // model: null rather than absent, so a strict template may test it with {{#if model}}.
    changes: changes.map((c) => ({ env: c.env, model: c.model ?? null, kind: c.kind, fields: c.fields, text: phraseWithEnv(c) })),
    files: { total: files.length, created: count('created'), updated: count('updated'), removed: count('removed'), list: files },
  };
}

/** Renders `template` (named `source` in errors) with `context`; a bad template is the user's error. */
export function renderMessage(template: string, context: MessageContext, source = 'template'): string {
  try {
    const hb = Handlebars.create();
    const text = hb.compile(template, { noEscape: true, strict: true })(context);
    return text.replace(/\n{3,}/g, '\n\n').replace(/\s+$/, '\n');
  } catch (e) {
    throw UserError.of(source, `cannot render the template: ${(e as Error).message.split('\n')[0]} — fields: subject, environments[].name, environments[].changes[], changes[].text, files.{total,created,updated,removed,list[].path,list[].action}`);
  }
}
