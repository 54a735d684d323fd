/**
 * Built-in Kubernetes kinds (Namespace, Job, CronJob, ConfigMap, RBAC…), validated strictly:
 * kubernetes-models 4.5 (≈ Kubernetes 1.33) ships one precompiled Ajv validator per kind that
 * checks types, enums, formats and required fields — but lets unknown fields through — so the
 * unknown-field check of `known-fields.ts` runs beside it. No JSON schema is copied into this
 * repository; both come from registry packages.
 */
import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import { rootModel, unknownFields } from './known-fields.js';

const require = createRequire(import.meta.url);

/** Validates one object of a fixed built-in kind; resolves to its errors (empty = valid). */
export type ObjectValidator = (obj: unknown) => Promise<ErrorObject[]>;

interface ModelClass {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly prototype: { validate(this: unknown): void };
}

const cache = new Map<string, Promise<ObjectValidator | undefined>>();

/** The validator of built-in `apiVersion`/`kind`, or undefined when Kubernetes has no such kind. */
export function builtinValidator(apiVersion: string, kind: string): Promise<ObjectValidator | undefined> {
  const key = `${apiVersion}|${kind}`;
  let p = cache.get(key);
  if (!p) {
    p = load(apiVersion, kind);
    cache.set(key, p);
  }
  return p;
}

async function load(apiVersion: string, kind: string): Promise<ObjectValidator | undefined> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  if (!/^[a-z0-9.-]*$/.test(group ?? '') || !/^v[0-9]+((alpha|beta)[0-9]+)?$/.test(version ?? '') || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  let cls: ModelClass | undefined;
  try {
    // kubernetes-models/<group>/<version>/<Kind> (core: kubernetes-models/<version>/<Kind>).
    const mod = require(`kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`) as Record<string, ModelClass | undefined>;
    cls = mod[kind];
  } catch {
    return undefined;
  }
  // Only top-level kinds: `v1/Container` exists as a model but is no kind.
  if (!cls || cls.apiVersion !== apiVersion || cls.kind !== kind) return undefined;
  const model = await rootModel(apiVersion, kind);
  const validate = cls.prototype.validate;
  return async (obj) => {
    const errors: ErrorObject[] = [];
    try {
      validate.call(obj);
    } catch (e) {
      const found = (e as { errors?: ErrorObject[] }).errors;
      if (!Array.isArray(found)) throw e;
      errors.push(...found);
    }
    // Without the client-node model we could not check unknown fields: that would be a silent
    // lax pass, so say so instead.
    if (!model) {
      errors.push({ instancePath: '', schemaPath: '#', keyword: 'strict', params: {}, message: `no field list for ${apiVersion} ${kind}: unknown fields cannot be rejected` });
    } else errors.push(...(await unknownFields(obj, model)));
    return errors;
  };
}

/**
 * Checks `metadata` of any object (custom resources included) the way the API server does for
 * every kind — CRD schemas only say `metadata: {type: object}`. Borrows ConfigMap's validator,
 * whose only required fields are apiVersion/kind, so only metadata errors can come back.
 */
export async function objectMetaErrors(metadata: unknown): Promise<ErrorObject[]> {
  const configMap = await builtinValidator('v1', 'ConfigMap');
  if (!configMap || metadata === undefined) return [];
  return configMap({ apiVersion: 'v1', kind: 'ConfigMap', metadata });
}
