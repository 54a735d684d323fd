/**
 * validate's run manifest: an unchanged tree validates for the cost of a read and a hash.
 *
 * The key covers what the verdicts are a function of: the catalogs, the library, the --env
 * selection, every LLM_GITOPS_* setting and the tool's fingerprint (manifest/reuse.ts runInputs),
 * plus the schema locations as resolved (so the working directory counts), --no-default-locations,
 * the cache folder and the Node.js version. Beside the key, every file the schema lookups can
 * read is a dependency, hashed before the run reads it: each --schema-location file or folder
 * (its files' paths and contents), the cache's download of each URL location (pinned defaults
 * included, present or not), the vendored llmisvc and Gateway API CRD folders the defaults
 * switch to when they exist, and the vendor lock of each vendored KServe version. Links are
 * followed where the run follows them. A run is recorded only when it is a function of these:
 * no object in error (a download that failed, say) and no {{ template }} location (which files
 * it reads depends on the kinds met). The cache's derived entries (converted CRDs, compiled
 * validators, parsed CEL) are keyed by the content they derive from, so they are not inputs.
 *
 * The entry is hostile input, like generate's (store.ts): a non-file, over 64 MiB, not JSON, or
 * not exactly this shape (an unknown field, an object in error, a warning of severity error…)
 * is ignored, and the run validates and rewrites it.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Issue } from '../errors.js';
import type { ResourceResult } from '../validate/result.js';
import { DiskCache, sha256 } from '../validate/cache.js';
import { LOCATIONS, sharedHashes, type FileHashes } from './hashes.js';
import type { Location } from '../validate/location.js';
import { runInputs, type RunInputs, type Vars } from './reuse.js';
import { arrayOf, HEX, jsonOf, slotOf, isCount, isDep, isObject, isString, isWarning, onlyKeys, readSlot, writeSlot, type Dependency } from './store.js';

const VERSION = 1;

/** The admission summary validate prints (commands/validate.ts AdmissionSummary). */
export interface RecordedAdmission {
  readonly schemas: readonly { readonly source: string; readonly kind: string; readonly version: string; readonly total: number; readonly compiled: number; readonly transition: number; readonly failed: readonly { readonly at: string; readonly rule: string; readonly error: string }[] }[];
  readonly evaluated: number;
  readonly transitionSkipped: number;
  readonly uncompiled: number;
}

/** What a clean validate run printed, for the next run with the same inputs. */
export interface ValidateRecord {
  readonly results: readonly ResourceResult[];
  readonly warnings: readonly Issue[];
  readonly admission: RecordedAdmission;
}

interface Stored extends ValidateRecord {
  readonly version: typeof VERSION;
  readonly key: string;
  readonly deps: readonly Dependency[];
}

export interface ValidateInputs {
  readonly run: RunInputs;
  readonly key: string;
  readonly slot: string;
  readonly cache: DiskCache;
}

/** The given locations (`default` where the defaults go), as resolved; `defaults`: false for --no-default-locations. */
export async function validateInputs(root: string, only: readonly string[], given: readonly (Location | 'default')[], defaults: boolean, cacheDir: string, vars: Vars): Promise<ValidateInputs> {
  const run = await runInputs('validate', root, only, vars);
  const key = sha256(JSON.stringify([VERSION, run.key, given, defaults, resolve(cacheDir), process.version]));
  return { run, key, slot: slotOf('validate', root, only), cache: new DiskCache(cacheDir) };
}

/** The recorded result for these inputs, if every file it depends on still hashes the same. */
export async function reusableValidate(inputs: ValidateInputs): Promise<ValidateRecord | undefined> {
  // The key first: a miss (a catalog edited) does not check the shape of every recorded result.
  const m = await readSlot(inputs.cache, inputs.slot, (text) => {
    const v = jsonOf(text);
    return isObject(v) && v.key === inputs.key && isStored(v) ? v : undefined;
  });
  if (!m) return undefined;
  const hashes = await sharedHashes(inputs.cache, LOCATIONS);
  const same = m.deps.every((d) => hashInput(d.path, d.dir, hashes) === d.sha);
  await hashes.save();
  if (!same) return undefined;
  return { results: m.results, warnings: m.warnings, admission: m.admission };
}

/**
 * The files a run with these locations may read, hashed now (call before validating). undefined:
 * the run cannot be recorded (a template location, a path location that is a link, no cache).
 */
export async function validateDependencies(o: { readonly cache: DiskCache; readonly locations: readonly Location[]; readonly watched: readonly string[]; readonly locks: readonly string[] }): Promise<Dependency[] | undefined> {
  if (!o.cache.dir) return undefined;
  const wanted = new Map<string, boolean>();
  for (const l of o.locations) {
    if (l.type === 'template') return undefined;
    if (l.type === 'url') wanted.set(join(o.cache.dir, `http/${sha256(l.url)}`), false);
    else wanted.set(l.path, isDir(l.path));
  }
  for (const d of o.watched) wanted.set(d, true);
  for (const f of o.locks) wanted.set(f, false);
  const hashes = await sharedHashes(o.cache, LOCATIONS);
  const deps: Dependency[] = [];
  for (const [path, dir] of [...wanted].sort(([a], [b]) => (a < b ? -1 : 1))) deps.push({ path, dir, sha: hashInput(path, dir, hashes) });
  await hashes.save();
  return deps;
}

