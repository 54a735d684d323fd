/**
 * No-op runs that cost nothing. A generate or check whose inputs — every catalog text, the
 * library file, the tool's own code (manifest/fingerprint.ts), the --env selection and the
 * LLM_GITOPS_* settings — hash to the key of the manifest it finds in the cache, and whose
 * other reads (vendor locks, the CRDs admission used) still hash the same, does not parse or
 * render: it reads the tree and checks every file against the recorded sha256. Only when the
 * tree matches exactly (no file missing, differing, hand-made where a generated one goes, or
 * generated but no longer rendered) is the recorded result replayed; anything else is a miss
 * and the run renders as always. So a hit says "up to date" only for a tree that a full run
 * would also call up to date.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { hashFile, readCatalogs, readLibrary, readTree, selectEnvironments, type CatalogText } from '../disk/files.js';
import { OWNED_DIRS } from '../disk/paths.js';
import { mayDeleteFor, notPlanned } from '../disk/plan.js';
import { isGenerated } from '../model/names.js';
import type { Issue } from '../errors.js';
import { DiskCache, defaultCacheDir, sha256 } from '../validate/cache.js';
import { toolFingerprint } from './fingerprint.js';
import { MANIFEST_VERSION, readManifest, slotOf, treeHash, writeManifest, type Dependency, type RunManifest } from './store.js';

export type Vars = Readonly<Record<string, string | undefined>>;

/** What a run reads first, and the key they hash to. */
export interface RunInputs {
  readonly command: 'generate' | 'check' | 'validate';
  readonly root: string;
  /** --env as given; `envs` is the selection it resolves to. */
  readonly only: readonly string[];
  readonly envs: readonly string[];
  readonly sources: readonly CatalogText[];
  readonly library: { readonly file: string; readonly text: string } | undefined;
  readonly key: string;
  readonly cache: DiskCache;
  readonly slot: string;
}

export async function runInputs(command: RunInputs['command'], root: string, only: readonly string[], vars: Vars): Promise<RunInputs> {
  const envs = await selectEnvironments(root, only);
  const cache = new DiskCache(defaultCacheDir(vars));
  const [sources, library, tool] = await Promise.all([readCatalogs(root, envs), readLibrary(root), toolFingerprint(cache)]);
  const settings = Object.keys(vars).filter((k) => k.startsWith('LLM_GITOPS_')).sort().map((k) => [k, vars[k]]);
  const key = sha256(JSON.stringify([MANIFEST_VERSION, command, tool, only, envs, sources.map((s) => [s.env, s.file, s.text]), library ? [library.file, library.text] : null, settings]));
  return { command, root, only, envs, sources, library, key, cache, slot: slotOf(command, root, only) };
}

/** The recorded result for these inputs, if the tree on disk is exactly what it rendered. */
export async function reusable(inputs: RunInputs): Promise<RunManifest | undefined> {
  const m = await readManifest(inputs.cache, inputs.slot);
  if (!m || m.key !== inputs.key) return undefined;
  for (const d of m.deps) if ((await hashDependency(d.path, d.dir)) !== d.sha) return undefined;
  const existing = await readTree(inputs.root, OWNED_DIRS, notPlanned);
  const texts: (readonly [string, string])[] = [];
  for (const path of m.files) {
    const text = existing.get(path);
    if (text === undefined || !isGenerated(text)) return undefined; // missing, or hand-written where a generated file goes
    texts.push([path, text]);
  }
  if (treeHash(texts) !== m.tree) return undefined; // some file differs from what was rendered
  const wanted = new Set(m.files);
  const mayDelete = mayDeleteFor(inputs.only, inputs.envs);
  for (const [path, text] of existing) if (!wanted.has(path) && isGenerated(text) && mayDelete(path)) return undefined; // would be removed
  return m;
}

/** What a successful run produced, for the next run with the same inputs. */
export interface RunRecord {
  readonly files: readonly { readonly path: string; readonly content: string }[];
  readonly deps: readonly Dependency[];
  readonly warnings: readonly Issue[];
  readonly notes?: readonly string[];
  readonly vendored?: readonly string[];
  readonly prerequisites?: readonly (readonly [string, string])[];
}

export async function record(inputs: RunInputs, r: RunRecord): Promise<void> {
  if (r.warnings.some((w) => w.severity !== 'warning')) return; // only clean runs are replayed
  const warnings = r.warnings.map((w) => ({ ...w })); // exactly the Issue fields (parseManifest allows no others)
  await writeManifest(inputs.cache, inputs.slot, {
    version: MANIFEST_VERSION,
    key: inputs.key,
    files: r.files.map((f) => f.path),
    tree: treeHash(r.files.map((f) => [f.path, f.content] as const)),
    deps: r.deps,
    warnings,
    notes: r.notes ?? [],
    vendored: r.vendored ?? [],
    prerequisites: r.prerequisites ?? [],
  });
}

/** A file the run reads besides the catalogs, hashed now (before the run reads it). */
export async function dependency(path: string, dir = false): Promise<Dependency> {
  return { path, dir, sha: await hashDependency(path, dir) };
}

/**
 * sha256 of a file, or of a folder's files (paths and contents, the folder itself followed if
 * it is a link, links below it skipped: how schema locations are walked); null when absent.
 */
export async function hashDependency(path: string, dir: boolean): Promise<string | null> {
  if (!dir) return hashFile(path).catch(() => null);
  const st = await stat(path).catch(() => undefined);
  if (!st?.isDirectory()) return null;
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else if (e.isFile()) files.push(join(d, e.name));
    }
  };
  try {
    await walk(path);
    files.sort();
    const h = createHash('sha256');
    for (const f of files) {
      const bytes = await readFile(f);
      h.update(`${f.slice(path.length)}\0${bytes.length}\0`).update(bytes);
    }
    return h.digest('hex');
  } catch {
    return 'unreadable';
  }
}
