/**
 * The CEL rules of one CRD version, compiled once: parse + plan with @bufbuild/cel (cel-es,
 * tested against the cel-spec conformance suite) in an environment of CEL's standard library
 * plus the Kubernetes libraries (library.ts). Compiled trees are kept per schema key for the
 * life of the process, so a run compiles each CRD version once, however many objects use it.
 *
 * Why cel-es: of the 1,795 `x-kubernetes-validations` rules of the CRDs in ../shared (7 of them
 * transition rules) it compiles all 1,795, where @marcbachmann/cel-js type-checks 1,753: it
 * refuses `has()` on an indexed value (`has(self[0].matches)`), which 42 Gateway API rules use —
 * HTTPRoute rules the llmisvc CRD embeds under `router.route.http.spec`. cel-es also runs the
 * cel-spec conformance suite. Rerun: `node scripts/cel-engines.mjs`.
 */
import { celEnv, parse, plan, CelScalar, type CelResult } from '@bufbuild/cel';
import { ParsedExprSchema } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { KUBERNETES_LIBRARY } from './library.js';
import { presenceRule, type PresenceRule } from './presence.js';
import { BELOW_RULES, type AdmissionNode, type RuleSpec } from '../schema.js';

type Program = (ctx: { self: unknown; oldSelf?: unknown }) => CelResult;

/**
 * One rule, compiled on first use (parsing is the cost: ~9 ms for a long Gateway API rule, and an
 * object reaches only the few rules where it has values), or why it cannot be.
 */
export interface CompiledRule {
  readonly spec: RuleSpec;
  /** JSON pointer of the schema node (`/spec/scaling`; `*` for map values, `-` for list items). */
  readonly at: string;
  program?: Program;
  message?: Program;
  /** Presence logic only (presence.ts): the same answer on an object, without CEL; set with `program`. */
  presence?: PresenceRule;
  /** Uses `oldSelf`: only checked on update, so skipped (and counted) at create time. */
  readonly transition: boolean;
  /** Why it could not be compiled (set once tried). */
  error?: string;
}

/** The admission tree with its rules compiled. */
export interface CompiledNode {
  readonly node: AdmissionNode;
  /** Whether this node or one below it has rules (the walk skips subtrees without). */
  readonly hasRules: boolean;
  readonly rules: readonly CompiledRule[];
  readonly p?: Readonly<Record<string, CompiledNode>>;
  readonly m?: CompiledNode;
  readonly i?: CompiledNode;
}

export interface CompiledSchema {
  readonly root: CompiledNode;
  readonly rules: readonly CompiledRule[];
  readonly total: number;
  readonly transition: number;
}

const ENV = celEnv({ funcs: [...KUBERNETES_LIBRARY], variables: { self: CelScalar.DYN, oldSelf: CelScalar.DYN } });
const cache = new Map<string, CompiledSchema>();

/** The rules of `tree`, ready to compile on use; `key` identifies the tree (its hash). */
export function compileSchema(tree: AdmissionNode, key: string): CompiledSchema {
  let hit = cache.get(key);
  if (!hit) {
    const all: CompiledRule[] = [];
    const root = compileNode(tree, '', all);
    hit = { root, rules: all, total: all.length, transition: all.filter((r) => r.transition).length };
    cache.set(key, hit);
  }
  return hit;
}

/** Compiles one rule (and its messageExpression) unless already tried. */
export function compileRule(rule: CompiledRule): void {
  if (rule.program || rule.error !== undefined) return;
  if (!rule.spec.rule) {
    rule.error = 'the rule is empty';
    return;
  }
  const r = compileExpression(rule.spec.rule);
  const m = rule.spec.messageExpression ? compileExpression(rule.spec.messageExpression) : undefined;
  const error = r.error ?? (m?.error ? `messageExpression: ${m.error}` : undefined);
  if (error !== undefined) rule.error = error;
  else {
    rule.program = r.program;
    if (m?.program) rule.message = m.program;
    const presence = presenceRule(rule.spec.rule);
    if (presence) rule.presence = presence;
  }
}

