/**
 * A full `validate` run (commands/validate.ts decides when one is needed): render the catalogs,
 * then check every object of every generated YAML file against its schema, CEL rules and
 * webhook rules. Loaded only on a miss of the run manifest: it pulls in the parser, the
 * renderers, the schema store, Ajv's runtime and CEL.
 */
import { UsageError, type Issue } from '../errors.js';
import { clientSideDiffed, deliveredBy } from '../admission/drift/delivered-by.js';
import { parseStats } from '../admission/cel/compile.js';
import { fetchOptionsOf } from '../validate/download.js';
import { defaultLocations, vendoredCrdDirs } from '../validate/defaults.js';
import { kustomizeInputs } from '../validate/kustomize-inputs.js';
import { threadsFrom, validatePooled, ValidatePool, type PoolOptions } from '../validate/pool.js';
import { serveWorker } from '../validate/pool-worker.js';
import { summarize } from '../validate/result.js';
import type { Location } from '../validate/schema-store.js';
import { Stage, type FileJob, type StageConfig } from '../validate/stage.js';
import { kserveVersionOf } from '../validate/versions.js';
import { LOCK } from '../disk/vendor.js';
import { vendorDir } from '../render/platform.js';
import type { Dependency } from '../manifest/store.js';
import { validateDependencies } from '../manifest/validate.js';
import type { ReadInputs, RenderedWorkspace } from './workspace.js';
import type { Catalog } from '../model/types.js';
import { renderWorkspace } from './workspace.js';
import type { AdmissionSummary, ValidateOptions, ValidateResult } from './validate.js';
import { join, resolve } from 'node:path';

/** Wall and CPU (user + system) milliseconds so far: the machine may be shared, CPU time says what the work cost. */
const clock = () => {
  const u = process.cpuUsage();
  return { wall: performance.now(), cpu: (u.user + u.system) / 1000 };
};

const isYaml = (path: string) => /\.ya?ml$/.test(path);

/**
 * Renders the catalogs (from `read`, the texts the manifest key hashed, when given) and validates
 * every object of every generated YAML file. `given`: the --schema-location values, checked and
 * parsed. With `watch`, the files the schema lookups may read are hashed before they are read
 * (undefined when the run cannot be recorded; see manifest/validate.ts).
 */
export async function runValidate(opts: ValidateOptions, given: readonly (Location | 'default')[], cacheDir: string, read?: ReadInputs, watch?: boolean): Promise<ValidateResult & { readonly deps?: readonly Dependency[] }> {
  const started = clock();
  // Worker threads for a large tree start once the catalogs are loaded: they load validate's code while this thread renders.
  const threads = opts.pool?.threads ?? threadsFrom(opts.env ?? {});
  let pool: ValidatePool | undefined;
  const startPool = (catalog: Catalog) => {
    if (threads > 0 && catalog.environments.reduce((n, e) => n + e.models.length, 0) >= POOL_MIN_MODELS) pool = new ValidatePool(threads, POOL.entry, cacheDir);
  };
  try {
    // Only YAML is checked: no README is rendered (nor Handlebars loaded).
    const ws = await renderWorkspace(opts.root, opts.envs, read, { readmes: true }, undefined, startPool);
    return await validateRendered(opts, given, cacheDir, started, ws, threads, pool, watch);
  } finally {
    await pool?.close();
  }
}

