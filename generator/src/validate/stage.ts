/**
 * The validate stage as a function of plain data, the same in any thread: a `StageConfig`
 * (cache folder, download options, the schema locations per KServe version) builds the schema
 * stores, compiler and Validator; `run` turns a batch of files (`FileJob`: the rendered objects,
 * the text they were written as, what validate-run decided per file) into verdicts plus the
 * warnings raised, in the order raised, and the CEL rules the batch reached. Everything in and
 * out can be structured-cloned, so validate/pool.ts can run batches in worker threads and merge
 * them in file order: the merged output is byte-for-byte what one thread gives.
 */
import type { Issue } from '../errors.js';
import { useParseStore } from '../admission/cel/compile.js';
import { DiskCache } from './cache.js';
import { celParseStore } from './cel-cache.js';
import { SchemaCompiler } from './compile.js';
import type { FetchOptions } from './download.js';
import type { ResourceResult } from './result.js';
import { describeLocation, SchemaStore, type Location, type Lookup } from './schema-store.js';
import { builtinValidator } from './builtin.js';
import { persistFieldCache, useFieldCache } from './field-cache.js';
import { KUSTOMIZE_CONFIG_GROUP, Validator, type RulesUsed } from './validator.js';

/** What builds a stage: plain data, handed to each worker. */
export interface StageConfig {
  readonly cacheDir: string | undefined;
  readonly fetch: FetchOptions;
  /** The schema locations of each KServe version a file is checked against. */
  readonly versions: readonly (readonly [version: string, locations: readonly Location[]])[];
}

/** One generated file to validate, and what the run decided about it. */
export interface FileJob {
  readonly path: string;
  readonly content: string;
  /** The documents `content` was written from (absent: the text is parsed). */
  readonly objects?: readonly unknown[];
  /** Every object of the file is reported skipped for this reason (validate/kustomize-inputs.ts). */
  readonly skip?: string;
  /** The KServe version whose CRDs and webhook rules apply. */
  readonly version: string;
  /**
   * Whether Argo CD's client-side diff compares its objects (list-item default drift). Absent: the
   * stage's `driftOf` decides, only for an object that would pick up such a default (rare); a
   * batch for a worker thread, which has no `driftOf`, carries it.
   */
  readonly drift?: boolean;
}

/** A batch's verdicts, the warnings it raised (key → issue, in order) and the rules it reached. */
export interface BatchOutput {
  readonly results: ResourceResult[];
  readonly warnings: (readonly [string, Issue])[];
  readonly rules: RulesUsed[];
}

/** The validator of a run and what it reads, in this thread. */
export class Stage {
  readonly cache: DiskCache;
  readonly compiler: SchemaCompiler;
  readonly stores: ReadonlyMap<string, SchemaStore>;
  readonly validator: Validator;
  /** The file being validated (the validator's callbacks name it; one file at a time). */
  private current: FileJob | undefined;
  private sink = new Map<string, Issue>();
  private touched = new Set<string>();

