/**
 * `validate`: every object generate would write, checked against its schema with
 * `kubeconform -strict` semantics (see validate/validator.ts).
 *
 * It validates the rendered files (what generate *would* write), not the files on disk: the
 * verdict is about the catalogs, the same on a fresh or a stale tree, and `check` is the gate
 * that says whether the tree on disk matches them.
 */
import { stat } from 'node:fs/promises';
import { UsageError, type Issue } from '../errors.js';
import type { SchemaRules } from '../admission/index.js';
import { clientSideDiffed, deliveredBy } from '../admission/drift/delivered-by.js';
import { parseStats, useParseStore } from '../admission/cel/compile.js';
import { DiskCache, defaultCacheDir } from '../validate/cache.js';
import { celParseStore } from '../validate/cel-cache.js';
import { fetchOptionsOf } from '../validate/download.js';
import { SchemaCompiler } from '../validate/compile.js';
import { defaultLocations } from '../validate/defaults.js';
import { kustomizeInputs } from '../validate/kustomize-inputs.js';
import { summarize, type ResourceResult, type Summary } from '../validate/result.js';
import { describeLocation, parseLocation, SchemaStore, type Location } from '../validate/schema-store.js';
import { Validator } from '../validate/validator.js';
import { kserveVersionOf } from '../validate/versions.js';
import { renderWorkspace } from './workspace.js';

