/**
 * CustomResourceDefinition → one JSON Schema per served version, with the rewrites kubeconform's
 * CRD schemas get from openapi2jsonschema (see shared notes, tooling §1.3), so that `-strict`
 * semantics hold: unknown fields are rejected everywhere below the root.
 *
 * Pure: object in, schemas out. The result only keeps validation keywords (descriptions,
 * defaults and `x-kubernetes-*` markers are dropped once used), which makes it small to cache
 * and stable to hash.
 */
import { admissionSchema, type AdmissionNode } from '../admission/schema.js';
import { ASSERTED_FORMATS } from './formats.js';

/** Bump when the conversion changes: it is part of every cache key derived from a converted schema. */
export const CONVERTER_VERSION = 'crd2jsonschema-2';

/** One served version of a CRD, as a JSON Schema. */
export interface CrdVersionSchema {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly schema: JsonSchema;
  /** Things the conversion had to give up on (e.g. an RE2-only pattern), as `path: what`. */
  readonly warnings: readonly string[];
  /** CEL rules and defaults of the version, for admission (absent when it has neither). */
  readonly admission?: AdmissionNode;
}

/** A JSON Schema (or openAPIV3Schema) node. */
export type JsonSchema = { [key: string]: unknown };

/** Keywords Ajv (draft-07) understands and that a structural CRD schema may carry. */
const KEEP = new Set([
  'type', 'format', 'properties', 'additionalProperties', 'patternProperties', 'items', 'additionalItems',
  'required', 'enum', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties',
  'multipleOf', 'anyOf', 'oneOf', 'allOf', 'not', 'nullable', 'dependencies', '$ref', 'definitions',
]);
/** Dropped without a word: annotations, and markers whose meaning the rewrite below applies. */
const ANNOTATIONS = new Set(['description', 'title', 'default', 'example', 'externalDocs', '$schema', 'id']);

const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when `doc` looks like an apiextensions.k8s.io CustomResourceDefinition. */
export function isCrd(doc: unknown): doc is JsonSchema {
  return isObject(doc) && doc.kind === 'CustomResourceDefinition' && typeof doc.apiVersion === 'string' && doc.apiVersion.startsWith('apiextensions.k8s.io/');
}

/**
 * Every served version of `crd` that carries `schema.openAPIV3Schema`. Patches (a CRD without
 * versions, such as a conversion-webhook patch) give nothing.
 */
export function crdVersionSchemas(crd: JsonSchema): CrdVersionSchema[] {
  const spec = isObject(crd.spec) ? crd.spec : {};
  const group = typeof spec.group === 'string' ? spec.group : undefined;
  const kind = isObject(spec.names) && typeof spec.names.kind === 'string' ? spec.names.kind : undefined;
  if (!group || !kind || !Array.isArray(spec.versions)) return [];
  const out: CrdVersionSchema[] = [];
  for (const v of spec.versions) {
    if (!isObject(v) || typeof v.name !== 'string' || v.served === false) continue;
    // apiextensions.k8s.io/v1beta1 CRDs may carry one schema for all versions at spec.validation.
    const raw = (isObject(v.schema) && v.schema.openAPIV3Schema) || (isObject(spec.validation) && spec.validation.openAPIV3Schema);
    if (!isObject(raw)) continue;
    const warnings: string[] = [];
    const admission = admissionSchema(raw);
    out.push({ group, version: v.name, kind, schema: toJsonSchema(raw, warnings), warnings, ...(admission ? { admission } : {}) });
  }
  return out;
}

/**
 * One openAPIV3Schema → JSON Schema (draft-07 as Ajv reads it):
 * - `additionalProperties: false` on every object that lists `properties` and sets no
 *   `additionalProperties`, except the root (kubeconform leaves top-level fields open) and except
 *   `x-kubernetes-preserve-unknown-fields: true` nodes (which openapi2jsonschema wrongly closes);
 * - `x-kubernetes-embedded-resource` objects keep apiVersion/kind/metadata allowed;
 * - int-or-string (`x-kubernetes-int-or-string` without an anyOf, or the legacy
 *   `format: int-or-string`) → `anyOf: [integer, string]`;
 * - OpenAPI 3.0 boolean `exclusiveMinimum/Maximum` → the numeric draft-07 form;
 * - a `pattern` JavaScript cannot compile (RE2-only syntax) is dropped with a warning;
 * - formats we do not assert (like kubeconform: int32/int64 range aside, only well-known ones)
 *   are dropped, so Ajv's strict mode does not stop at an unknown format.
 */