export async function recordValidate(inputs: ValidateInputs, deps: readonly Dependency[], r: ValidateRecord): Promise<void> {
  if (r.results.some((x) => x.status === 'error') || r.warnings.some((w) => w.severity !== 'warning')) return;
  const stored: Stored = { version: VERSION, key: inputs.key, deps, results: r.results, warnings: r.warnings.map((w) => ({ ...w })), admission: r.admission };
  if (!isStored(stored)) return; // never write what the next run would refuse (checked in place: at 10k objects a parsed copy costs ~40 MB)
  await writeSlot(inputs.cache, inputs.slot, stored);
}

/**
 * sha256 of a file as the schema store reads it (links followed), or of a folder's files (the
 * store's walk: the folder itself followed if it is a link, links below it skipped), over each
 * file's relative path and sha256; null when absent. Through the stat index, so an unchanged
 * file is stat()ed, not read (on these shared machines reading and hashing the bench's 7.4 MB of
 * CRDs cost ~12 ms a run, twice: here and for the CRD-index keys).
 */
function hashInput(path: string, dir: boolean, hashes: FileHashes): string | null {
  if (!dir) return hashes.hash(path)?.sha ?? null;
  if (!isDir(path)) return null;
  const files: string[] = [];
  const walk = (d: string): void => {
    const { files: names, dirs } = hashes.list(d);
    for (const n of dirs) walk(join(d, n));
    for (const n of names) files.push(join(d, n));
  };
  try {
    walk(path);
    files.sort();
    const h = createHash('sha256');
    for (const f of files) {
      const sha = hashes.hash(f)?.sha;
      if (sha === undefined) return 'unreadable';
      h.update(`${f.slice(path.length)}\0${sha}\0`);
    }
    return h.digest('hex');
  } catch {
    return 'unreadable';
  }
}

const isDir = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};
const isNat = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isViolation = (v: unknown) =>
  isObject(v) && onlyKeys(v, ['path', 'msg', 'rule', 'line', 'col']) && isString(v.path) && isString(v.msg) && (v.rule === undefined || isString(v.rule)) && isCount(v.line) && isCount(v.col);
const isRuleCounts = (v: unknown) =>
  isObject(v) && onlyKeys(v, ['evaluated', 'transition', 'uncompiled', 'defaulted']) && isNat(v.evaluated) && isNat(v.transition) && isNat(v.uncompiled) && arrayOf(v.defaulted, isString);
const isResult = (v: unknown): v is ResourceResult =>
  isObject(v) &&
  onlyKeys(v, ['filename', 'line', 'kind', 'name', 'version', 'status', 'msg', 'validationErrors', 'schema', 'admission']) &&
  isString(v.filename) && isCount(v.line) && isString(v.kind) && isString(v.name) && isString(v.version) && isString(v.msg) &&
  (v.status === 'valid' || v.status === 'invalid' || v.status === 'skipped') && // an object in error is never recorded
  arrayOf(v.validationErrors, isViolation) && (v.schema === undefined || isString(v.schema)) && (v.admission === undefined || isRuleCounts(v.admission));
const isFailedRule = (v: unknown) => isObject(v) && onlyKeys(v, ['at', 'rule', 'error']) && isString(v.at) && isString(v.rule) && isString(v.error);
const isSchemaRules = (v: unknown) =>
  isObject(v) && onlyKeys(v, ['source', 'kind', 'version', 'total', 'compiled', 'transition', 'failed']) &&
  isString(v.source) && isString(v.kind) && isString(v.version) && isNat(v.total) && isNat(v.compiled) && isNat(v.transition) && arrayOf(v.failed, isFailedRule);
const isAdmission = (v: unknown): v is RecordedAdmission =>
  isObject(v) && onlyKeys(v, ['schemas', 'evaluated', 'transitionSkipped', 'uncompiled']) && arrayOf(v.schemas, isSchemaRules) && isNat(v.evaluated) && isNat(v.transitionSkipped) && isNat(v.uncompiled);

/** `text` as a validate manifest, or undefined when it is anything else. */
export function parseValidateManifest(text: string): Stored | undefined {
  const v = jsonOf(text);
  return isStored(v) ? v : undefined;
}

function isStored(v: unknown): v is Stored {
  if (!isObject(v) || !onlyKeys(v, ['version', 'key', 'deps', 'results', 'warnings', 'admission'])) return false;
  if (v.version !== VERSION || !isString(v.key) || !HEX.test(v.key)) return false;
  return arrayOf(v.deps, isDep) && arrayOf(v.results, isResult) && arrayOf(v.warnings, isWarning) && isAdmission(v.admission);
}
