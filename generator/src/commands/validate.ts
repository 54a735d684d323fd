/**
 * `validate`: every object generate would write, checked against its schema with
 * `kubeconform -strict` semantics (see validate/validator.ts).
 *
 * It validates the rendered files (what generate *would* write), not the files on disk: the
 * verdict is about the catalogs, the same on a fresh or a stale tree, and `check` is the gate
 * that says whether the tree on disk matches them.
 *
 * Loading order (start-up): the arguments are checked first, then the run manifest
 * (manifest/validate.ts) is asked; only a miss loads the full run (validate-run.ts: parser,
 * renderers, schema store, Ajv, CEL). An unchanged tree's validate loads none of them.
 */
import { stat } from 'node:fs/promises';
import { UsageError, type Issue } from '../errors.js';
import type { SchemaRules } from '../admission/index.js';
import { DiskCache, defaultCacheDir } from '../validate/cache.js';
import { parseLocation, type Location } from '../validate/location.js';
import { summarize, type ResourceResult, type Summary } from '../validate/result.js';
import type { PoolOptions } from '../validate/pool.js';

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
  /** false: neither replay nor record a run manifest (`--timings` measures the stages, so they must run). @default true */
  readonly reuse?: boolean;
  /** Tests: the worker-thread pool's settings (validate/pool.ts), over the defaults and LLM_GITOPS_VALIDATE_THREADS. */
  readonly pool?: Partial<PoolOptions>;
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
  /**
   * For `--timings` and `npm run bench`: milliseconds (wall and CPU) spent reading and rendering
   * the catalogs, then validating the objects; how this run's CEL rules were obtained (parsed from
   * text, or decoded from the cache); the worker threads the stage used (validate/pool.ts); and
   * whether the delivery units were walked for a drift decision (0 or 1).
   */
  readonly timings: { readonly renderMs: number; readonly validateMs: number; readonly renderCpuMs: number; readonly validateCpuMs: number; readonly celParsed: number; readonly celDecoded: number; readonly threads?: number; readonly workerBatches?: number; readonly deliveryWalks?: number };
  /** Set when the run manifest showed these inputs were validated before (nothing was rendered or validated: the recorded verdicts). */
  readonly reused?: true;
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

const NOTHING_RAN = { renderMs: 0, validateMs: 0, renderCpuMs: 0, validateCpuMs: 0, celParsed: 0, celDecoded: 0 };

/** Renders the catalogs and validates every object of every generated YAML file (or replays the verdicts on these very inputs). */
export async function validate(opts: ValidateOptions): Promise<ValidateResult> {
  const given = await givenLocations(opts);
  const cacheDir = opts.cacheDir ?? defaultCacheDir(opts.env ?? {});
  // The run manifest's modules (~15 ES modules: the catalog reader, the tree walk) load only when it is asked (not for --timings).
  const manifest = opts.reuse === false ? undefined : await import('../manifest/validate.js');
  const inputs = manifest && (await manifest.validateInputs(opts.root, opts.envs, given, opts.defaults !== false, cacheDir, opts.env ?? {}));
  const hit = inputs && (await manifest.reusableValidate(inputs));
  if (hit) return { ...hit, summary: summarize(hit.results), compiled: { compiled: 0, loaded: 0 }, timings: NOTHING_RAN, reused: true };
  // The full run, from its V8-code-cached bundle when this build has one (bundle/load.ts), else as modules.
  const { loadOr } = await import('../bundle/load.js');
  const bundled = await loadOr<typeof import('./validate-run.js')>('commands/validate-run', new DiskCache(cacheDir), () => import('./validate-run.js'));
  const { deps, ...r } = await bundled.exports.runValidate(opts, given, cacheDir, inputs?.run, inputs !== undefined);
  await bundled.persist();
  if (manifest && inputs && deps) await manifest.recordValidate(inputs, deps, r);
  return r;
}

/**
 * The --schema-location values, parsed, with `default` where the defaults go: checked before
 * anything is read or loaded, so a wrong argument fails at once.
 */
async function givenLocations(opts: ValidateOptions): Promise<(Location | 'default')[]> {
  if (opts.defaults === false && opts.schemaLocations.includes('default')) throw new UsageError('--schema-location default together with --no-default-locations: pick one');
  const out: (Location | 'default')[] = [];
  for (const spec of opts.schemaLocations) {
    if (spec === 'default') {
      out.push('default');
      continue;
    }
    const loc = parseLocation(spec, opts.cwd);
    if (loc.type === 'path' && !(await stat(loc.path).then(() => true, () => false))) throw new UsageError(`--schema-location ${spec}: no such file or folder (${loc.path})`);
    out.push(loc);
  }
  return out;
}
