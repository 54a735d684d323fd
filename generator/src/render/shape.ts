/**
 * Object building that keeps V8 hidden classes shared. On Node 20's V8, an object literal with
 * more than one spread (`{ ...a, ...b }`) gets a map of its own for every object it makes, so
 * thousands of rendered objects of one shape each have their own, and every later reader (the
 * emitter, Ajv, the admission walks) runs megamorphic on them. Assigning the keys in order gives
 * the same object, key order included, on shared maps.
 */
import type { Json, JsonObject } from '../model/types.js';

/** `{ ...parts[0], ...parts[1], … }`, built by assignment. */
export function combined(...parts: readonly (Readonly<Record<string, Json>> | undefined)[]): JsonObject {
  const out: JsonObject = {};
  for (const p of parts) if (p) for (const k of Object.keys(p)) put(out, k, p[k]!);
  return out;
}

/** `o[k] = v` as a literal or a spread defines it: a `__proto__` key is an own property, not the prototype. */
function put(o: JsonObject, k: string, v: Json): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}