export function toJsonSchema(root: JsonSchema, warnings: string[] = []): JsonSchema {
  return convert(root, '', true, warnings, true);
}

/**
 * A ready-made JSON Schema (from a kubeconform-style template location, such as the
 * `-standalone-strict` Kubernetes schemas) made acceptable to Ajv's strict mode: the same
 * keyword clean-up, but its objects are left as open or closed as their authors made them.
 */
export function fromJsonSchema(root: JsonSchema, warnings: string[] = []): JsonSchema {
  return convert(root, '', true, warnings, false);
}

function convert(node: JsonSchema, path: string, isRoot: boolean, warnings: string[], close: boolean): JsonSchema {
  const sub = (s: JsonSchema, p: string) => convert(s, p, false, warnings, close);
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (!KEEP.has(key)) {
      if (!key.startsWith('x-kubernetes-') && !ANNOTATIONS.has(key)) warnings.push(`${path || '/'}: keyword "${key}" is not checked`);
      continue;
    }
    out[key] = value;
  }
  if (isObject(out.properties)) {
    const props: JsonSchema = {};
    for (const [name, s] of Object.entries(out.properties)) props[name] = isObject(s) ? sub(s, `${path}/${name}`) : s;
    out.properties = props;
  }
  if (isObject(out.patternProperties)) {
    const props: JsonSchema = {};
    for (const [re, s] of Object.entries(out.patternProperties)) props[re] = isObject(s) ? sub(s, `${path}/${re}`) : s;
    out.patternProperties = props;
  }
  if (isObject(out.definitions)) {
    const defs: JsonSchema = {};
    for (const [name, s] of Object.entries(out.definitions)) defs[name] = isObject(s) ? sub(s, `#/definitions/${name}`) : s;
    out.definitions = defs;
  }
  if (isObject(out.additionalProperties)) out.additionalProperties = sub(out.additionalProperties, `${path}/*`);
  if (isObject(out.items)) out.items = sub(out.items, `${path}[]`);
  else if (Array.isArray(out.items)) out.items = out.items.map((s, i) => (isObject(s) ? sub(s, `${path}[${i}]`) : s));
  if (isObject(out.not)) out.not = sub(out.not, path);
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = out[k];
    if (Array.isArray(list)) out[k] = list.map((s) => (isObject(s) ? sub(s, path) : s));
  }

  const intOrString = node['x-kubernetes-int-or-string'] === true || node.format === 'int-or-string';
  if (intOrString && !out.anyOf && !out.oneOf) {
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
    if (out.type === 'string' || out.type === 'integer') delete out.type;
  }
  if (typeof out.format === 'string' && !ASSERTED_FORMATS.has(out.format)) delete out.format;
  for (const [bound, limit] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof out[bound] !== 'boolean') continue;
    if (out[bound] === true && typeof out[limit] === 'number') {
      out[bound] = out[limit];
      delete out[limit];
    } else delete out[bound];
  }
  if (typeof out.pattern === 'string') {
    try {
      new RegExp(out.pattern, 'u');
    } catch {
      warnings.push(`${path || '/'}: pattern ${JSON.stringify(out.pattern)} is not a JavaScript regular expression (RE2-only syntax?); not checked`);
      delete out.pattern;
    }
  }
  // Ajv reads OpenAPI's `nullable` only next to a `type`.
  if (out.nullable !== undefined && out.type === undefined) delete out.nullable;

  if (node['x-kubernetes-embedded-resource'] === true && isObject(out.properties)) {
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...out.properties };
  }
  const open = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (close && !isRoot && !open && isObject(out.properties) && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}
