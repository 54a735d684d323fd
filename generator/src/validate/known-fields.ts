/**
 * The unknown-field check for built-in kinds (kubeconform's `-strict`): kubernetes-models'
 * validators check types, enums and required fields but accept any extra field, so the field
 * names come from the OpenAPI-generated models of @kubernetes/client-node (already a dependency,
 * Kubernetes 1.34): each model lists its JSON fields and their types in `attributeTypeMap`.
 * Model files are plain classes without imports, loaded only when a walk reaches them.
 */
import type { ErrorObject } from 'ajv';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { importModule } from './import-model.js';
import { nearest } from '../manifest/fingerprint.js';

export interface Attribute {
  readonly baseName: string;
  readonly type: string;
}

const MODELS = '@kubernetes/client-node/dist/gen/models';
const loaded = new Map<string, Promise<readonly Attribute[] | undefined>>();
/** The models this process imported (name → fields, null: no such model): validate/field-cache.ts keeps them. */
const imported = new Map<string, readonly Attribute[] | null>();

/** The fields of client-node model `name` (e.g. `V1PodSpec`), or undefined when there is no such model. */
export function modelAttributes(name: string): Promise<readonly Attribute[] | undefined> {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name) || name === 'Date' || name === 'IntOrString') return Promise.resolve(undefined);
  let p = loaded.get(name);
  if (!p) {
    p = importModule(`${MODELS}/${name}.js`).then(
      (m) => (m as Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>)[name]?.getAttributeTypeMap?.(),
      () => undefined,
    );
    p.then((attrs) => imported.set(name, attrs ? attrs.map((a) => ({ baseName: a.baseName, type: a.type })) : null));
    loaded.set(name, p);
  }
  return p;
}

/**
 * The sha256 of the installed client-node's package.json (which names its version): what the
 * field lists are kept by (validate/field-cache.ts), or undefined when it cannot be read. Here,
 * read from where Node resolves the package.
 */
export function clientNodeKey(): string | undefined {
  const pkg = nearest(dirname(fileURLToPath(import.meta.url)), join('node_modules', '@kubernetes', 'client-node', 'package.json'));
  return pkg && createHash('sha256').update(pkg.text).digest('hex');
}

/** The models this process imported or was seeded with (name → fields, null: no such model). */
export const importedModels = (): ReadonlyMap<string, readonly Attribute[] | null> => imported;

/** Takes models known from an earlier run as if imported (a model already asked for is kept as it is). */
export function seedModels(models: Iterable<readonly [string, readonly Attribute[] | null]>): void {
  for (const [name, list] of models) {
    if (loaded.has(name)) continue;
    imported.set(name, list);
    loaded.set(name, Promise.resolve(list ?? undefined));
    fieldTypes.set(name, list ? new Map(list.map((a) => [a.baseName, a.type])) : null);
  }
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The client-node model of a top-level kind. client-node names a type `<Version><Kind>`
 * (`V1Job`) unless two groups define it, then `<Group><Version><Kind>` (`CoreV1Event`).
 */
export async function rootModel(apiVersion: string, kind: string): Promise<string | undefined> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['core', apiVersion];
  const groupPrefix = pascal((group ?? '').split('.')[0] ?? '');
  for (const name of [`${groupPrefix}${pascal(version ?? '')}${kind}`, `${pascal(version ?? '')}${kind}`]) {
    const attrs = await modelAttributes(name);
    if (attrs?.some((a) => a.baseName === 'kind') && attrs.some((a) => a.baseName === 'apiVersion')) return name;
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const pointer = (key: string) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** Field name → type of each model loaded so far (null: no such model); the walk below reads only this. */
const fieldTypes = new Map<string, ReadonlyMap<string, string> | null>();

/**
 * Every field of `value` (recursively) that model `type` does not define, as Ajv-shaped errors.
 * The walk itself is synchronous over the models loaded so far; when it meets one not loaded
 * yet, that model is imported and the walk repeats (at most once per model and process).
 */
export async function unknownFields(value: unknown, type: string, path = ''): Promise<ErrorObject[]> {
  for (;;) {
    const missing = new Set<string>();
    const errors: ErrorObject[] = [];
    walkFields(value, type, path, [], errors, missing);
    if (!missing.size) return errors;
    await Promise.all(
      [...missing].map(async (name) => {
        const attrs = await modelAttributes(name);
        fieldTypes.set(name, attrs ? new Map(attrs.map((a) => [a.baseName, a.type])) : null);
      }),
    );
  }
}

const noneMissing = new Set<string>();
/**
 * The same walk, synchronously, when every model it meets is loaded already (a run's objects
 * after the first of their kind); undefined when it met one that is not (then use `unknownFields`).
 */
export function unknownFieldsNow(value: unknown, type: string, path = ''): ErrorObject[] | undefined {
  const errors: ErrorObject[] = [];
  walkFields(value, type, path, [], errors, noneMissing);
  if (!noneMissing.size) return errors;
  noneMissing.clear();
  return undefined;
}

const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;
/** `Array<T>` / `{ [key: string]: T; }` → T ('' when the type is neither), memoised per type name. */
const itemTypes = new Map<string, string>();
function itemOf(type: string): string {
  let item = itemTypes.get(type);
  if (item === undefined) {
    item = (type.startsWith('Array<') ? ARRAY.exec(type)?.[1] : type.startsWith('{') ? MAP.exec(type)?.[1] : undefined) ?? '';
    itemTypes.set(type, item);
  }
  return item;
}

/**
 * The walk. `at` holds the path below `base` as raw segments (pushed and popped as it goes): a
 * JSON pointer is spelled only for an unknown field found, never for the fields that are known.
 * Only objects and arrays are descended into (a scalar has no fields to check).
 */
function walkFields(value: unknown, type: string, base: string, at: string[], errors: ErrorObject[], missing: Set<string>): void {
  const list = type.charCodeAt(0) === 65 /* A */ && type.startsWith('Array<');
  if (list || type.charCodeAt(0) === 123 /* { */) {
    const item = itemOf(type);
    if (!item) return;
    if (list) {
      if (!Array.isArray(value)) return;
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (typeof v !== 'object' || v === null) continue;
        at.push(String(i));
        walkFields(v, item, base, at, errors, missing);
        at.pop();
      }
      return;
    }
    if (!isObject(value)) return;
    for (const k of Object.keys(value)) {
      const v = value[k];
      if (typeof v !== 'object' || v === null) continue;
      at.push(k);
      walkFields(v, item, base, at, errors, missing);
      at.pop();
    }
    return;
  }
  if (!isObject(value)) return;
  const byName = fieldTypes.get(type);
  if (byName === undefined) {
    missing.add(type);
    return;
  }
  if (byName === null) return;
  for (const key of Object.keys(value)) {
    const t = byName.get(key);
    if (t === undefined) {
      errors.push({ instancePath: base + at.map(pointer).join(''), schemaPath: `#/${type}/additionalProperties`, keyword: 'additionalProperties', params: { additionalProperty: key }, message: 'must NOT have additional properties' });
      continue;
    }
    const v = value[key];
    if (typeof v !== 'object' || v === null) continue;
    at.push(key);
    walkFields(v, t, base, at, errors, missing);
    at.pop();
  }
}