/** The validate stage on the rendered workspace (`pool`: worker threads already started, if any). */
async function validateRendered(opts: ValidateOptions, given: readonly (Location | 'default')[], cacheDir: string, started: ReturnType<typeof clock>, ws: RenderedWorkspace, threads: number, pool: ValidatePool | undefined, watch?: boolean): Promise<ValidateResult & { readonly deps?: readonly Dependency[] }> {
  const rendered = clock();
  // Objects of an environment are checked against the CRDs of the KServe version it pins.
  const versionOf = kserveVersionOf(ws.catalog);
  const fileVersions = ws.files.map((f) => versionOf(f.path));
  const versions = [...new Set(fileVersions)];
  const config: StageConfig = { cacheDir, fetch: fetchOptionsOf(opts.env ?? {}), versions: await Promise.all(versions.map(async (v) => [v, await locationsFor(opts, given, v)] as const)) };
  // Which units deliver a file comes from the rendered Applications and kustomizations (admission/drift/delivered-by.ts):
  // walked only when an object would pick up a list-item default (in most runs none does).
  let delivered: ReturnType<typeof deliveredBy> | undefined;
  const driftOf = (file: string) => {
    const name = /^environments\/([^/]+)\//.exec(file)?.[1];
    const env = ws.catalog.environments.find((e) => e.name === name);
    return env?.delivery.engine === 'argocd' && clientSideDiffed((delivered ??= deliveredBy(ws.files)), file);
  };
  const stage = new Stage(config, driftOf);
  const { cache, compiler, stores } = stage;
  const cel0 = { ...parseStats };
  const useDefaults = opts.defaults !== false;
  const deps = watch
    ? await validateDependencies({
        cache,
        locations: [...stores.values()].flatMap((s) => s.locations),
        watched: useDefaults ? [...stores.keys()].flatMap((v) => vendoredCrdDirs(opts.root, v)) : [],
        locks: [...new Set(ws.catalog.environments.filter((e) => e.platform.source === 'vendored').map((e) => e.platform.kserve))].map((v) => join(resolve(opts.root), vendorDir(v), LOCK)),
      })
    : undefined;

  const skips = kustomizeInputs(ws.files);
  // A batch a worker thread may take carries its drift decisions (the worker has no tree); in this thread they are made lazily.
  const jobs: FileJob[] = [];
  ws.files.forEach((f, i) => {
    if (!isYaml(f.path)) return;
    const skip = skips.get(f.path);
    jobs.push({ path: f.path, content: f.content, objects: f.objects, skip, version: fileVersions[i]!, drift: threads > 0 ? driftOf(f.path) : undefined });
  });
  // Batches of files, in this thread and (for large trees) worker threads, merged in file order.
  const pooled = await validatePooled(stage, config, jobs, { ...POOL, threads, ...opts.pool }, pool);
  const { results } = pooled;
  const warnings = new Map<string, Issue>(pooled.warnings);
  for (const f of pooled.failures) warnings.set(`pool\0${f.message}`, { ...f, severity: 'warning' });
  await stage.persist();
  const done = clock();
  const timings = { renderMs: rendered.wall - started.wall, validateMs: done.wall - rendered.wall, renderCpuMs: rendered.cpu - started.cpu, validateCpuMs: done.cpu - rendered.cpu, celParsed: parseStats.parsed - cel0.parsed, celDecoded: parseStats.decoded - cel0.decoded, threads: pooled.threads, workerBatches: pooled.batchesInWorkers, deliveryWalks: delivered ? 1 : 0 };
  const schemas: AdmissionSummary['schemas'][number][] = [];
  for (const r of stage.validator.ruleReport()) {
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
  // A dropped worker is an accident of this run, not a function of its inputs: such a run is not recorded.
  return { results, summary: summarize(results), warnings: [...ws.warnings, ...warnings.values()], compiled: { compiled: compiler.stats.compiled + pooled.compiled.compiled, loaded: compiler.stats.loaded + pooled.compiled.loaded }, admission, timings, ...(deps && !pooled.failures.length ? { deps } : {}) };
}

/**
 * Worker threads start at 3,000 objects (below, their start-up costs more than they save), or as
 * soon as the catalogs are loaded when they hold 2,000 models or more; ~250 objects a batch.
 */
const POOL_MIN_MODELS = 2000;
const POOL: Omit<PoolOptions, 'threads'> = { minObjects: 3000, batchObjects: 250, entry: new URL('./validate-worker.js', import.meta.url) };

/** A worker thread's side of the pool (commands/validate-worker.ts loads it from this module, so from the same bundle). */
export const serveValidateWorker = serveWorker;

/**
 * The locations for objects on KServe `version`: the given ones in order, then the defaults —
 * or the defaults where `default` is given, or none with `defaults: false`. Given locations come
 * first so that a local copy wins over a pinned URL and nothing is downloaded for the kinds it has.
 */
async function locationsFor(opts: ValidateOptions, given: readonly (Location | 'default')[], version: string): Promise<Location[]> {
  const useDefaults = opts.defaults !== false;
  const specs = useDefaults && !given.includes('default') ? [...given, 'default' as const] : given;
  const out: Location[] = [];
  for (const spec of specs) {
    if (spec !== 'default') out.push(spec);
    else if (!useDefaults) throw new UsageError('--schema-location default together with --no-default-locations: pick one');
    else out.push(...(await defaultLocations(opts.root, version)));
  }
  return out;
}
