/**
 * The generate pipeline from a repository root: read catalogs → load → render → plan.
 * Shared by generate, check, validate and commit.
 */
import { UserError } from '../errors.js';
import { loadRepository } from '../catalog/repository.js';
import { listEnvironments, readCatalogs, readLibrary, readTree } from '../disk/files.js';
import { planChanges, type Plan } from '../disk/plan.js';
import { OWNED_DIRS, pathProblems } from '../disk/paths.js';
import { vendorDir } from '../render/platform.js';
import { renderTree } from '../render/tree.js';
import type { OutputFile } from '../render/output.js';
import type { Catalog } from '../model/types.js';
import type { Issue } from '../errors.js';
import { readLock } from '../disk/vendor.js';
import { scanRendered } from '../credentials/catalog.js';

export interface Workspace {
  readonly catalog: Catalog;
  readonly files: readonly OutputFile[];
  readonly plan: Plan;
  readonly warnings: readonly Issue[];
}

export async function selectEnvironments(root: string, only: readonly string[]): Promise<string[]> {
  const all = await listEnvironments(root);
  if (!all.length) throw UserError.of('environments/', 'no environments/<env>/catalog.yaml found — run `llm-gitops init` or pass --root', 1);
  const unknown = only.filter((e) => !all.includes(e));
  if (unknown.length) throw UserError.of('environments/', `no catalog for ${unknown.join(', ')} (known: ${all.join(', ')})`, 2);
  return only.length ? all.filter((e) => only.includes(e)) : all;
}

/** The rendered tree, without reading what is on disk (what `validate` needs). */
export type RenderedWorkspace = Omit<Workspace, 'plan'> & { readonly envs: readonly string[] };

/** read catalogs → load → render. */
export async function renderWorkspace(root: string, only: readonly string[] = []): Promise<RenderedWorkspace> {
  const envs = await selectEnvironments(root, only);
  const sources = await readCatalogs(root, envs);
  const loaded = loadRepository(sources, await readLibrary(root));
  if (!loaded.ok) throw new UserError(loaded.issues);
  const catalog = loaded.value;
  const missingVendor = await missingVendoredSources(root, catalog);
  if (missingVendor.length) throw new UserError(missingVendor);
  const files = renderTree(catalog);
  // Backstop: no credential reaches a generated file, whatever the catalog scan missed.
  const leaked = scanRendered(files, sources);
  if (leaked.length) throw new UserError(leaked);
  return { catalog, files, warnings: loaded.warnings, envs };
}

/** read catalogs → load → render → plan against the tree on disk. */
export async function loadWorkspace(root: string, only: readonly string[] = []): Promise<Workspace> {
  const { catalog, files, warnings, envs } = await renderWorkspace(root, only);
  const existing = await readTree(root, OWNED_DIRS, (p) => p.startsWith('base/vendor/') || p.endsWith('/catalog.yaml'));
  const filtered = only.length > 0;
  const mayDelete = (path: string) => {
    if (!filtered) return true;
    return envs.some((e) => path.startsWith(`environments/${e}/`));
  };
  const planned = planChanges(files, existing, mayDelete);
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
