/**
 * Validates Kubernetes objects the way `kubeconform -strict` does: each object against the
 * schema of its apiVersion + kind — from the schema locations first, then the built-in kinds —
 * with unknown fields rejected. An object whose kind has no schema is an error, never a skip.
 *
 * One rule skips, explicitly and counted: kustomize's own configuration documents
 * (`kustomize.config.k8s.io`: Kustomization, Component) are build instructions, not objects
 * the API server would ever see. (Flux's `kustomize.toolkit.fluxcd.io` Kustomization is an
 * object and is validated.) Callers may add per-file skips with a stated reason.
 */
import type { ErrorObject } from 'ajv';
import { admit, schemaRules, type AdmissionNode, type SchemaRules } from '../admission/index.js';
import { compileRule, compileSchema } from '../admission/cel/compile.js';
import { checkWebhooks } from '../admission/webhook/index.js';
import { builtinNow, builtinValidator, objectMetaErrors, objectMetaNow } from './builtin.js';
import type { SchemaCompiler, ValidateFn } from './compile.js';
import { violations } from './messages.js';
import { readObjects, readResources, type Resource } from './resources.js';
import type { ResourceResult } from './result.js';
import type { Lookup } from './schema-store.js';

/** kustomize's own configuration API group: the one kind of document skipped by rule. */
export const KUSTOMIZE_CONFIG_GROUP = 'kustomize.config.k8s.io';
const KUSTOMIZE_PREFIX = `${KUSTOMIZE_CONFIG_GROUP}/`;
const BUILTIN_SOURCE = 'kubernetes-models (Kubernetes 1.33) + @kubernetes/client-node field lists';

/** Where schemas come from, and how validators are compiled. */
export interface ValidatorDeps {
  /** Schema lookup; `file` lets the caller pick locations per file (e.g. per KServe version). */
  readonly lookup: (apiVersion: string, kind: string, file: string) => Promise<Lookup>;
  /** The same lookup once `lookup` has answered it, synchronously (undefined: not yet); validate/stage.ts keeps them per schema store. */
  readonly lookupNow?: (apiVersion: string, kind: string, file: string) => Lookup | undefined;
  readonly compiler: SchemaCompiler;
  /** Schema locations, for the "no schema" message. */
  readonly describe: (file: string) => string;
  /** The KServe version whose webhook rules apply to objects of `file`; none: webhooks not checked. */
  readonly kserveVersion?: (file: string) => string;
  /** Whether objects of `file` are compared by Argo CD's client-side diff (list-item defaults drift). */
  readonly driftChecked?: (file: string) => boolean;
  /** A warning about an object (KServe webhook warnings, a version without ported rules). */
  readonly onWarning?: (file: string, line: number | undefined, message: string) => void;
  /** Called with the admission key of every object whose CEL rules run (validate/stage.ts batches). */
  readonly onAdmission?: (key: string) => void;
}

/** The CEL rules of one CRD version that objects reached (compiled or failed to): to merge reports across threads. */
export interface RulesUsed {
  readonly key: string;
  readonly source: string;
  readonly kind: string;
  readonly version: string;
  readonly tree: AdmissionNode;
  /** Indexes into the compiled schema's rules. */
  readonly tried: readonly number[];
}

/** Validates files or single objects; keeps what it loaded for them (lookups, compiled validators) and the CEL rules they reached. */
export class Validator {
  /** The CRD versions whose CEL rules this run used, by admission key. */
  private readonly seen = new Map<string, { source: string; kind: string; version: string; tree: AdmissionNode }>();
  constructor(private readonly deps: ValidatorDeps) {}

  /** Every object in one YAML file; with `skipReason`, each is reported skipped for that reason. */
  /** Per CRD version used: its rules, how many the run compiled (on first use) and which could not be. */
  ruleReport(): ({ source: string; kind: string; version: string } & SchemaRules)[] {
    return [...this.seen].map(([key, { tree, ...where }]) => ({ ...where, ...schemaRules(tree, key, false) }));
  }

  /** The rules reached so far of the CRD versions `keys` names, in that order. */
  rulesUsed(keys: Iterable<string>): RulesUsed[] {
    const out: RulesUsed[] = [];
    for (const key of keys) {
      const seen = this.seen.get(key);
      if (!seen) continue;
      const tried: number[] = [];
      compileSchema(seen.tree, key).rules.forEach((r, i) => (r.program || r.error !== undefined) && tried.push(i));
      out.push({ key, source: seen.source, kind: seen.kind, version: seen.version, tree: seen.tree, tried });
    }
    return out;
  }