  /** `driftOf`: the drift decision for a job without one (this thread only: it reads the whole rendered tree). */
  constructor(config: StageConfig, driftOf?: (file: string) => boolean) {
    this.cache = new DiskCache(config.cacheDir);
    this.compiler = new SchemaCompiler(this.cache);
    useParseStore(celParseStore(this.cache.dir));
    useFieldCache(this.cache);
    this.stores = new Map(config.versions.map(([v, locations]) => [v, new SchemaStore(locations, this.cache, config.fetch)]));
    const jobOf = (file: string) => {
      const job = this.current;
      if (job?.path !== file) throw new Error(`validate: ${file} is not the file being validated (${job?.path ?? 'none'})`);
      return job;
    };
    const storeOf = (file: string) => {
      const v = jobOf(file).version;
      const store = this.stores.get(v);
      if (!store) throw new Error(`validate: no schema locations for ${file} (KServe ${v})`);
      return store;
    };
    // Each store's answers once given (by apiVersion, then kind), for the objects after the first of their kind.
    const answered = new Map<SchemaStore, Map<string, Map<string, Lookup>>>();
    const sinkWarnings = (found: Lookup) => {
      const hit = found.found;
      if (hit?.warnings?.length) for (const w of hit.warnings) this.sink.set(`${hit.source}\0${w}`, { file: hit.source, message: w, severity: 'warning' });
      return found;
    };
    this.validator = new Validator({
      compiler: this.compiler,
      lookup: async (apiVersion, kind, file) => {
        const store = storeOf(file);
        const found = await store.lookup(apiVersion, kind);
        let known = answered.get(store);
        if (!known) answered.set(store, (known = new Map()));
        let kinds = known.get(apiVersion);
        if (!kinds) known.set(apiVersion, (kinds = new Map()));
        kinds.set(kind, found);
        return sinkWarnings(found);
      },
      lookupNow: (apiVersion, kind, file) => {
        const found = answered.get(storeOf(file))?.get(apiVersion)?.get(kind);
        return found && sinkWarnings(found);
      },
      kserveVersion: (file) => jobOf(file).version,
      driftChecked: (file) => {
        const decided = jobOf(file).drift;
        if (decided !== undefined) return decided;
        if (!driftOf) throw new Error(`validate: ${file} has no drift decision and this stage cannot make one`);
        return driftOf(file);
      },
      onWarning: (file, line, message) => this.sink.set(`${file}\0${line}\0${message}`, { file, ...(line === undefined ? {} : { line }), message, severity: 'warning' }),
      onAdmission: (key) => this.touched.add(key),
      describe: (file) => storeOf(file).locations.map(describeLocation).join(', ') || 'no schema location',
    });
  }

  /** Writes what this stage's runs added to the cache: compiled validators, the client-node field lists (validate/field-cache.ts). */
  async persist(): Promise<void> {
    await this.compiler.persist();
    await persistFieldCache();
  }

  /** Validates `files` in order. One batch at a time per stage (the pool awaits each). */
  async run(files: readonly FileJob[]): Promise<BatchOutput> {
    const sink = new Map<string, Issue>();
    const touched = new Set<string>();
    this.sink = sink;
    this.touched = touched;
    const results: ResourceResult[] = [];
    this.prefetch(files);
    try {
      for (const f of files) {
        this.current = f;
        // Synchronous for a file whose kinds are all loaded (most of them): no promise per file.
        const checked = f.objects ? this.validator.checkObjects(f.path, f.objects, f.content, f.skip) : this.validator.validateFile(f.path, f.content, f.skip);
        const found = Array.isArray(checked) ? checked : await checked;
        for (const r of found) results.push(r);
      }
    } finally {
      this.current = undefined;
    }
    return { results, warnings: [...sink], rules: this.validator.rulesUsed(touched) };
  }

  /**
   * Starts what the validator will load for each kind of the batch — the schema lookup (its CRD
   * index read), then the compiled validator or the built-in kind's module — all at once, so their
   * cache reads overlap instead of one object after another awaiting its own (~30 ms idle of a
   * 44-object run). The same loads the validator asks for (memoised there), nothing more: every
   * object it checks is looked up, and a found schema's validator or else the built-in one loaded.
   * Failures are the validator's to report when it asks.
   */
  private prefetch(files: readonly FileJob[]): void {
    // Kinds started, per store then apiVersion (no key string built per object).
    const seen = new Map<SchemaStore, Map<string, Set<string>>>();
    for (const f of files) {
      const store = this.stores.get(f.version);
      if (!store || !f.objects || f.skip !== undefined) continue;
      for (const o of f.objects) {
        const { apiVersion, kind } = (typeof o === 'object' && o !== null ? o : {}) as { apiVersion?: unknown; kind?: unknown };
        if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind || apiVersion.startsWith(`${KUSTOMIZE_CONFIG_GROUP}/`)) continue;
        let byVersion = seen.get(store);
        if (!byVersion) seen.set(store, (byVersion = new Map()));
        let kinds = byVersion.get(apiVersion);
        if (!kinds) byVersion.set(apiVersion, (kinds = new Set()));
        if (kinds.has(kind)) continue;
        kinds.add(kind);
        void store
          .lookup(apiVersion, kind)
          .then((l): Promise<unknown> | undefined => (l.found ? this.compiler.getByKey(l.found.key, () => l.found!.schema) : l.error ? undefined : builtinValidator(apiVersion, kind)))
          .catch(() => undefined);
      }
    }
  }
}
