/**
 * Would the cluster admit this object on create? What the API server does after the schema
 * check, as pure functions: structural defaults (drift/defaults.ts), then the CRD's CEL rules
 * (cel/) on the defaulted object; then the validating webhooks of the pinned KServe version
 * (webhook/). `validate` calls `admit` for every object whose schema is a CRD.
 */
import { compileRule, compiledSoFar, compileSchema } from './cel/compile.js';
import { evaluateRules, type RuleCounts, type RuleViolation } from './cel/evaluate.js';
import { applyDefaults } from './drift/defaults.js';
import type { AdmissionNode } from './schema.js';

export type { RuleCounts, RuleViolation };
export { admissionSchema, countRules, type AdmissionNode } from './schema.js';

/** What one CRD version's rules are: counted when first compiled in a run. */
export interface SchemaRules {
  readonly total: number;
  readonly compiled: number;
  readonly transition: number;
  /** Rules that could not be compiled, with why (`at` is the schema path). */
  readonly failed: readonly { readonly at: string; readonly rule: string; readonly error: string }[];
}

export interface Admission {
  readonly violations: readonly RuleViolation[];
  readonly counts: RuleCounts;
  /** JSON pointers of fields the API server would add by default. */
  readonly defaulted: readonly string[];
  /** Those inside list items: drift for Argo CD's client-side diff. */
  readonly listItemDefaults: readonly string[];
  /** The object as the API server would store it (defaults applied). */
  readonly stored: unknown;
}

/**
 * The rules of an admission tree and how many are compiled: with `all`, every rule is compiled
 * now; else only those objects reached so far (rules compile on first use).
 */
export function schemaRules(tree: AdmissionNode, key: string, all = true): SchemaRules {
  const s = compileSchema(tree, key);
  if (all) for (const r of s.rules) compileRule(r);
  const { compiled, failed } = compiledSoFar(s);
  return { total: s.total, compiled, transition: s.transition, failed: failed.map((r) => ({ at: r.at || '/', rule: r.spec.rule, error: r.error ?? '' })) };
}

/** Defaults, then CEL, for one object against its CRD version's admission tree. */
export function admit(obj: unknown, tree: AdmissionNode, key: string): Admission {
  const { value, added, inListItems } = applyDefaults(tree, obj);
  const { violations, counts } = evaluateRules(compileSchema(tree, key), value);
  return { violations, counts, defaulted: added, listItemDefaults: inListItems, stored: value };
}
