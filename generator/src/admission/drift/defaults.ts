/**
 * What the API server defaults: a CRD's structural defaults, applied as apiextensions does on
 * create — a property with a `default` that is absent (or null without `nullable`) gets a copy of
 * it, then every present value is defaulted by its own schema (list items, map values, and the
 * defaults just added). The root object itself is never defaulted. Pure: returns a copy when
 * anything changed, and the JSON pointers of what was added.
 */
import { BELOW_DEFAULTS, type AdmissionNode } from '../schema.js';

export interface Defaulted {
  readonly value: unknown;
  /** JSON pointers of the fields the server would add. */
  readonly added: readonly string[];
  /** Those of them inside a list item (what Argo CD's client-side diff sees as drift). */
  readonly inListItems: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

export function applyDefaults(node: AdmissionNode | undefined, value: unknown, at = ''): Defaulted {
  const added: string[] = [];
  const inListItems: string[] = [];
  const out = walk(node, value, { at, path: [], added, inList: inListItems }, false);
  return { value: out, added, inListItems };
}

const withDefaults = new WeakMap<AdmissionNode, boolean>();
/** Whether a default sits below `node` (the walk skips subtrees without): the pruned tree's flag, else worked out (memoised). */
function hasDefaults(node: AdmissionNode): boolean {
  if (node.f !== undefined) return (node.f & BELOW_DEFAULTS) !== 0;
  let v = withDefaults.get(node);
  if (v === undefined) {
    v = Object.values(node.p ?? {}).some((c) => c.d !== undefined || hasDefaults(c)) || (!!node.m && hasDefaults(node.m)) || (!!node.i && hasDefaults(node.i));
    withDefaults.set(node, v);
  }
  return v;
}

/**
 * What the walk needs of a node that has defaults at or below it (none: `undefined`, and the walk
 * skips it): the properties with a default, and the properties, map values and list items to
 * descend into. Worked out once per node, not per object. A plan links to its children's plans
 * as the walk first reaches them, so the walk looks nothing up per node it visits afterwards,
 * and a run that meets a few objects plans only the part of a schema they reach (the
 * LLMInferenceService schema holds several pod templates: planning all of it up front cost a
 * 44-object run ~30 ms).
 */
class Plan {
  readonly defaults: readonly (readonly [string, AdmissionNode])[];
  /** Properties with defaults at or below them: their nodes, and their plans once reached. */
  private readonly kidNodes: ReadonlyMap<string, AdmissionNode>;
  private readonly kidPlans = new Map<string, Plan>();
  /** The one such property, when it is the only place to look (no map values). */
  readonly only: string | undefined;
  /** Whether map values have defaults below them. */
  readonly hasMap: boolean;
  private mapPlan: Plan | null | undefined;
  private itemsPlan: Plan | null | undefined;

  constructor(readonly node: AdmissionNode) {
    const props = Object.entries(node.p ?? {});
    this.defaults = props.filter(([, c]) => c.d !== undefined);
    this.kidNodes = new Map(props.filter(([, c]) => hasDefaults(c)));
    this.hasMap = !!node.m && hasDefaults(node.m);
    this.only = !this.hasMap && this.kidNodes.size === 1 ? [...this.kidNodes.keys()][0] : undefined;
  }

  get hasKids(): boolean {
    return this.kidNodes.size > 0;
  }
  /** The plan of property `k` when defaults sit below it. */
  kid(k: string): Plan | undefined {
    let plan = this.kidPlans.get(k);
    if (plan === undefined) {
      const node = this.kidNodes.get(k);
      if (!node) return undefined;
      this.kidPlans.set(k, (plan = planOf(node)!));
    }
    return plan;
  }
  /** additionalProperties (map values), when defaults sit below it. */
  map(): Plan | undefined {
    if (this.mapPlan === undefined) this.mapPlan = (this.node.m && planOf(this.node.m)) || null;
    return this.mapPlan ?? undefined;
  }
  items(): Plan | undefined {
    if (this.itemsPlan === undefined) this.itemsPlan = (this.node.i && planOf(this.node.i)) || null;
    return this.itemsPlan ?? undefined;
  }
}

const plans = new WeakMap<AdmissionNode, Plan | null>();
let made = 0;
/** How many plans this process has made (for the tests: planning stays proportional to what objects reach). */
export const plansMade = (): number => made;
function planOf(node: AdmissionNode | undefined): Plan | undefined {
  if (!node) return undefined;
  let plan = plans.get(node);
  if (plan === undefined) {
    plan = hasDefaults(node) ? new Plan(node) : null;
    if (plan) made++;
    plans.set(node, plan);
  }
  return plan ?? undefined;
}

/** Where the walk is (JSON pointer segments below `at`), and what it found. Pointers are built only for what was added. */
interface Walk {
  readonly at: string;
  readonly path: string[];
  readonly added: string[];
  readonly inList: string[];
}
const pointer = (w: Walk, k: string) => `${w.at}${w.path.map((s) => `/${escape(s)}`).join('')}/${escape(k)}`;
const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function walk(node: AdmissionNode | undefined, value: unknown, w: Walk, listItem: boolean): unknown {
  const plan = planOf(node);
  return plan ? walkPlan(plan, value, w, listItem) : value;
}

/** `value` with the defaults of `plan` and below applied (a copy when any was added). */
function walkPlan(plan: Plan, value: unknown, w: Walk, listItem: boolean): unknown {
  if (Array.isArray(value)) {
    const items = plan.items();
    if (!items) return value;
    let copy: unknown[] | undefined;
    for (let idx = 0; idx < value.length; idx++) {
      const item: unknown = value[idx];
      w.path.push(String(idx));
      const next = walkPlan(items, item, w, true);
      w.path.pop();
      if (next !== item) (copy ??= [...value])[idx] = next;
    }
    return copy ?? value;
  }
  if (!isObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  const defaults = plan.defaults;
  for (let d = 0; d < defaults.length; d++) {
    const [k, prop] = defaults[d]!;
    const v = value[k];
    if (v === undefined || (v === null && !prop.n)) {
      (copy ??= { ...value })[k] = structuredClone(prop.d);
      const p = pointer(w, k);
      w.added.push(p);
      if (listItem) w.inList.push(p);
    }
  }
  const current = copy ?? value;
  const only = plan.only;
  if (only) {
    // One property to look into: no need to go through the object's keys.
    const k = only;
    if (own(current, k)) {
      const v = current[k];
      w.path.push(k);
      const next = walkPlan(plan.kid(k)!, v, w, listItem);
      w.path.pop();
      if (next !== v) (copy ??= { ...value })[k] = next;
    }
  } else if (plan.hasMap || plan.hasKids) {
    // In the object's key order, as the defaults it adds are listed.
    const props = plan.node.p;
    const map = plan.map();
    const keys = Object.keys(current);
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j]!;
      const child = plan.kid(k) ?? (map && !(props && own(props, k)) ? map : undefined);
      if (!child) continue;
      const v = current[k];
      w.path.push(k);
      const next = walkPlan(child, v, w, listItem);
      w.path.pop();
      if (next !== v) (copy ??= { ...value })[k] = next;
    }
  }
  return copy ?? value;
}
