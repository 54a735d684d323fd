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
import { KUBERNETES_LIBRARY } from './library.js';
import type { AdmissionNode, RuleSpec } from '../schema.js';

type Program = (ctx: { self: unknown; oldSelf?: unknown }) => CelResult;

/** One rule, ready to run, or why it cannot. */
export interface CompiledRule {
  readonly spec: RuleSpec;
  /** JSON pointer of the schema node (`/spec/scaling`; `*` for map values, `-` for list items). */
  readonly at: string;
  readonly program?: Program;
  readonly message?: Program;
  /** Uses `oldSelf`: only checked on update, so skipped (and counted) at create time. */
  readonly transition: boolean;
  /** Why it could not be compiled. */
  readonly error?: string;
}

/** The admission tree with its rules compiled. */
export interface CompiledNode {
  readonly node: AdmissionNode;
  readonly rules: readonly CompiledRule[];
  readonly p?: Readonly<Record<string, CompiledNode>>;
  readonly m?: CompiledNode;
  readonly i?: CompiledNode;
}

export interface CompiledSchema {
  readonly root: CompiledNode;
  readonly total: number;
  readonly compiled: number;
  readonly transition: number;
  readonly failed: readonly CompiledRule[];
}

const ENV = celEnv({ funcs: [...KUBERNETES_LIBRARY], variables: { self: CelScalar.DYN, oldSelf: CelScalar.DYN } });
const cache = new Map<string, CompiledSchema>();

/** Compiles (or returns the compiled) rules of `tree`; `key` identifies the tree (its hash). */
export function compileSchema(tree: AdmissionNode, key: string): CompiledSchema {
  let hit = cache.get(key);
  if (!hit) {
    const all: CompiledRule[] = [];
    const root = compileNode(tree, '', all);
    hit = {
      root,
      total: all.length,
      compiled: all.filter((r) => r.program).length,
      transition: all.filter((r) => r.transition).length,
      failed: all.filter((r) => r.error),
    };
    cache.set(key, hit);
  }
  return hit;
}

/** One expression → program, or the compiler's complaint. */
export function compileExpression(expr: string): { program?: Program; error?: string } {
  try {
    return { program: plan(ENV, parse(expr)) as unknown as Program };
  } catch (e) {
    return { error: String((e as Error).message ?? e).split('\n')[0] };
  }
}

const escape = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

function compileNode(node: AdmissionNode, at: string, all: CompiledRule[]): CompiledNode {
  const rules = (node.r ?? []).map((spec): CompiledRule => {
    const transition = /\boldSelf\b/.test(spec.rule);
    if (!spec.rule) return { spec, at, transition, error: 'the rule is empty' };
    const rule = compileExpression(spec.rule);
    const message = spec.messageExpression ? compileExpression(spec.messageExpression) : undefined;
    const error = rule.error ?? (message?.error ? `messageExpression: ${message.error}` : undefined);
    return { spec, at, transition, ...(rule.program ? { program: rule.program } : {}), ...(message?.program ? { message: message.program } : {}), ...(error ? { error } : {}) };
  });
  all.push(...rules);
  const out: { -readonly [K in keyof CompiledNode]: CompiledNode[K] } = { node, rules };
  if (node.p) out.p = Object.fromEntries(Object.entries(node.p).map(([k, c]) => [k, compileNode(c, `${at}/${escape(k)}`, all)]));
  if (node.m) out.m = compileNode(node.m, `${at}/*`, all);
  if (node.i) out.i = compileNode(node.i, `${at}/-`, all);
  return out;
}
