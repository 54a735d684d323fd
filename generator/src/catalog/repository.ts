/**
 * All catalogs of a repository → Catalog, plus the rules that span environments.
 */
import { failed, ok, type Issue, type Result } from '../errors.js';
import type { Catalog, Environment } from '../model/types.js';
import { loadCatalog } from './load.js';
import { isDnsLabel } from '../model/names.js';
import { sharedNamespaces } from './shared-namespace.js';
import { loadLibrary, type LibrarySource } from '../library/load.js';

export interface CatalogSource {
  readonly env: string;
  readonly file: string;
  readonly text: string;
}

/**
 * Loads already done in this process, by catalog and library text: `diff` loads a catalog its two
 * revisions share once, and both then hold the same Environment object (loading is pure).
 */
export type LoadMemo = Map<string, Result<Environment>>;

/**
 * `library` is the organisation's environments/library.yaml (absent: the built-in entries only);
 * every environment resolves `use:` against the same library. `loaded` is told of each
 * environment as soon as it is loaded, while no catalog so far has an error (generate renders
 * and stages its files then, while the next catalog is parsed); the result may still fail.
 */
export function loadRepository(sources: readonly CatalogSource[], library?: LibrarySource, memo?: LoadMemo, loaded?: (env: Environment) => void): Result<Catalog> {
  const issues: Issue[] = [];
  const warnings: Issue[] = [];
  const envs: Environment[] = [];
  const lib = loadLibrary(library);
  if (!lib.ok) return failed(lib.issues);
  for (const s of sources) {
    const key = memo && JSON.stringify([s.env, s.file, s.text, library?.file ?? null, library?.text ?? null]);
    const r = (key !== undefined && memo!.get(key)) || loadCatalog(s.env, s.file, s.text, lib.value);
    if (key !== undefined) memo!.set(key, r);
    if (r.ok) {
      envs.push(r.value);
      warnings.push(...r.warnings);
      if (!issues.length) loaded?.(r.value);
    } else issues.push(...r.issues);
  }
  for (const s of sources) {
    if (!isDnsLabel(s.env)) {
      issues.push({ file: s.file, message: `environment folder "${s.env}" must be a DNS-1123 label (it names Argo CD / Flux objects) — rename the folder`, severity: 'error' });
    }
  }
  issues.push(...sharedPlatformRules(envs));
  warnings.push(...sharedNamespaces(envs, new Map(sources.map((s) => [s.file, s.text]))));
  if (issues.length) return failed([...issues, ...warnings]);
  return ok({ environments: envs }, warnings);
}

/** base/<version> is shared: environments pinning one KServe version must agree on its source. */
function sharedPlatformRules(envs: readonly Environment[]): Issue[] {
  const issues: Issue[] = [];
  const first = new Map<string, Environment>();
  for (const e of envs) {
    if (e.platform.mode === 'none') continue;
    const other = first.get(e.platform.kserve);
    if (!other) first.set(e.platform.kserve, e);
    else if (other.platform.source !== e.platform.source) {
      issues.push({
        file: e.file,
        field: 'platform.source',
        message: `is ${e.platform.source}, but ${other.file} takes KServe ${e.platform.kserve} ${other.platform.source} — environments share base/${e.platform.kserve}, so set the same source in both`,
        severity: 'error',
      });
    }
  }
  return issues;
}