/** How many of the schema's rules are compiled so far, and which could not be. */
export function compiledSoFar(s: CompiledSchema): { compiled: number; failed: CompiledRule[] } {
  return { compiled: s.rules.filter((r) => r.program).length, failed: s.rules.filter((r) => r.error !== undefined) };
}

/**
 * Where parsed expressions are kept between runs (validate/cel-cache.ts: the validate cache).
 * `get` returns what `put` stored for the same text, else undefined.
 */
export interface ParseStore {
  get(expr: string): Uint8Array | undefined;
  put(expr: string, parsed: Uint8Array): void;
}

let parseStore: ParseStore | undefined;
/** How this process's compiles went: parsed from text, or decoded from the store. */
export const parseStats = { parsed: 0, decoded: 0 };

/** Keep parsed expressions in `store` (undefined: parse every expression in every run). */
export function useParseStore(store: ParseStore | undefined): void {
  parseStore = store;
}

/** The parsed tree of `expr`: decoded from the store when it holds one, else parsed (and stored). */
function parsed(expr: string): ReturnType<typeof parse> {
  const bytes = parseStore?.get(expr);
  if (bytes) {
    try {
      const p = fromBinary(ParsedExprSchema, bytes);
      if (p.expr) {
        parseStats.decoded++;
        return p as ReturnType<typeof parse>;
      }
    } catch {
      /* not a parsed expression: parse again and overwrite it */
    }
  }
  const p = parse(expr);
  parseStats.parsed++;
  parseStore?.put(expr, toBinary(ParsedExprSchema, p));
  return p;
}

/** One expression → program, or the compiler's complaint. */
export function compileExpression(expr: string): { program?: Program; error?: string } {
  try {
    return { program: plan(ENV, parsed(expr)) as unknown as Program };
  } catch (e) {
    return { error: String((e as Error).message ?? e).split('\n')[0] };
  }
}

const escape = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

const ruled = new WeakMap<AdmissionNode, boolean>();
/** Whether the node or one below it has rules (a subtree without is not built at all): the pruned tree's flag, else worked out (memoised). */
function hasRulesBelow(node: AdmissionNode): boolean {
  if (node.f !== undefined) return (node.f & BELOW_RULES) !== 0;
  let v = ruled.get(node);
  if (v === undefined) {
    v = !!node.r?.length || Object.values(node.p ?? {}).some(hasRulesBelow) || (!!node.m && hasRulesBelow(node.m)) || (!!node.i && hasRulesBelow(node.i));
    ruled.set(node, v);
  }
  return v;
}

function compileNode(node: AdmissionNode, at: string, all: CompiledRule[]): CompiledNode {
  const rules = (node.r ?? []).map((spec): CompiledRule => ({ spec, at, transition: /\boldSelf\b/.test(spec.rule) }));
  all.push(...rules);
  const out: { -readonly [K in keyof CompiledNode]: CompiledNode[K] } = { node, rules, hasRules: rules.length > 0 };
  if (node.p) {
    const kids = Object.entries(node.p)
      .filter(([, c]) => hasRulesBelow(c))
      .map(([k, c]) => [k, compileNode(c, `${at}/${escape(k)}`, all)] as const);
    if (kids.length) out.p = Object.fromEntries(kids);
  }
  if (node.m && hasRulesBelow(node.m)) {
    const m = compileNode(node.m, `${at}/*`, all);
    if (m.hasRules) out.m = m;
  }
  if (node.i && hasRulesBelow(node.i)) {
    const i = compileNode(node.i, `${at}/-`, all);
    if (i.hasRules) out.i = i;
  }
  out.hasRules = rules.length > 0 || !!out.p || !!out.m || !!out.i;
  return out;
}
