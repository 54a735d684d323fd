/**
 * A CRD version's openAPIV3Schema → the part admission needs: where the CEL rules
 * (`x-kubernetes-validations`) and the structural defaults sit, and, inside a rule's scope, the
 * shape CEL sees (objects vs maps, numbers vs integers). Everything else is dropped, so the tree
 * is small enough to cache beside the converted JSON Schema and to hash as a compile key. Pure.
 */

/** One `x-kubernetes-validations` entry, as the CRD states it. */
export interface RuleSpec {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
  readonly reason?: string;
  readonly optionalOldSelf?: boolean;
}

/** A schema node, pruned. Short keys: the tree is stored in the CRD index cache. */
export interface AdmissionNode {
  /** `type` when it matters to CEL or defaulting: object, array, number (a double), integer, string, boolean. */
  readonly t?: string;
  /** Object properties. */
  readonly p?: Readonly<Record<string, AdmissionNode>>;
  /** additionalProperties: the node is a map; its values' schema. */
  readonly m?: AdmissionNode;
  /** Array items. */
  readonly i?: AdmissionNode;
  /** `default`. */
  readonly d?: unknown;
  /** `x-kubernetes-validations`. */
  readonly r?: readonly RuleSpec[];
  /** `x-kubernetes-int-or-string`. */
  readonly ios?: true;
  /** `x-kubernetes-preserve-unknown-fields` (unknown fields are kept, CEL sees them as dyn). */
  readonly u?: true;
  /** `nullable`. */
  readonly n?: true;
  /** `x-kubernetes-list-type`, `x-kubernetes-list-map-keys` (for list defaults and merges). */
  readonly lt?: string;
  readonly lk?: readonly string[];
  /**
   * What sits below, worked out once when the tree is pruned (the walks then read it instead of
   * visiting the subtree: ~6,700 nodes for an LLMInferenceService version): BELOW_DEFAULTS, a
   * property default at or under a child (drift/defaults.ts hasDefaults); BELOW_RULES, a rule here
   * or under a child (cel/compile.ts hasRulesBelow). A tree without it is walked.
   */
  readonly f?: number;
}

export const BELOW_DEFAULTS = 1;
export const BELOW_RULES = 2;
const below = (n: AdmissionNode | undefined, bit: number) => n !== undefined && ((n.f ?? 0) & bit) !== 0;

type Raw = { [key: string]: unknown };
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The admission tree of a version's schema; undefined when it has neither rules nor defaults. */
export function admissionSchema(raw: Raw): AdmissionNode | undefined {
  return prune(raw, false);
}

/** Keeps a node when it or a descendant has rules or defaults; below a rule, keeps the whole shape. */
function prune(s: Raw, inScope: boolean): AdmissionNode | undefined {
  const rules = Array.isArray(s['x-kubernetes-validations']) ? (s['x-kubernetes-validations'] as unknown[]).filter(isObject).map(ruleOf) : [];
  const scope = inScope || rules.length > 0;
  // allOf/anyOf/oneOf branches of a structural schema only restate constraints of the same
  // fields; their rules and defaults are Kubernetes' "value validations" and count as the node's.
  const branches = ['allOf', 'anyOf', 'oneOf'].flatMap((k) => (Array.isArray(s[k]) ? (s[k] as unknown[]).filter(isObject) : []));
  for (const b of branches) if (Array.isArray(b['x-kubernetes-validations'])) rules.push(...(b['x-kubernetes-validations'] as unknown[]).filter(isObject).map(ruleOf));
  const out: { -readonly [K in keyof AdmissionNode]: AdmissionNode[K] } = {};
  let keep = rules.length > 0 || s.default !== undefined;
  if (isObject(s.properties)) {
    const props: Record<string, AdmissionNode> = {};
    for (const [k, v] of Object.entries(s.properties)) {
      const child = isObject(v) ? prune(v, scope) : undefined;
      if (child) props[k] = child;
    }
    if (Object.keys(props).length || (scope && s.type === 'object')) out.p = props;
    if (Object.keys(props).length) keep = true;
  }
  if (isObject(s.additionalProperties)) {
    const child = prune(s.additionalProperties, scope);
    if (child) {
      out.m = child;
      keep = true;
    } else if (scope) out.m = {};
  }
  if (isObject(s.items)) {
    const child = prune(s.items, scope);
    if (child) {
      out.i = child;
      keep = true;
    }
  }
  if (!keep && !scope) return undefined;
  if (typeof s.type === 'string') out.t = s.type;
  if (s['x-kubernetes-int-or-string'] === true) out.ios = true;
  if (s['x-kubernetes-preserve-unknown-fields'] === true) out.u = true;
  if (s.nullable === true) out.n = true;
  if (s.default !== undefined) out.d = s.default;
  if (typeof s['x-kubernetes-list-type'] === 'string') out.lt = s['x-kubernetes-list-type'];
  if (Array.isArray(s['x-kubernetes-list-map-keys'])) out.lk = (s['x-kubernetes-list-map-keys'] as unknown[]).map(String);
  if (rules.length) out.r = rules;
  const kids = Object.values(out.p ?? {});
  const defaults = kids.some((c) => c.d !== undefined || below(c, BELOW_DEFAULTS)) || below(out.m, BELOW_DEFAULTS) || below(out.i, BELOW_DEFAULTS);
  const ruled = rules.length > 0 || kids.some((c) => below(c, BELOW_RULES)) || below(out.m, BELOW_RULES) || below(out.i, BELOW_RULES);
  out.f = (defaults ? BELOW_DEFAULTS : 0) | (ruled ? BELOW_RULES : 0);
  return out;
}

function ruleOf(v: Raw): RuleSpec {
  const str = (k: string) => (typeof v[k] === 'string' ? { [k]: v[k] as string } : {});
  return {
    rule: typeof v.rule === 'string' ? v.rule : '',
    ...str('message'),
    ...str('messageExpression'),
    ...str('fieldPath'),
    ...str('reason'),
    ...(v.optionalOldSelf === true ? { optionalOldSelf: true } : {}),
  };
}

/** How many rules the tree holds. */
export function countRules(node: AdmissionNode | undefined): number {
  if (!node) return 0;
  let n = node.r?.length ?? 0;
  for (const c of Object.values(node.p ?? {})) n += countRules(c);
  return n + countRules(node.m) + countRules(node.i);
}
