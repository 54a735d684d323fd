/**
 * Ajv errors → one readable violation per problem. Pure.
 * - an unknown field is reported at the field itself (`…/containers/0/bogus: unknown field`), as
 *   kubectl does, not at its parent;
 * - the branch errors of a failed `anyOf`/`oneOf` (int-or-string, say) collapse into one
 *   "must be integer or string";
 * - duplicates go, and the order is by path, so output is stable.
 */
import type { ErrorObject } from 'ajv';
import type { SchemaViolation } from './result.js';

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Ajv errors of one object → its violations, located in the file by `locate`. */
export function violations(errors: readonly ErrorObject[], locate: (pointer: string) => { line: number; col: number } | undefined): SchemaViolation[] {
  // A valid object (nearly all of them): no sets, closures or sort.
  if (errors.length === 0) return [];
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  // Precompiled validators give schema paths relative to each sub-validator, so a branch is
  // recognised by both its schema path and its place in the object.
  const within = (e: ErrorObject, u: ErrorObject) => e !== u && e.instancePath.startsWith(u.instancePath) && e.schemaPath.startsWith(`${u.schemaPath}/`);
  const inBranch = (e: ErrorObject) => unions.some((u) => within(e, u));
  const seen = new Set<string>();
  const out: SchemaViolation[] = [];
  for (const e of errors) {
    if (inBranch(e)) continue;
    let path = e.instancePath;
    let msg = e.message ?? e.keyword;
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty?: unknown }).additionalProperty);
      path = `${path}/${escape(key)}`;
      msg = 'unknown field (not in the schema)';
    } else if (e.keyword === 'required') {
      msg = `missing required field "${String((e.params as { missingProperty?: unknown }).missingProperty)}"`;
    } else if (e.keyword === 'enum') {
      msg = `must be one of ${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (unions.includes(e)) {
      const types = errors.filter((b) => b.keyword === 'type' && b.instancePath === e.instancePath && within(b, e)).map((b) => String((b.params as { type?: unknown }).type));
      if (types.length) msg = `must be ${[...new Set(types)].join(' or ')}`;
    }
    const id = `${path}\0${msg}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ path, msg, ...locate(path) });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.msg < b.msg ? -1 : 1));
}

/** `/spec/template/containers/0/bogus` → `spec.template.containers[0].bogus` (for people). */
export function dotted(pointer: string): string {
  if (!pointer) return '(root)';
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^[0-9]+$/.test(seg) ? `${acc}[${seg}]` : /^[A-Za-z_$][\w$-]*$/.test(seg) ? (acc ? `${acc}.${seg}` : seg) : `${acc}[${JSON.stringify(seg)}]`), '');
}