/** What `llm-gitops validate` was asked. */
export interface ValidateOptions {
  readonly root: string;
  readonly envs: readonly string[];
  /**
   * `--schema-location` values in order, searched before the defaults (the pinned CRDs); a
   * `default` among them puts the defaults there instead.
   */
  readonly schemaLocations: readonly string[];
  /** false (`--no-default-locations`): only the given locations, no pinned CRDs. */
  readonly defaults?: boolean;
  /** Where relative schema locations are resolved (the caller's working directory). */
  readonly cwd: string;
  /** Cache folder; default from the environment (see validate/cache.ts). */
  readonly cacheDir?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Every object's verdict, for the CLI to report. */
export interface ValidateResult {
  readonly results: readonly ResourceResult[];
  readonly summary: Summary;
  /** Catalog warnings, and caveats of the schemas used (e.g. a pattern JavaScript cannot check). */
  readonly warnings: readonly Issue[];
  /** How many validators were compiled vs loaded precompiled from the cache. */
  readonly compiled: { readonly compiled: number; readonly loaded: number };
  /** The CEL rules of the CRD versions used, and how often they ran. */
  readonly admission: AdmissionSummary;
  /** Milliseconds (wall and CPU) spent reading and rendering the catalogs, then validating the objects (for `npm run bench`). */
  /** Stage times, and how this run's CEL rules were obtained: parsed from text, or decoded from the cache. */
  readonly timings: { readonly renderMs: number; readonly validateMs: number; readonly renderCpuMs: number; readonly validateCpuMs: number; readonly celParsed: number; readonly celDecoded: number };
}

/** What the admission checks did in a run: nothing is skipped without being counted. */
export interface AdmissionSummary {
  /** One entry per CRD version whose rules were compiled. */
  readonly schemas: readonly ({ readonly source: string; readonly kind: string; readonly version: string } & SchemaRules)[];
  /** Rule runs over objects, transition rules skipped at create, rules that could not run. */
  readonly evaluated: number;
  readonly transitionSkipped: number;
  readonly uncompiled: number;
}

/** Wall and CPU (user + system) milliseconds so far: the machine may be shared, CPU time says what the work cost. */
const clock = () => {
  const u = process.cpuUsage();
  return { wall: performance.now(), cpu: (u.user + u.system) / 1000 };
};

const isYaml = (path: string) => /\.ya?ml$/.test(path);

/** Renders the catalogs and validates every object of every generated YAML file. */
export async function validate(opts: ValidateOptions): Promise<ValidateResult> {
  const started = clock();
  const ws = await renderWorkspace(opts.root, opts.envs);
  const rendered = clock();
  const cache = new DiskCache(opts.cacheDir ?? defaultCacheDir(opts.env ?? {}));
  const compiler = new SchemaCompiler(cache);
  useParseStore(celParseStore(cache.dir));
  const cel0 = { ...parseStats };

  // Objects of an environment are checked against the CRDs of the KServe version it pins.
  const versionOf = kserveVersionOf(ws.catalog);
  const stores = new Map<string, SchemaStore>();
  for (const v of new Set(ws.files.map((f) => versionOf(f.path)))) stores.set(v, new SchemaStore(await locationsFor(opts, v), cache, fetchOptionsOf(opts.env ?? {})));
  const storeOf = (file: string) => stores.get(versionOf(file))!;

  const delivered = deliveredBy(ws.files);
  const warnings = new Map<string, Issue>();
  const schemas: AdmissionSummary['schemas'][number][] = [];
  const validator = new Validator({
    compiler,
    lookup: async (apiVersion, kind, file) => {
      const found = await storeOf(file).lookup(apiVersion, kind);
      const hit = found.found;
      for (const w of hit?.warnings ?? []) warnings.set(`${hit!.source}\0${w}`, { file: hit!.source, message: w, severity: 'warning' });
      return found;
    },
    kserveVersion: versionOf,
    // Which units deliver a file comes from the rendered Applications and kustomizations (admission/drift/delivered-by.ts).
    driftChecked: (file) => {
      const name = /^environments\/([^/]+)\//.exec(file)?.[1];
      const env = ws.catalog.environments.find((e) => e.name === name);
      return env?.delivery.engine === 'argocd' && clientSideDiffed(delivered, file);
    },
    onWarning: (file, line, message) => warnings.set(`${file}\0${line}\0${message}`, { file, ...(line === undefined ? {} : { line }), message, severity: 'warning' }),
    describe: (file) => storeOf(file).locations.map(describeLocation).join(', ') || 'no schema location',
  });

  const skips = kustomizeInputs(ws.files);
  // One file at a time: the objects are in memory already, and nothing per file outlives its verdicts.
  const results: ResourceResult[] = [];
  for (const f of ws.files) {
    if (!isYaml(f.path)) continue;
    const skip = skips.get(f.path);
    results.push(...(await (f.objects ? validator.validateObjects(f.path, f.objects, f.content, skip) : validator.validateFile(f.path, f.content, skip))));
  }
  await compiler.persist();
  const done = clock();
  const timings = { renderMs: rendered.wall - started.wall, validateMs: done.wall - rendered.wall, renderCpuMs: rendered.cpu - started.cpu, validateCpuMs: done.cpu - rendered.cpu, celParsed: parseStats.parsed - cel0.parsed, celDecoded: parseStats.decoded - cel0.decoded };
  for (const r of validator.ruleReport()) {
    schemas.push(r);
    for (const f of r.failed) warnings.set(`${r.source}\0cel\0${f.at}\0${f.rule}`, { file: r.source, field: f.at, message: `CEL rule ${JSON.stringify(f.rule)} cannot be compiled (${f.error}); objects with a value there are reported invalid`, severity: 'warning' });
  }
  const sum = (k: 'evaluated' | 'transition' | 'uncompiled') => results.reduce((n, r) => n + (r.admission?.[k] ?? 0), 0);
  const admission: AdmissionSummary = {
    schemas: schemas.sort((a, b) => (`${a.kind}/${a.version}/${a.source}` < `${b.kind}/${b.version}/${b.source}` ? -1 : 1)),
    evaluated: sum('evaluated'),
    transitionSkipped: sum('transition'),
    uncompiled: sum('uncompiled'),
  };
  return { results, summary: summarize(results), warnings: [...ws.warnings, ...warnings.values()], compiled: compiler.stats, admission, timings };
}

/**
 * The locations for objects on KServe `version`: the given ones in order, then the defaults —
 * or the defaults where `default` is given, or none with `defaults: false`. Given locations come
 * first so that a local copy wins over a pinned URL and nothing is downloaded for the kinds it has.
 */
async function locationsFor(opts: ValidateOptions, version: string): Promise<Location[]> {
  const useDefaults = opts.defaults !== false;
  const specs = useDefaults && !opts.schemaLocations.includes('default') ? [...opts.schemaLocations, 'default'] : opts.schemaLocations;
  const out: Location[] = [];
  for (const spec of specs) {
    if (spec === 'default') {
      if (!useDefaults) throw new UsageError('--schema-location default together with --no-default-locations: pick one');
      out.push(...(await defaultLocations(opts.root, version)));
    } else {
      const loc = parseLocation(spec, opts.cwd);
      if (loc.type === 'path' && !(await stat(loc.path).then(() => true, () => false))) {
        throw new UsageError(`--schema-location ${spec}: no such file or folder (${loc.path})`);
      }
      out.push(loc);
    }
  }
  return out;
}
