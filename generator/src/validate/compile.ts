/**
 * JSON Schema → validate function, compiled at most once per schema and run, and cached on disk
 * as Ajv standalone code keyed by the schema's sha256: compiling the LLMInferenceService schema
 * takes 1–2 s, loading its precompiled module ~0.1 s (shared notes, tooling §0.2).
 *
 * CRD schemas are compiled with their larger subschemas as shared definitions
 * (shared-subschemas.ts): the LLMInferenceService module is ~0.7 MB instead of one 6.7 MB
 * function, and validates an object several times faster.
 *
 * V8 compiles a function's body on its first call, so V8's code cache of each module is kept
 * beside it (keyed by the V8 version; a cache V8 rejects is simply rebuilt), which brings a warm
 * load of the LLMInferenceService validator to a few tens of milliseconds.
 */
import { createRequire } from 'node:module';
import { Script } from 'node:vm';
import type { Ajv, ErrorObject } from 'ajv';
import { DiskCache, sha256 } from './cache.js';
import { FORMATS } from './formats.js';
import type { JsonSchema } from './crd-schema.js';
import { SHARED_SUBSCHEMAS_VERSION, shareSubschemas } from './shared-subschemas.js';

/** An Ajv validate function: true when valid, else `errors` says why. */
export interface ValidateFn {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** Bump when the Ajv options below change: part of every compiled-module cache key. */
const COMPILER_VERSION = 'ajv-standalone-2';
/** What the generated code `require`s its formats from; answered by `moduleRequire` below. */
const FORMATS_MODULE = 'llm-gitops:validate-formats';

const nodeRequire = createRequire(import.meta.url);
const AJV_VERSION = (nodeRequire('ajv/package.json') as { version: string }).version;
type StandaloneCode = typeof import('ajv/dist/standalone/index.js').default;

/** Markers a CRD may carry that are not JSON Schema; accepted (and ignored) in strict mode. */
const VOCABULARY = [
  'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type', 'x-kubernetes-validations', 'x-kubernetes-embedded-resource',
];

/**
 * Ajv and its code generator, loaded only when something must be compiled (a cold cache).
 * `inlineRefs: false` for schemas whose subschemas were moved to definitions (shared-subschemas.ts):
 * each stays a function of its own, rather than Ajv pasting it back in.
 */
async function newAjv(inlineRefs: boolean): Promise<{ ajv: Ajv; standaloneCode: StandaloneCode }> {
  const { Ajv, _ } = await import('ajv');
  const standalone = (await import('ajv/dist/standalone/index.js')) as unknown as { default: StandaloneCode | { default: StandaloneCode } };
  const standaloneCode = typeof standalone.default === 'function' ? standalone.default : standalone.default.default;
  // strictTypes off: Quantity int-or-string nodes carry `pattern` beside anyOf[integer,string].
  // strictRequired off: Kubernetes allows `required` to name a field the schema does not list.
  const ajv = new Ajv({
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allErrors: true,
    inlineRefs,
    formats: FORMATS,
    code: { source: true, formats: _`require(${FORMATS_MODULE})` },
  });
  ajv.addVocabulary(VOCABULARY);
  return { ajv, standaloneCode };
}

function moduleRequire(id: string): unknown {
  return id === FORMATS_MODULE ? FORMATS : nodeRequire(id);
}

interface Loaded {
  readonly fn: ValidateFn;
  readonly script: Script;
  /** Whether V8 took the cached code (then there is nothing to write back). */
  readonly warm: boolean;
}

/**
 * Evaluates a standalone module (CommonJS text) with our `require`, so its runtime imports
 * resolve from this package, reusing V8's code cache when given one.
 */
function loadStandalone(code: string, filename: string, cachedData?: Buffer): Loaded {
  const script = new Script(`(function (require, module, exports) {${code}\n})`, { filename, ...(cachedData ? { cachedData } : {}) });
  const mod: { exports: unknown } = { exports: {} };
  (script.runInThisContext() as (r: typeof moduleRequire, m: typeof mod, e: unknown) => void)(moduleRequire, mod, mod.exports);
  const exported = mod.exports as ValidateFn & { default?: ValidateFn };
  const fn = exported.default ?? exported;
  if (typeof fn !== 'function') throw new Error('not a validator module');
  return { fn, script, warm: cachedData !== undefined && !script.cachedDataRejected };
}

/** Compiles schemas lazily: memory first, then the disk cache, then Ajv (and fills the cache). */
export class SchemaCompiler {
  private readonly ajv = new Map<boolean, Promise<{ ajv: Ajv; standaloneCode: StandaloneCode }>>();
  private readonly compiled = new Map<string, Promise<ValidateFn>>();
  /** Modules whose V8 code cache should be written once they have run. */
  private readonly cold: { file: string; script: Script }[] = [];
  /** How the validators of this run were obtained. */
  readonly stats = { compiled: 0, loaded: 0 };

  /**
   * `shareSubschemas: false` compiles every schema whole, as one function (the reference the
   * tests compare the shared form with; slow for large CRDs).
   */
  constructor(
    private readonly cache: DiskCache,
    private readonly options: { readonly shareSubschemas?: boolean } = {},
  ) {}

  /** The validate function of `schema`; `key` is the sha256 of its canonical JSON. */
  get(schema: JsonSchema, key: string = sha256(JSON.stringify(schema))): Promise<ValidateFn> {
    return this.getByKey(key, () => schema);
  }

  /** The same, with the schema asked for only when its validator must be compiled (a cached CRD entry parses it on first use). */
  getByKey(key: string, schemaOf: () => JsonSchema): Promise<ValidateFn> {
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = this.obtain(schemaOf, key);
      this.compiled.set(key, fn);
    }
    return fn;
  }

  /**
   * Writes V8's code cache of the modules loaded cold in this run. Call after validating: the
   * cache then holds the function bodies V8 compiled on first use, not just the top level.
   */
  async persist(): Promise<void> {
    const cold = this.cold.splice(0);
    for (const { file, script } of cold) await this.cache.writeBytes(file, script.createCachedData());
  }

  private async obtain(schemaOf: () => JsonSchema, key: string): Promise<ValidateFn> {
    const share = this.options.shareSubschemas !== false;
    const id = sha256(`${COMPILER_VERSION}\0${AJV_VERSION}\0${share ? SHARED_SUBSCHEMAS_VERSION : 'whole'}\0${key}`);
    const file = `validators/${id}.cjs`;
    const codeCache = `validators/${id}.v8-${process.versions.v8}.bin`;
    let code = await this.cache.read(file);
    if (code !== undefined) {
      try {
        const loaded = loadStandalone(code, file, await this.cache.readBytes(codeCache));
        if (!loaded.warm) this.cold.push({ file: codeCache, script: loaded.script });
        this.stats.loaded++;
        return loaded.fn;
      } catch {
        /* a truncated or foreign file: compile again and overwrite it */
      }
    }
    const schema = schemaOf();
    const source = share ? shareSubschemas(schema) : schema;
    const inline = source === schema;
    if (!this.ajv.has(inline)) this.ajv.set(inline, newAjv(inline));
    const { ajv, standaloneCode } = await this.ajv.get(inline)!;
    code = standaloneCode(ajv, ajv.compile(source) as never);
    this.stats.compiled++;
    await this.cache.write(file, code);
    // Run the standalone module rather than Ajv's in-memory function, so its code cache can be kept.
    const loaded = loadStandalone(code, file);
    this.cold.push({ file: codeCache, script: loaded.script });
    return loaded.fn;
  }
}
