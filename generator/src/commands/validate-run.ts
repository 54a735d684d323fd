/**
 * A full `validate` run (commands/validate.ts decides when one is needed): render the catalogs,
 * then check every object of every generated YAML file against its schema, CEL rules and
 * webhook rules. Loaded only on a miss of the run manifest: it pulls in the parser, the
 * renderers, the schema store, Ajv's runtime and CEL.
 */
import { UsageError, type Issue } from '../errors.js';
import { clientSideDiffed, deliveredBy } from '../admission/drift/delivered-by.js';
import { parseStats, useParseStore } from '../admission/cel/compile.js';
import { DiskCache } from '../validate/cache.js';
import { celParseStore } from '../validate/cel-cache.js';
import { fetchOptionsOf } from '../validate/download.js';
import { SchemaCompiler } from '../validate/compile.js';
import { defaultLocations, vendoredCrdDirs } from '../validate/defaults.js';
import { kustomizeInputs } from '../validate/kustomize-inputs.js';
import { summarize, type ResourceResult } from '../validate/result.js';
import { describeLocation, SchemaStore, type Location } from '../validate/schema-store.js';
import { Validator } from '../validate/validator.js';
import { kserveVersionOf } from '../validate/versions.js';
import { LOCK } from '../disk/vendor.js';
import { vendorDir } from '../render/platform.js';
import type { Dependency } from '../manifest/store.js';
import { validateDependencies } from '../manifest/validate.js';
import type { ReadInputs } from './workspace.js';
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
  // Only YAML is checked: no README is rendered (nor Handlebars loaded).
  const ws = await renderWorkspace(opts.root, opts.envs, read, { readmes: true });
  const rendered = clock();
  const cache = new DiskCache(cacheDir);
  const compiler = new SchemaCompiler(cache);
  useParseStore(celParseStore(cache.dir));
  const cel0 = { ...parseStats };

  // Objects of an environment are checked against the CRDs of the KServe version it pins.
  const versionOf = kserveVersionOf(ws.catalog);
  const stores = new Map<string, SchemaStore>();
  for (const v of new Set(ws.files.map((f) => versionOf(f.path)))) stores.set(v, new SchemaStore(await locationsFor(opts, given, v), cache, fetchOptionsOf(opts.env ?? {})));
  const storeOf = (file: string) => stores.get(versionOf(file))!;
  const useDefaults = opts.defaults !== false;
  const deps = watch
    ? await validateDependencies({
        cache,
        locations: [...stores.values()].flatMap((s) => s.locations),
        watched: useDefaults ? [...stores.keys()].flatMap((v) => vendoredCrdDirs(opts.root, v)) : [],
        locks: [...new Set(ws.catalog.environments.filter((e) => e.platform.source === 'vendored').map((e) => e.platform.kserve))].map((v) => join(resolve(opts.root), vendorDir(v), LOCK)),
      })
    : undefined;

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
  return { results, summary: summarize(results), warnings: [...ws.warnings, ...warnings.values()], compiled: compiler.stats, admission, timings, ...(deps ? { deps } : {}) };
}

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
