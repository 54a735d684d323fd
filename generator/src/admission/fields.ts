/**
 * Unknown fields of an object against its (converted, strict) JSON Schema, each with a "did you
 * mean" from the fields the schema allows there — what `generate` tells a catalog author who wrote
 * `routr:` or `readinesProbe:` in an escape hatch. Only unknown keys; the full schema check is
 * validate's. Pure.
 */
import { closest } from '../catalog/load.js';

type Schema = { [key: string]: unknown };
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

export interface UnknownField {
  readonly path: string;
  readonly key: string;
  readonly suggestion?: string;
  readonly allowed: readonly string[];
}

/** The unknown keys under `value`, walking `schema` (properties, items, additionalProperties, allOf/anyOf/oneOf). */
export function unknownFields(schema: Schema, value: unknown, at = '', out: UnknownField[] = []): UnknownField[] {
  const branches = [schema, ...['allOf', 'anyOf', 'oneOf'].flatMap((k) => (Array.isArray(schema[k]) ? (schema[k] as unknown[]).filter(isObject) : []))] as Schema[];
  if (Array.isArray(value)) {
    const items = branches.map((b) => b.items).find(isObject);
    if (items) value.forEach((v, i) => unknownFields(items as Schema, v, `${at}/${i}`, out));
    return out;
  }
  if (!isObject(value)) return out;
  const props: Record<string, Schema> = Object.assign({}, ...branches.map((b) => (isObject(b.properties) ? b.properties : {})));
  const additional = branches.map((b) => b.additionalProperties).find((a) => a !== undefined);
  for (const [k, v] of Object.entries(value)) {
    if (props[k]) unknownFields(props[k], v, `${at}/${escape(k)}`, out);
    else if (isObject(additional)) unknownFields(additional as Schema, v, `${at}/${escape(k)}`, out);
    else if (additional === false && Object.keys(props).length) {
      const allowed = Object.keys(props).sort();
      const suggestion = closest(k, allowed);
      out.push({ path: `${at}/${escape(k)}`, key: k, allowed, ...(suggestion ? { suggestion } : {}) });
    }
  }
  return out;
}
