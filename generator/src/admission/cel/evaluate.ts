/**
 * Runs the compiled CEL rules of a CRD version over one object, as the API server does on
 * create: each rule at every value its schema node describes (every list item, every map value),
 * only where the value is present; `self` typed by the schema (integers are CEL ints, `number` is
 * a double, int-or-string stays whichever it is); object properties under their Kubernetes CEL
 * names (`namespace` → `__namespace__`, `-` → `__dash__`…); `has()` is presence. Transition
 * rules are skipped and counted. Pure.
 */
import { isCelError } from '@bufbuild/cel';
import type { AdmissionNode } from '../schema.js';
import { compileRule, type CompiledNode, type CompiledRule, type CompiledSchema } from './compile.js';

/** One rule the object breaks (or a rule that could not say). */
export interface RuleViolation {
  /** JSON pointer of the offending value (the node, then the rule's fieldPath). */
  readonly path: string;
  readonly msg: string;
  /** The rule's reason (FieldValueInvalid unless the CRD says otherwise). */
  readonly reason: string;
  readonly rule: string;
}

export interface RuleCounts {
  /** Rule runs (a rule on list items runs once per item). */
  evaluated: number;
  /** Transition rules present at a value but skipped, since this is a create. */
  transition: number;
  /** Rules present at a value that could not be compiled (each reported as a violation). */
  uncompiled: number;
}

const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);
const CEL_NAME = /^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/;

const names = new Map<string, string>();
/** A property name as Kubernetes CEL exposes it. */
export function celPropertyName(k: string): string {
  let n = names.get(k);
  if (n === undefined) {
    n = CEL_RESERVED.has(k) ? `__${k}__` : !CEL_NAME.test(k) ? k : k.replace(/__/g, '__underscores__').replace(/\./g, '__dot__').replace(/-/g, '__dash__').replace(/\//g, '__slash__');
    if (names.size < 10_000) names.set(k, n);
  }
  return n;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

/** JSON value → CEL value, typed by its schema node (within a rule's scope the tree is complete). */
function toCel(node: AdmissionNode | undefined, v: unknown, memo: WeakMap<object, unknown>): unknown {
  if (typeof v === 'number') return node?.t === 'number' || !Number.isInteger(v) ? v : BigInt(v);
  if (v === null || typeof v !== 'object') return v;
  const hit = memo.get(v);
  if (hit !== undefined) return hit;
  let out: unknown;
  if (Array.isArray(v)) out = v.map((x) => toCel(node?.i, x, memo));
  else if (node?.m || !node?.p) out = new Map(Object.entries(v).map(([k, x]) => [k, toCel(node?.m, x, memo)]));
  else out = new Map(Object.entries(v).map(([k, x]) => [celPropertyName(k), toCel(node.p![k] ?? (node.u ? undefined : node.m), x, memo)]));
  memo.set(v, out);
  return out;
}

const REASONS: Record<string, string> = { FieldValueInvalid: 'Invalid value', FieldValueForbidden: 'Forbidden', FieldValueRequired: 'Required value', FieldValueDuplicate: 'Duplicate value' };

/** `.spec.foo['bar.baz']` (a rule's fieldPath) → JSON pointer segments. */
function fieldPathPointer(fieldPath: string): string {
  let out = '';
  for (const m of fieldPath.matchAll(/\.([^.[\]]+)|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[(\d+)\]/g)) out += `/${escape(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '')}`;
  return out;
}

function run(rule: CompiledRule, self: unknown, path: string, out: RuleViolation[], counts: RuleCounts): void {
  if (rule.transition) {
    counts.transition++;
    return;
  }
  const reason = rule.spec.reason ?? 'FieldValueInvalid';
  const report = (msg: string) => out.push({ path: path + (rule.spec.fieldPath ? fieldPathPointer(rule.spec.fieldPath) : ''), msg, reason, rule: rule.spec.rule });
  if (!rule.program) {
    if (rule.error === undefined) {
      compileRule(rule);
      if (rule.program) return run(rule, self, path, out, counts);
    }
    counts.uncompiled++;
    report(`the CRD's rule could not be compiled (${rule.error}), so whether the API server admits this is unknown`);
    return;
  }
  counts.evaluated++;
  const result = rule.program({ self });
  if (result === true) return;
  if (isCelError(result)) {
    report(`${REASONS[reason] ?? reason}: the rule fails to evaluate (${result.message}), so the API server refuses the object`);
    return;
  }
  if (result !== false) {
    report(`${REASONS[reason] ?? reason}: the rule gives ${String(result)}, not a bool`);
    return;
  }
  let msg = rule.spec.message;
  if (rule.message) {
    const m = rule.message({ self });
    if (typeof m === 'string' && m.trim() && !m.includes('\n')) msg = m;
  }
  report(`${REASONS[reason] ?? reason}: ${msg?.trim() ? msg.trim() : `failed rule: ${rule.spec.rule}`}`);
}

function walk(c: CompiledNode, value: unknown, path: string, out: RuleViolation[], counts: RuleCounts, memo: WeakMap<object, unknown>): void {
  if (value === undefined || value === null || !c.hasRules) return;
  if (c.rules.length) {
    const self = toCel(c.node, value, memo);
    for (const r of c.rules) run(r, self, path, out, counts);
  }
  if (Array.isArray(value)) {
    if (c.i) value.forEach((item, idx) => walk(c.i!, item, `${path}/${idx}`, out, counts, memo));
    return;
  }
  if (!isObject(value)) return;
  if (c.p) for (const [k, child] of Object.entries(c.p)) if (k in value) walk(child, value[k], `${path}/${escape(k)}`, out, counts, memo);
  if (c.m) for (const [k, v] of Object.entries(value)) if (!c.node.p?.[k]) walk(c.m, v, `${path}/${escape(k)}`, out, counts, memo);
}

/** Every rule of `schema` over `obj` (defaults already applied, as the API server validates them). */
export function evaluateRules(schema: CompiledSchema, obj: unknown, counts: RuleCounts = { evaluated: 0, transition: 0, uncompiled: 0 }): { violations: RuleViolation[]; counts: RuleCounts } {
  const violations: RuleViolation[] = [];
  walk(schema.root, obj, '', violations, counts, new WeakMap());
  return { violations, counts };
}