  /**
   * Takes the rule report from `used` (every batch's, in file order): the CRD versions in the
   * order one thread would have met them, each with the rules any batch reached compiled here.
   */
  adoptRules(used: readonly RulesUsed[]): void {
    const before = new Map(this.seen);
    this.seen.clear();
    for (const u of used) {
      let entry = this.seen.get(u.key);
      if (!entry) this.seen.set(u.key, (entry = before.get(u.key) ?? { source: u.source, kind: u.kind, version: u.version, tree: u.tree }));
      const rules = compileSchema(entry.tree, u.key).rules;
      for (const i of u.tried) if (rules[i]) compileRule(rules[i]);
    }
    for (const [k, v] of before) if (!this.seen.has(k)) this.seen.set(k, v);
  }

  async validateFile(file: string, text: string, skipReason?: string): Promise<ResourceResult[]> {
    return Promise.all(readResources(file, text).map((r) => this.validateResource(r, skipReason)));
  }

  /**
   * Every object of a file we rendered: `objects` are the documents `text` was written from, so
   * they are checked as they are and `text` is parsed only to locate a failure.
   */
  async validateObjects(file: string, objects: readonly unknown[], text: string, skipReason?: string): Promise<ResourceResult[]> {
    return this.checkObjects(file, objects, text, skipReason);
  }

  /**
   * The same, synchronously when everything its objects need is loaded (their schemas looked up,
   * validators compiled, field lists read: every object after the first of its kind), else a
   * promise that loads it and goes on. validate/stage.ts runs a batch through this.
   */
  checkObjects(file: string, objects: readonly unknown[], text: string, skipReason?: string): ResourceResult[] | Promise<ResourceResult[]> {
    const resources = readObjects(file, objects, text) ?? readResources(file, text);
    const out: ResourceResult[] = [];
    for (let i = 0; i < resources.length; i++) {
      const now = this.checkNow(resources[i]!, skipReason);
      if (now === undefined) return this.checkRest(resources, i, out, skipReason);
      out.push(now);
    }
    return out;
  }

  private async checkRest(resources: readonly Resource[], from: number, out: ResourceResult[], skipReason?: string): Promise<ResourceResult[]> {
    for (let i = from; i < resources.length; i++) out.push(await this.validateResource(resources[i]!, skipReason));
    return out;
  }

  async validateResource(res: Resource, skipReason?: string): Promise<ResourceResult> {
    // Each round loads one more thing an object needs (its lookup, validator, metadata check, field lists): a few at most.
    for (let round = 0; round < 16; round++) {
      const now = this.checkNow(res, skipReason);
      if (now !== undefined) return now;
      await this.loading;
    }
    throw new Error(`validate: what ${res.file} needs was loaded but is still not there (a bug)`);
  }

  /** What `checkNow` found missing: loads it (each thing once per run, failures kept too). */
  private loading: Promise<unknown> = Promise.resolve();
  /** Each schema's compiled validator once loaded, or why it cannot be used. */
  private readonly validators = new Map<string, ValidateFn | Error>();
  /** Without `lookupNow`, the answers per file (such validators check a few files: tests). */
  private readonly lookups = new Map<string, Lookup>();

  private wait(p: Promise<unknown>): undefined {
    this.loading = p;
    return undefined;
  }

