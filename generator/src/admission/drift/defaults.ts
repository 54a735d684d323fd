/**
 * What the API server defaults: a CRD's structural defaults, applied as apiextensions does on
 * create — a property with a `default` that is absent (or null without `nullable`) gets a copy of
 * it, then every present value is defaulted by its own schema (list items, map values, and the
 * defaults just added). The root object itself is never defaulted. Pure: returns a copy when
 * anything changed, and the JSON pointers of what was added.
 */
import type { AdmissionNode } from '../schema.js';

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
  const out = walk(node, value, at, added, inListItems, false);
  return { value: out, added, inListItems };
}

const withDefaults = new WeakMap<AdmissionNode, boolean>();
/** Whether a default sits at or below `node` (memoised: the walk skips subtrees without). */
function hasDefaults(node: AdmissionNode): boolean {
  let v = withDefaults.get(node);
  if (v === undefined) {
    v = Object.values(node.p ?? {}).some((c) => c.d !== undefined || hasDefaults(c)) || (!!node.m && hasDefaults(node.m)) || (!!node.i && hasDefaults(node.i));
    withDefaults.set(node, v);
  }
  return v;
}

function walk(node: AdmissionNode | undefined, value: unknown, at: string, added: string[], inList: string[], listItem: boolean): unknown {
  if (!node || !hasDefaults(node)) return value;
  if (Array.isArray(value)) {
    if (!node.i) return value;
    let copy: unknown[] | undefined;
    value.forEach((item, idx) => {
      const next = walk(node.i, item, `${at}/${idx}`, added, inList, true);
      if (next !== item) (copy ??= [...value])[idx] = next;
    });
    return copy ?? value;
  }
  if (!isObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [k, prop] of Object.entries(node.p ?? {})) {
    if (prop.d === undefined) continue;
    const v = value[k];
    if (v === undefined || (v === null && !prop.n)) {
      (copy ??= { ...value })[k] = structuredClone(prop.d);
      added.push(`${at}/${escape(k)}`);
      if (listItem) inList.push(`${at}/${escape(k)}`);
    }
  }
  const current = copy ?? value;
  for (const [k, v] of Object.entries(current)) {
    const child = node.p?.[k] ?? node.m;
    if (!child) continue;
    const next = walk(child, v, `${at}/${escape(k)}`, added, inList, listItem);
    if (next !== v) (copy ??= { ...value })[k] = next;
  }
  return copy ?? value;
}
