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
  const out = Array.isArray(v) ? v.map((x) => toCel(node?.i, x, memo)) : new CelObject(node, v as Record<string, unknown>, memo);
  memo.set(v, out);
  return out;
}

/** `v` as a rule at schema node `node` sees it (exported for the tests that compare it with a map built up front). */
export const celValue = (node: AdmissionNode | undefined, v: unknown): unknown => toCel(node, v, new WeakMap());

/**
 * A JSON object as the CEL map Kubernetes gives a rule (a struct's properties under their CEL
 * names, a map's keys as they are), converted on demand: a rule reads a few fields of `self`, so
 * the value below them is not converted unless read. Reads give what a map built of every entry
 * up front would give, in the same order (`materialize`).
 */
class CelObject extends Map<string, unknown> {
  private done = false;
  private readonly read = new Map<string, unknown>();
  constructor(
    private readonly node: AdmissionNode | undefined,
    private readonly json: Record<string, unknown>,
    private readonly memo: WeakMap<object, unknown>,
  ) {
    super();
  }

  private isStruct(): boolean {
    return !(this.node?.m || !this.node?.p);
  }

  /** The schema node of property `k`, as the eager conversion picks it. */
  private childNode(k: string): AdmissionNode | undefined {
    const n = this.node;
    if (!this.isStruct()) return n?.m;
    return n!.p![k] ?? (n!.u ? undefined : n!.m);
  }

  private convert(k: string): unknown {
    if (this.read.has(k)) return this.read.get(k);
    const v = toCel(this.childNode(k), this.json[k], this.memo);
    this.read.set(k, v);
    return v;
  }

  /** Every entry, in the object's key order (once). */
  private materialize(): void {
    if (this.done) return;
    this.done = true;
    const struct = this.isStruct();
    for (const k of Object.keys(this.json)) super.set(struct ? celPropertyName(k) : k, this.convert(k));
  }

  override get(name: string): unknown {
    if (this.done) return super.get(name);
    // Every key of the map is a string (a JSON key, or its CEL name).
    if (typeof name !== 'string') return undefined;
    const own = Object.prototype.hasOwnProperty.call(this.json, name);
    // A map's keys are the JSON keys as they are.
    if (!this.isStruct()) return own ? this.convert(name) : undefined;
    // A struct's CEL name differs from its JSON key only by escapes, which all contain `__`: a
    // name without `__` is the CEL name of that JSON key or of none (absent: no search either).
    if (!name.includes('__')) return own && celPropertyName(name) === name ? this.convert(name) : undefined;
    this.materialize();
    return super.get(name);
  }
  override has(name: string): boolean {
    if (this.get(name) !== undefined) return true;
    this.materialize();
    return super.has(name);
  }
  override get size(): number {
    this.materialize();
    return super.size;
  }
  override forEach(cb: (value: unknown, key: string, map: Map<string, unknown>) => void, thisArg?: unknown): void {
    this.materialize();
    super.forEach(cb, thisArg);
  }
  override entries(): MapIterator<[string, unknown]> {
    this.materialize();
    return super.entries();
  }
  override keys(): MapIterator<string> {
    this.materialize();
    return super.keys();
  }
  override values(): MapIterator<unknown> {
    this.materialize();
    return super.values();
  }
  override [Symbol.iterator](): MapIterator<[string, unknown]> {
    return this.entries();
  }
  override set(): this {
    throw new Error('a CEL value is read-only');
  }
  override delete(): boolean {
    throw new Error('a CEL value is read-only');
  }
  override clear(): void {
    throw new Error('a CEL value is read-only');
  }
}

const REASONS: Record<string, string> = { FieldValueInvalid: 'Invalid value', FieldValueForbidden: 'Forbidden', FieldValueRequired: 'Required value', FieldValueDuplicate: 'Duplicate value' };

/** `.spec.foo['bar.baz']` (a rule's fieldPath) → JSON pointer segments. */
function fieldPathPointer(fieldPath: string): string {
  let out = '';
  for (const m of fieldPath.matchAll(/\.([^.[\]]+)|\[\s*'((?:[^'\\]|\\.)*)'\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[(\d+)\]/g)) out += `/${escape(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '')}`;
  return out;
}

/** The JSON pointer of the walk's position (its unescaped segments), built only to report a violation. */
const pointerOf = (segments: readonly string[]) => segments.map((s) => `/${escape(s)}`).join('');

function run(rule: CompiledRule, self: unknown, segments: readonly string[], out: RuleViolation[], counts: RuleCounts): void {
  if (rule.transition) {
    counts.transition++;
    return;
  }
  const reason = rule.spec.reason ?? 'FieldValueInvalid';
  const report = (msg: string) => out.push({ path: pointerOf(segments) + (rule.spec.fieldPath ? fieldPathPointer(rule.spec.fieldPath) : ''), msg, reason, rule: rule.spec.rule });
  if (!rule.program) {
    if (rule.error === undefined) {
      compileRule(rule);
      if (rule.program) return run(rule, self, segments, out, counts);
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

const propertyLists = new WeakMap<CompiledNode, readonly (readonly [string, CompiledNode])[]>();
/** The node's properties with rules at or below them, listed once per node. */
function propertiesOf(c: CompiledNode): readonly (readonly [string, CompiledNode])[] {
  let list = propertyLists.get(c);
  if (!list) propertyLists.set(c, (list = Object.entries(c.p ?? {})));
  return list;
}

const UNCONVERTED = Symbol('unconverted');

/** What one object's walk shares: the CEL values converted so far, made on the first conversion (most objects need none: presence.ts). */
interface Scope {
  memo?: WeakMap<object, unknown>;
}

function walk(c: CompiledNode, value: unknown, segments: string[], out: RuleViolation[], counts: RuleCounts, scope: Scope): void {
  if (value === undefined || value === null || !c.hasRules) return;
  if (c.rules.length) {
    // `self` as CEL sees it, converted only for a rule without a shortcut (or one that fails: CEL reports it).
    let self: unknown = UNCONVERTED;
    for (const r of c.rules) {
      if (r.presence && isObject(value) && r.presence(value)) {
        counts.evaluated++;
        continue;
      }
      if (self === UNCONVERTED) self = toCel(c.node, value, (scope.memo ??= new WeakMap()));
      run(r, self, segments, out, counts);
    }
  }
  if (Array.isArray(value)) {
    if (c.i) {
      for (let idx = 0; idx < value.length; idx++) {
        segments.push(String(idx));
        walk(c.i, value[idx], segments, out, counts, scope);
        segments.pop();
      }
    }
    return;
  }
  if (!isObject(value)) return;
  if (c.p) {
    for (const [k, child] of propertiesOf(c)) {
      if (!(k in value)) continue;
      segments.push(k);
      walk(child, value[k], segments, out, counts, scope);
      segments.pop();
    }
  }
  if (c.m) {
    for (const [k, v] of Object.entries(value)) {
      if (c.node.p?.[k]) continue;
      segments.push(k);
      walk(c.m, v, segments, out, counts, scope);
      segments.pop();
    }
  }
}

/** Every rule of `schema` over `obj` (defaults already applied, as the API server validates them). */
export function evaluateRules(schema: CompiledSchema, obj: unknown, counts: RuleCounts = { evaluated: 0, transition: 0, uncompiled: 0 }): { violations: RuleViolation[]; counts: RuleCounts } {
  const violations: RuleViolation[] = [];
  walk(schema.root, obj, [], violations, counts, {});
  return { violations, counts };
}
