/**
 * `diff --base REV`: what changes between the catalogs at a git revision and those in the
 * working tree — per environment in reviewers' words, per generated object, and (asked for)
 * as a unified YAML diff. Both sides are rendered by this version of the tool, so the view
 * shows what the catalog change does, not differences in how older versions rendered.
 */
import { UserError, type Issue } from '../errors.js';
import { loadRepository, type CatalogSource, type LoadMemo } from '../catalog/repository.js';
import { CATALOG, readCatalogs, readLibrary } from '../disk/files.js';
import { LIBRARY_FILE } from '../library/schema.js';
import { git } from '../git/client.js';
import { listAt, openRepo, readAt, resolveCommit, type Repo } from '../git/repo.js';
import { renderTree } from '../render/tree.js';
import { compareCatalogs } from '../change/semantic.js';
import { compareTrees } from '../change/objects.js';
import { sharedRendering } from '../change/shared.js';
import { unifiedDiff } from '../change/unified.js';
import { formatReview, type ReportFormat, type Review } from '../change/report.js';
import type { Catalog } from '../model/types.js';
import { selectEnvironments } from './workspace.js';
import { compareGpuDemand } from '../accounting/gpus.js';

export interface DiffOptions {
  readonly root: string;
  /** Any revision git understands (a branch, a tag, origin/main, HEAD~1, a sha). */
  readonly base: string;
  readonly format: ReportFormat;
  /** Include a unified diff of the generated files. @default false */
  readonly unified?: boolean;
  /** Only these environments. @default all */
  readonly envs?: readonly string[];
  /** Render both revisions in full (the reference the shared rendering is tested against). @default false */
  readonly renderAll?: boolean;
}

export interface DiffResult {
  readonly review: Review;
  readonly report: string;
  readonly warnings: readonly Issue[];
}

/** Every catalog at `rev`, as sources with repository-root-relative file names. */
export async function catalogsAt(repo: Repo, rev: string): Promise<CatalogSource[]> {
  const g = git(repo.top);
  const pattern = new RegExp(`^${repo.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}environments/([^/]+)/${CATALOG}$`);
  const out: CatalogSource[] = [];
  for (const path of await listAt(g, rev, `${repo.prefix}environments`)) {
    const env = pattern.exec(path)?.[1];
    const text = env ? await readAt(g, rev, path) : undefined;
    if (env && text !== undefined) out.push({ env, file: `environments/${env}/${CATALOG}`, text });
  }
  return out.sort((a, b) => (a.env < b.env ? -1 : a.env > b.env ? 1 : 0));
}

function load(sources: readonly CatalogSource[], label: string, library: { file: string; text: string } | undefined, memo: LoadMemo): { catalog: Catalog; warnings: readonly Issue[] } {
  const r = loadRepository(sources, library, memo);
  if (!r.ok) throw new UserError(r.issues.map((i) => ({ ...i, file: `${label}${i.file}` })));
  return { catalog: r.value, warnings: r.warnings };
}

export async function diff(o: DiffOptions): Promise<DiffResult> {
  const repo = await openRepo(o.root);
  if (!repo) throw UserError.of(o.root, 'is not in a git repository — `diff` compares against a git revision', 2);
  const commit = await resolveCommit(git(repo.top), o.base);
  if (!commit) throw UserError.of(repo.top, `--base ${o.base}: no such revision (fetch it first, e.g. \`git fetch origin main\`)`, 2);
  const only = o.envs ?? [];
  const keep = (s: CatalogSource) => !only.length || only.includes(s.env);
  const libraryAt = await readAt(git(repo.top), commit, `${repo.prefix}${LIBRARY_FILE}`);
  // A catalog both revisions share is loaded once, and what renders the same on both sides is not rendered.
  const memo: LoadMemo = new Map();
  const before = load((await catalogsAt(repo, commit)).filter(keep), `${o.base}:`, libraryAt === undefined ? undefined : { file: LIBRARY_FILE, text: libraryAt }, memo);
  const after = load(await readCatalogs(o.root, await selectEnvironments(o.root, only)), '', await readLibrary(o.root), memo);
  const omit = o.renderAll ? {} : sharedRendering(before.catalog, after.catalog);
  const [filesA, filesB] = [renderTree(before.catalog, omit), renderTree(after.catalog, omit)];
  const review: Review = {
    base: o.base,
    changes: compareCatalogs(before.catalog, after.catalog),
    objects: compareTrees(filesA, filesB),
    gpus: compareGpuDemand(before.catalog, after.catalog),
    ...(o.unified ? { unified: unifiedDiff(filesA, filesB) } : {}),
  };
  return { review, report: formatReview(review, o.format), warnings: after.warnings };
}
