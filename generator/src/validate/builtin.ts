/**
 * Built-in Kubernetes kinds (Namespace, Job, CronJob, ConfigMap, RBAC…), validated strictly:
 * kubernetes-models 4.5 (≈ Kubernetes 1.33) ships one precompiled Ajv validator per kind that
 * checks types, enums, formats and required fields — but lets unknown fields through — so the
 * unknown-field check of `known-fields.ts` runs beside it. No JSON schema is copied into this
 * repository; both come from registry packages.
 */
import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import { rootModel, unknownFields, unknownFieldsNow } from './known-fields.js';

const require = createRequire(import.meta.url);

/** Validates one object of a fixed built-in kind; resolves to its errors (empty = valid). */
export type ObjectValidator = (obj: unknown) => Promise<ErrorObject[]>;

interface ModelClass {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly prototype: { validate(this: unknown): void };
}

/**
 * The same check, synchronously: the errors, or undefined when a field list it needs is not
 * loaded yet (then the ObjectValidator, which loads it).
 */
export type ObjectCheck = (obj: unknown) => ErrorObject[] | undefined;

const cache = new Map<string, Promise<ObjectValidator | undefined>>();
/** The validators loaded so far, as synchronous checks (null: no such built-in kind), by apiVersion then kind (no key string per object). */
const ready = new Map<string, Map<string, ObjectCheck | null>>();

type ModelModule = Record<string, ModelClass | undefined> & { readonly default?: Record<string, ModelClass | undefined> };

/**
 * The built-in kinds the renderer writes (render/, prerequisites/, the health job), imported by
 * literal name so that scripts/bundle.mjs puts them, with kubernetes-models' runtime, into
 * validate's code-cached bundle: no module resolution or compile when a run meets them (a Job's
 * validator is ~100 CommonJS files). import() keeps each one lazy. Any other kind is required by
 * computed name below, as before. test/validate-fixed-costs.test.ts: every built-in kind a rendered
 * tree holds is here.
 */
export const RENDERED: Readonly<Record<string, () => Promise<ModelModule>>> = {
  'v1|ConfigMap': () => import('kubernetes-models/v1/ConfigMap'),
  'v1|Namespace': () => import('kubernetes-models/v1/Namespace'),
  'v1|PersistentVolumeClaim': () => import('kubernetes-models/v1/PersistentVolumeClaim'),
  'v1|ServiceAccount': () => import('kubernetes-models/v1/ServiceAccount'),
  'v1|Pod': () => import('kubernetes-models/v1/Pod'),
  'batch/v1|Job': () => import('kubernetes-models/batch/v1/Job'),
  'batch/v1|CronJob': () => import('kubernetes-models/batch/v1/CronJob'),
  'apps/v1|Deployment': () => import('kubernetes-models/apps/v1/Deployment'),
  'rbac.authorization.k8s.io/v1|Role': () => import('kubernetes-models/rbac.authorization.k8s.io/v1/Role'),
  'rbac.authorization.k8s.io/v1|RoleBinding': () => import('kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'),
  'rbac.authorization.k8s.io/v1|ClusterRole': () => import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole'),
  'rbac.authorization.k8s.io/v1|ClusterRoleBinding': () => import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding'),
} as unknown as Record<string, () => Promise<ModelModule>>;

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

/** The check of built-in `apiVersion`/`kind` once `builtinValidator` has loaded it (null: no such kind; undefined: not loaded yet). */
export function builtinNow(apiVersion: string, kind: string): ObjectCheck | null | undefined {
  return ready.get(apiVersion)?.get(kind);
}

async function load(apiVersion: string, kind: string): Promise<ObjectValidator | undefined> {
  const found = await validatorOf(apiVersion, kind);
  let kinds = ready.get(apiVersion);
  if (!kinds) ready.set(apiVersion, (kinds = new Map()));
  kinds.set(kind, found?.now ?? null);
  return found?.validate;
}

