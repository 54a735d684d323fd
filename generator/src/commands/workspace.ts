/**
 * The generate pipeline from a repository root: read catalogs → load → render → plan.
 * Shared by generate, check, validate and commit.
 */
import { UserError } from '../errors.js';
import { loadRepository, type CatalogSource } from '../catalog/repository.js';
import { readCatalogs, readLibrary, readTree, selectEnvironments } from '../disk/files.js';

export { selectEnvironments };
import { isWrite, mayDeleteFor, notPlanned, planChanges, type Plan } from '../disk/plan.js';
import type { Stage } from '../disk/stage.js';
import { OWNED_DIRS, pathProblems } from '../disk/paths.js';
import { vendorDir } from '../render/platform.js';
import { renderEnvironment, renderTree, type RenderOptions } from '../render/tree.js';
import type { OutputFile } from '../render/output.js';
import type { Catalog, Environment } from '../model/types.js';
import type { Issue } from '../errors.js';
import { readLock } from '../disk/vendor.js';
import { scanRendered } from '../credentials/catalog.js';

export interface Workspace {
  readonly catalog: Catalog;
  readonly files: readonly OutputFile[];
  readonly plan: Plan;
  readonly warnings: readonly Issue[];
}

/** The rendered tree, without reading what is on disk (what `validate` needs). */
export type RenderedWorkspace = Omit<Workspace, 'plan'> & { readonly envs: readonly string[] };

/** The catalogs and library a run reads, when the caller already read them (manifest/reuse.ts hashes exactly these). */
export interface ReadInputs {
  readonly envs: readonly string[];
  readonly sources: readonly CatalogSource[];
  readonly library: { readonly file: string; readonly text: string } | undefined;
}

/**
 * Where generate puts each environment's files that will be written, as soon as they are
 * rendered (while the next catalog loads): `existing` is the tree on disk, read first.
 */
interface Staging {
  readonly stage: Stage;
  readonly existing: ReadonlyMap<string, string>;
}

/**
 * read catalogs → load → render (`omit`: what the caller does not need, e.g. validate the READMEs).
 * `onCatalog` is called once the catalogs are loaded, before the rest is rendered (validate starts its worker threads there).
 */
export async function renderWorkspace(root: string, only: readonly string[] = [], read?: ReadInputs, omit?: RenderOptions, staging?: Staging, onCatalog?: (catalog: Catalog) => void): Promise<RenderedWorkspace> {
  const envs = read?.envs ?? (await selectEnvironments(root, only));
  const sources = read?.sources ?? (await readCatalogs(root, envs));
  const rendered = new Map<Environment, readonly OutputFile[]>();
  const scanned = new Set<OutputFile>();
  let leak = false;
  const early =
    staging &&
    ((e: Environment) => {
      const files = renderEnvironment(e, omit);
      rendered.set(e, files);
      for (const f of files) scanned.add(f);
      // Nothing of an environment with a credential in its output is staged (nor of any after it).
      leak ||= scanRendered(files, sources).length > 0;
      if (leak) return;
      for (const f of files) if (isWrite(f.content, staging.existing.get(f.path))) staging.stage.put(f.path, f.content);
      staging.stage.flush();
    });
  const loaded = loadRepository(sources, read ? read.library : await readLibrary(root), undefined, early);
  if (!loaded.ok) throw new UserError(loaded.issues);
  const catalog = loaded.value;
  const missingVendor = await missingVendoredSources(root, catalog);
  if (missingVendor.length) throw new UserError(missingVendor);
  onCatalog?.(catalog);
  const files = renderTree(catalog, omit, rendered);
  // Backstop: no credential reaches a generated file, whatever the catalog scan missed (the
  // files staged early were scanned then; any finding is reported over the whole tree, in order).
  const rest = scanned.size ? files.filter((f) => !scanned.has(f)) : files;
  let leaked = scanRendered(rest, sources);
  if (scanned.size && (leak || leaked.length)) leaked = scanRendered(files, sources);
  if (leaked.length) throw new UserError(leaked);
  return { catalog, files, warnings: loaded.warnings, envs };
}

/**
 * read catalogs → load → render → plan against the tree on disk. With `stage`, the tree is
 * read first and each environment's files to write are staged as soon as they are rendered.
 */
export async function loadWorkspace(root: string, only: readonly string[] = [], read?: ReadInputs, stage?: Stage): Promise<Workspace> {
  const early = stage && (await readTree(root, OWNED_DIRS, notPlanned));
  const { catalog, files, warnings, envs } = await renderWorkspace(root, only, read, undefined, early && stage && { stage, existing: early });
  const existing = early ?? (await readTree(root, OWNED_DIRS, notPlanned));
  const planned = planChanges(files, existing, mayDeleteFor(only, envs));
  // A link (or a file where a folder goes) on the way of a write is a conflict, never followed.
  const blocked = await pathProblems(root, planned.changes.map((c) => ({ path: c.path, expect: c.kind === 'create' ? 'missing' : 'file' })));
  const plan = blocked.length ? { changes: planned.changes, conflicts: [...planned.conflicts, ...blocked] } : planned;
  return { catalog, files, plan, warnings };
}

async function missingVendoredSources(root: string, catalog: Catalog): Promise<Issue[]> {
  const issues: Issue[] = [];
  for (const e of catalog.environments) {
    const needs = e.platform.source === 'vendored' && (e.platform.mode !== 'none' || Object.keys(e.images).length > 0);
    if (needs && !(await readLock(root, e.platform.kserve))) {
      issues.push({
        file: e.file,
        field: 'platform.source',
        message: `is vendored, but ${vendorDir(e.platform.kserve)} has no vendor.lock.json — run \`llm-gitops vendor --from <kserve checkout|tarball|url>\` first`,
        severity: 'error',
      });
    }
  }
  return issues;
}
