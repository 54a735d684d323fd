/**
 * The escape hatch's merge: maps merge key by key, `null` deletes a key (as in a JSON merge
 * patch), lists whose items all carry a `name` merge item by item on that name (as a strategic
 * merge patch does for containers and env), any other list replaces the base list.
 */
import type { Json, JsonObject } from '../model/types.js';

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNamedList(v: unknown): v is JsonObject[] {
  return Array.isArray(v) && v.length > 0 && v.every((i) => isObject(i) && typeof i.name === 'string');
}

export function deepMerge(base: Json | undefined, patch: Json | undefined): Json | undefined {
  if (patch === undefined) return base;
  if (patch === null) return undefined;
  if (isObject(base) && isObject(patch)) {
    const out: JsonObject = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      const merged = deepMerge(Object.hasOwn(base, k) ? base[k] : undefined, v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  if (isNamedList(base) && isNamedList(patch)) {
    const out = base.map((item) => {
      const over = patch.find((p) => p.name === item.name);
      return over ? (deepMerge(item, over) as JsonObject) : item;
    });
    for (const p of patch) if (!base.some((b) => b.name === p.name)) out.push(stripNulls(p) as JsonObject);
    return out;
  }
  return stripNulls(patch);
}

/** A patch value that lands where nothing was: its nulls mean "absent". */
function stripNulls(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = stripNulls(x);
    return out;
  }
  return v;
}