async function validatorOf(apiVersion: string, kind: string): Promise<{ validate: ObjectValidator; now: ObjectCheck } | undefined> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  if (!/^[a-z0-9.-]*$/.test(group ?? '') || !/^v[0-9]+((alpha|beta)[0-9]+)?$/.test(version ?? '') || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  let cls: ModelClass | undefined;
  try {
    // kubernetes-models/<group>/<version>/<Kind> (core: kubernetes-models/<version>/<Kind>).
    const rendered = Object.hasOwn(RENDERED, `${apiVersion}|${kind}`) ? await RENDERED[`${apiVersion}|${kind}`]!() : undefined;
    const mod = rendered ? (rendered[kind] ? rendered : (rendered.default ?? {})) : (require(`kubernetes-models/${group ? `${group}/` : ''}${version}/${kind}`) as ModelModule);
    cls = mod[kind];
  } catch {
    return undefined;
  }
  // Only top-level kinds: `v1/Container` exists as a model but is no kind.
  if (!cls || cls.apiVersion !== apiVersion || cls.kind !== kind) return undefined;
  const model = await rootModel(apiVersion, kind);
  const validate = cls.prototype.validate;
  const typeErrors = (obj: unknown): ErrorObject[] => thrownErrors(validate, obj);
  // Without the client-node model we could not check unknown fields: that would be a silent
  // lax pass, so say so instead.
  const noFieldList = (): ErrorObject => ({ instancePath: '', schemaPath: '#', keyword: 'strict', params: {}, message: `no field list for ${apiVersion} ${kind}: unknown fields cannot be rejected` });
  return {
    validate: async (obj) => {
      const errors = typeErrors(obj);
      if (!model) errors.push(noFieldList());
      else errors.push(...(await unknownFields(obj, model)));
      return errors;
    },
    now: (obj) => {
      const errors = typeErrors(obj);
      if (!model) errors.push(noFieldList());
      else {
        const unknown = unknownFieldsNow(obj, model);
        if (!unknown) return undefined;
        for (const e of unknown) errors.push(e);
      }
      return errors;
    },
  };
}

/** kubernetes-models' ObjectMeta model (imported by literal name: in validate's bundle), once loaded. */
let objectMeta: ModelClass | undefined;
let objectMetaLoad: Promise<unknown> | undefined;
const META = '/metadata';
/** The model class of the module (as an ES module, or CommonJS interop in the bundle, like RENDERED's). */
const metaModelOf = (m: ModelModule) => m.ObjectMeta ?? m.default?.ObjectMeta;

/**
 * kubernetes-models' errors for `metadata` at `/metadata`: the very errors a kind's validator
 * gives for its metadata (each kind's schema refers to ObjectMeta's own validator, so the same
 * schema paths and messages), without wrapping it in an object of some kind first.
 */
function metaTypeErrors(validate: (this: unknown) => void, metadata: unknown): ErrorObject[] {
  return thrownErrors(validate, metadata).map((err) => ({ ...err, instancePath: META + err.instancePath }));
}

/** kubernetes-models' errors for `obj` (its validators throw them; anything else thrown is a bug, rethrown). */
function thrownErrors(validate: (this: unknown) => void, obj: unknown): ErrorObject[] {
  try {
    validate.call(obj);
    return [];
  } catch (e) {
    const found = (e as { errors?: ErrorObject[] }).errors;
    if (!Array.isArray(found)) throw e;
    return [...found];
  }
}

/**
 * Checks `metadata` of any object (custom resources included) the way the API server does for
 * every kind — CRD schemas only say `metadata: {type: object}`: ObjectMeta's validator, then
 * its unknown fields (client-node's V1ObjectMeta), every error at `/metadata…`.
 */
export async function objectMetaErrors(metadata: unknown): Promise<ErrorObject[]> {
  await (objectMetaLoad ??= import('@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta').then((m) => (objectMeta = metaModelOf(m as unknown as ModelModule))));
  if (!objectMeta) throw new Error('validate: kubernetes-models has no ObjectMeta model');
  // Absent or null (every kind's schema takes `metadata: null`): nothing to check.
  if (metadata === undefined || metadata === null) return [];
  const errors = metaTypeErrors(objectMeta.prototype.validate, metadata);
  for (const e of await unknownFields(metadata, 'V1ObjectMeta', META)) errors.push(e);
  return errors;
}

/** The same, synchronously, once ObjectMeta's validator and the field lists it needs are loaded (else undefined: use `objectMetaErrors`). */
export function objectMetaNow(metadata: unknown): ErrorObject[] | undefined {
  if (!objectMeta) return undefined;
  if (metadata === undefined || metadata === null) return [];
  const unknown = unknownFieldsNow(metadata, 'V1ObjectMeta', META);
  if (!unknown) return undefined;
  const errors = metaTypeErrors(objectMeta.prototype.validate, metadata);
  for (const e of unknown) errors.push(e);
  return errors;
}