  /**
   * The verdict on one object, or undefined when something it needs must be loaded first (then
   * `this.loading` loads it, and the caller asks again). Nothing it does before it gives up is
   * seen outside (the warnings and reached rules it records are keyed, so recorded once).
   */
  private checkNow(res: Resource, skipReason?: string): ResourceResult | undefined {
    const obj = res.object;
    const meta = obj && typeof obj.metadata === 'object' && obj.metadata !== null ? (obj.metadata as Record<string, unknown>) : {};
    const kind = typeof obj?.kind === 'string' ? obj.kind : '';
    const name = typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? meta.generateName : '';
    const version = typeof obj?.apiVersion === 'string' ? obj.apiVersion : '';
    if (!obj) return verdict(res, kind, name, version, 'error', res.error ?? 'cannot read the document', []);
    if (skipReason) return verdict(res, kind, name, version, 'skipped', skipReason, []);
    if (!version) return verdict(res, kind, name, version, 'error', 'missing apiVersion', []);
    if (!kind) return verdict(res, kind, name, version, 'error', 'missing kind', []);
    if (version.startsWith(KUSTOMIZE_PREFIX)) {
      return verdict(res, kind, name, version, 'skipped', `kustomize build configuration (${KUSTOMIZE_CONFIG_GROUP}), not a Kubernetes object`, []);
    }

    let errors: ErrorObject[];
    let schema: string;
    let admitted: ReturnType<typeof admit> | undefined;
    const lookup = this.deps.lookupNow ? this.deps.lookupNow(version, kind, res.file) : this.lookups.get(`${version}|${kind}|${res.file}`);
    if (!lookup) return this.wait(this.deps.lookup(version, kind, res.file).then((l) => this.deps.lookupNow || this.lookups.set(`${version}|${kind}|${res.file}`, l)));
    if (lookup.error) return verdict(res, kind, name, version, 'error', lookup.error, []);
    if (lookup.found) {
      const hit = lookup.found;
      const validate = this.validators.get(hit.key);
      if (validate === undefined) {
        return this.wait(
          this.deps.compiler.getByKey(hit.key, () => hit.schema).then(
            (fn) => this.validators.set(hit.key, fn),
            (e: Error) => this.validators.set(hit.key, e),
          ),
        );
      }
      if (validate instanceof Error) return verdict(res, kind, name, version, 'error', `the schema from ${hit.source} cannot be used: ${validate.message}`, []);
      // The API server checks ObjectMeta for every kind; a CRD schema only says `type: object`.
      const metaErrors = meta === obj.metadata ? objectMetaNow(meta) : NONE;
      if (!metaErrors) return this.wait(objectMetaErrors(meta));
      errors = validate(obj) ? [] : [...(validate.errors ?? [])];
      for (const e of metaErrors) errors.push(e);
      schema = hit.source;
      // CEL rules run on objects the schema admits, as the API server runs them after it.
      const { admission, admissionKey } = hit;
      if (admission && admissionKey && errors.length === 0) {
        if (!this.seen.has(admissionKey)) this.seen.set(admissionKey, { source: hit.source, kind, version, tree: admission });
        this.deps.onAdmission?.(admissionKey);
        admitted = admit(obj, admission, admissionKey);
      }
    } else {
      const builtin = builtinNow(version, kind);
      if (builtin === undefined) return this.wait(builtinValidator(version, kind));
      if (!builtin) {
        const note = lookup.note ? ` (${lookup.note})` : '';
        return verdict(res, kind, name, version, 'error', `no schema for ${kind} ${version}${note} in ${this.deps.describe(res.file)} or the built-in Kubernetes kinds`, []);
      }
      const checked = builtin(obj);
      if (!checked) return this.wait(builtinValidator(version, kind).then((v) => v!(obj)));
      errors = checked;
      schema = BUILTIN_SOURCE;
    }
    const found = violations(errors, res.locate);
    for (const v of admitted?.violations ?? []) found.push({ path: v.path, msg: v.msg, rule: v.rule, ...res.locate(v.path) });
    if (admitted?.listItemDefaults.length && this.deps.driftChecked?.(res.file)) {
      for (const p of admitted.listItemDefaults) {
        const value = JSON.stringify(valueAt(admitted.stored, p));
        found.push({ path: p, msg: `the API server adds this field (${value}) by default inside a list item; Argo CD's client-side diff compares the list whole, so the unit would stay OutOfSync and self-heal forever — write it with that value`, rule: 'drift: list-item default', ...res.locate(p.slice(0, p.lastIndexOf('/'))) });
      }
    }
    // KServe's validating webhooks see the object after the API server's defaulting and CEL.
    const kserve = errors.length === 0 ? this.deps.kserveVersion?.(res.file) : undefined;
    if (kserve) {
      const findings = checkWebhooks((admitted?.stored ?? obj) as Record<string, unknown>, kserve);
      if (!findings) this.deps.onWarning?.(res.file, res.line, `KServe ${kserve} has no ported webhook rules (ported: see admission/webhook); ${kind} ${name} is checked against the schema and CEL only`);
      for (const f of findings ?? []) {
        const where = res.locate(f.path);
        if (f.severity === 'warning') this.deps.onWarning?.(res.file, where?.line ?? res.line, `${kind}/${name}: ${f.msg} [rule: ${f.rule}]`);
        else found.push({ path: f.path, msg: f.msg, rule: f.rule, ...where });
      }
    }
    const out = verdict(res, kind, name, version, found.length ? 'invalid' : 'valid', '', found);
    out.schema = schema;
    if (admitted) out.admission = { evaluated: admitted.counts.evaluated, transition: admitted.counts.transition, uncompiled: admitted.counts.uncompiled, defaulted: admitted.defaulted };
    return out;
  }
}

const NONE: readonly ErrorObject[] = [];

type Verdict = { -readonly [K in keyof ResourceResult]: ResourceResult[K] };
/**
 * A verdict, its fields in kubeconform's order: built by literal (one of two shapes, with and
 * without a line), not by spreading, so that the run's verdicts share V8 maps.
 */
function verdict(res: Resource, kind: string, name: string, version: string, status: ResourceResult['status'], msg: string, validationErrors: ResourceResult['validationErrors']): Verdict {
  return res.line === undefined ? { filename: res.file, kind, name, version, status, msg, validationErrors } : { filename: res.file, line: res.line, kind, name, version, status, msg, validationErrors };
}

/** The value at a JSON pointer. */
function valueAt(v: unknown, pointer: string): unknown {
  for (const seg of pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
  return v;
}
