/**
 * Semantic changes → short phrases: "qwen2-7b-instruct replicas 3 → 5", "opt-125m added",
 * "KServe v0.19.0 → v0.20.0". Pure.
 */
import type { FieldChange, SemanticChange } from './semantic.js';

/** One field: "replicas 3 → 5", "stopped", "re-pointed hf://a → hf://b", "preset x added". */
export function phraseField(f: FieldChange): string {
  if (f.kind) return `${f.field} ${f.kind}`;
  if (f.field === 'stopped' && f.to !== undefined) return f.to === 'true' ? 'stopped' : 'started';
  const name = f.field === 'uri' ? 're-pointed' : f.field;
  if (f.from === undefined && f.to === undefined) return `${name} changed`;
  if (f.from === undefined) return `${name} set to ${f.to}`;
  if (f.to === undefined) return `${name} ${f.from} unset`;
  return `${name} ${f.from} → ${f.to}`;
}

/** The change without its environment: "qwen2-7b-instruct replicas 3 → 5, gpus 1 → 2". */
export function phrase(c: SemanticChange): string {
  if (!c.model && c.kind !== 'changed') return c.kind === 'added' ? `new environment with ${models(c.models ?? 0)}` : `environment removed with its ${models(c.models ?? 0)}`;
  const subject = c.model ?? 'environment';
  if (c.kind !== 'changed') return `${subject} ${c.kind}`;
  const what = c.fields.map(phraseField).join(', ');
  return c.model ? `${c.model} ${what}` : what;
}

export const models = (n: number) => `${n} model${n === 1 ? '' : 's'}`;

/** With its environment: "prod: qwen2-7b-instruct replicas 3 → 5". */
export function phraseWithEnv(c: SemanticChange): string {
  return `${c.env}: ${phrase(c)}`;
}

/** The changes grouped by environment, environments in first-seen order. */
export function groupByEnv<T extends { readonly env: string }>(changes: readonly T[]): { env: string; changes: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const c of changes) groups.set(c.env, [...(groups.get(c.env) ?? []), c]);
  return [...groups].map(([env, cs]) => ({ env, changes: cs }));
}
