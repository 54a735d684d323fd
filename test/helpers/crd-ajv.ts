/**
 * Validates objects against a real CustomResourceDefinition from ../shared/upstream, the way
 * kubeconform -strict does: the served version's openAPIV3Schema, with additionalProperties:false
 * injected on every object that lists properties (unknown fields fail), except nodes marked
 * x-kubernetes-preserve-unknown-fields. Ajv settings as in tooling.md §1.4.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const I32 = 2 ** 31;

type Schema = Record<string, unknown>;

function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) out[k] = strict(v);
  if (out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

export interface CrdValidator {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  /** Error lines (`/spec/foo must …`); empty when valid. */
  validate(obj: unknown): string[];
}

const cache = new Map<string, CrdValidator>();

/** A validator for the CRD in `file` (one CRD per file), for `version` or the single served one. */
export function crdValidator(file: string, version?: string): CrdValidator {
  const key = `${file}#${version ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const crd = parse(readFileSync(file, 'utf8')) as {
    spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema: { openAPIV3Schema: Schema } }[] };
  };
  const served = crd.spec.versions.filter((v) => v.served && (!version || v.name === version));
  if (served.length !== 1) throw new Error(`${file}: expected one served version${version ? ` ${version}` : ''}, found ${served.length}`);
  const v = served[0]!;
  const ajv = new Ajv({
    strict: true,
    strictTypes: false,
    strictTuples: false,
    allErrors: true,
    formats: {
      int32: { type: 'number', validate: (x: number) => Number.isInteger(x) && x >= -I32 && x < I32 },
      int64: { type: 'number', validate: (x: number) => Number.isInteger(x) },
    },
  });
  addFormats(ajv);
  ajv.addVocabulary([
    'x-kubernetes-int-or-string',
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-map-type',
    'x-kubernetes-validations',
    'x-kubernetes-embedded-resource',
  ]);
  const fn: ValidateFunction = ajv.compile(strict(v.schema.openAPIV3Schema) as Schema);
  const validator: CrdValidator = {
    group: crd.spec.group,
    kind: crd.spec.names.kind,
    version: v.name,
    validate(obj) {
      const o = obj as { apiVersion?: string; kind?: string };
      const issues: string[] = [];
      if (o.apiVersion !== `${crd.spec.group}/${v.name}`) issues.push(`apiVersion ${o.apiVersion} is not ${crd.spec.group}/${v.name}`);
      if (o.kind !== crd.spec.names.kind) issues.push(`kind ${o.kind} is not ${crd.spec.names.kind}`);
      if (!fn(obj)) for (const e of fn.errors ?? []) issues.push(`${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
      return issues;
    },
  };
  cache.set(key, validator);
  return validator;
}
