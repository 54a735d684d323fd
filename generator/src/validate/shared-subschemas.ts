/**
 * A converted CRD schema → the same schema with its larger subschemas moved under `definitions`
 * and referenced by `$ref`, identical ones once. Pure; the schema means exactly what it meant.
 *
 * Why: Ajv inlines a schema without `$ref` into a single function. For the LLMInferenceService
 * CRD that is one ~150,000-line function (6.7 MB of code, the pod template schema four times
 * over), which V8 never optimises and whose huge frame it sets up on every call: ~25–70 µs per
 * object however small. Compiled with `inlineRefs: false`, every definition becomes a function
 * of its own: the module is ~0.7 MB, compiles ~5× faster, and validates an object in a few µs.
 *
 * Only what `properties`, `additionalProperties` and `items` hold is moved, never a part of an
 * `anyOf`/`oneOf`/`allOf`/`not` branch, so a union and its branches stay in one function and
 * Ajv's schema paths still tell a branch error from its union (validate/messages.ts). Errors
 * keep their `instancePath`, keyword, params and message; only `schemaPath` becomes relative to
 * the definition it was raised in. A schema that has `$ref`, `definitions` or `$id` of its own
 * (a ready-made JSON Schema from a template location) is left as it is.
 */
import type { JsonSchema } from './crd-schema.js';

/** Bump when the transform changes: part of the compiled-module cache key of every shared schema (compile.ts). */
export const SHARED_SUBSCHEMAS_VERSION = 'shared-subschemas-1';

/** Subschemas whose JSON is at least this long get a definition (measured: 300 B–1 KB are equally fast). */
const MIN_BYTES = 300;

const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a schema node or one below it names a `$ref`, `definitions` or `$id` (the names under `properties` are field names). */
function hasReferences(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasReferences);
  if (!isObject(v)) return false;
  if ('$ref' in v || 'definitions' in v || '$defs' in v || '$id' in v) return true;
  for (const [k, c] of Object.entries(v)) {
    if (k === 'properties' || k === 'patternProperties' || k === 'dependencies' ? isObject(c) && Object.values(c).some(hasReferences) : hasReferences(c)) return true;
  }
  return false;
}

/** The schema with shared definitions, or `schema` itself when it has references of its own or nothing to share. */
export function shareSubschemas(schema: JsonSchema): JsonSchema {
  if (hasReferences(schema)) return schema;
  const definitions: Record<string, JsonSchema> = {};
  const byText = new Map<string, string>();
  const child = (v: unknown): unknown => {
    if (!isObject(v)) return v;
    const node = visit(v);
    const text = JSON.stringify(node);
    if (text.length < MIN_BYTES) return node;
    let name = byText.get(text);
    if (name === undefined) {
      name = `s${byText.size}`;
      byText.set(text, name);
      definitions[name] = node;
    }
    return { $ref: `#/definitions/${name}` };
  };
  // Bottom-up: a node's own size is counted with its large children already replaced by references.
  const visit = (node: JsonSchema): JsonSchema => {
    const out: JsonSchema = { ...node };
    if (isObject(node.properties)) out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, child(v)]));
    if (isObject(node.additionalProperties)) out.additionalProperties = child(node.additionalProperties);
    if (isObject(node.items)) out.items = child(node.items);
    return out;
  };
  const root = visit(schema);
  return byText.size ? { ...root, definitions } : schema;
}
