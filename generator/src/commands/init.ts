/**
 * `init [DIR]`: scaffold a GitOps repository that `generate`, `validate` and `check` accept at
 * once — the scaffold is written, then generated, then (outside a repository) `git init`ed.
 * Never overwrites: any existing file among those it would write stops it before it writes.
 */
import { mkdir, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { UsageError, UserError, type Issue } from '../errors.js';
import { loadRepository } from '../catalog/repository.js';
import { readOptional } from '../disk/files.js';
import { packageRoot, toolOrigin } from '../install/origin.js';
import { parseToolSpec, type ToolSource } from '../install/tool.js';
import type { Change } from '../disk/plan.js';
import { applyChanges } from '../disk/transaction.js';
import { git } from '../git/client.js';
import { branchNameProblem } from '../git/refname.js';
import { parentsOf } from '../disk/paths.js';
import { initRepo, openRepo } from '../git/repo.js';
import { isDnsLabel } from '../model/names.js';
import type { DeliveryEngine } from '../model/types.js';
import { catalogPathOf, renderCatalog, renderScaffold, type ScaffoldOptions } from '../render/scaffold.js';
import { renderTree } from '../render/tree.js';
import { loadWorkspace } from './workspace.js';

export interface InitOptions {
  readonly dir: string;
  /** @default dev */
  readonly env?: string;
  /** @default none */
  readonly engine?: DeliveryEngine;
  readonly repoUrl?: string;
  /** @default @your-org/llm-platform */
  readonly owner?: string;
  /** @default main */
  readonly branch?: string;
  /** Where CI installs llm-gitops from (see install/tool.ts). @default where this one came from */
  readonly tool?: string;
  /** What relative paths (`dir`, a `--tool` path) are taken from. @default process.cwd() */
  readonly cwd?: string;
}

export interface InitResult {
  readonly dir: string;
  /** Scaffold and generated files, repository-relative. */
  readonly written: readonly string[];
  readonly gitInitialized: boolean;
  /** What CI installs. */
  readonly tool: ToolSource;
  readonly warnings: readonly Issue[];
}

/** This package's version, from the package.json above this module (dist/ or generator/src/). */
export async function toolVersion(): Promise<string> {
  return (await packageRoot()).manifest.version!;
}

async function pickTool(o: InitOptions, dir: string): Promise<{ tool: ToolSource; warnings: Issue[] }> {
  if (o.tool === undefined) return toolOrigin(dir);
  const parsed = parseToolSpec(o.tool, { cwd: o.cwd ?? process.cwd(), repoDir: dir });
  if ('error' in parsed) throw new UsageError(`${parsed.error} — pass a git URL with a tag (git+https://host/org/kserve-llm-gitops.git#v0.1.0), a tarball URL or path, or docker://<image>:<tag>`);
  return parsed;
}

/**
 * init scaffolds the top level of a git repository (or a folder outside any, which it `git init`s).
 * A subfolder of an existing repository is refused: GitHub runs workflows only from the top level's
 * .github/, and the Argo CD / Flux objects generate writes name environments/… from the top.
 */
async function refuseSubfolder(given: string, dir: string): Promise<void> {
  let existing = dir;
  while (!(await stat(existing).then((s) => s.isDirectory(), () => false)) && dirname(existing) !== existing) existing = dirname(existing);
  const repo = await openRepo(existing);
  if (!repo) return;
  const prefix = `${repo.prefix}${relative(existing, dir).split(sep).join('/')}`.replace(/\/+$/, '');
  if (!prefix) return;
  throw new UsageError(
    `${given} is inside the git repository ${repo.top} (as ${prefix}/): init scaffolds the top level of a repository, because GitHub runs workflows only from the top level's .github/ and the Argo CD / Flux objects name environments/ from the top — run \`llm-gitops init ${repo.top}\` to make that repository the GitOps repository, or init a folder outside it (a repository of its own)`,
  );
}

/** Removes what a failed init wrote: the folder it made, or else its files and the folders they emptied. */
async function undoInit(dir: string, made: string | undefined, written: readonly string[]): Promise<void> {
  if (made) return rm(made, { recursive: true, force: true });
  for (const f of written) await rm(join(dir, f), { force: true });
  const parents = [...new Set(written.flatMap(parentsOf))].sort((a, b) => b.length - a.length);
  for (const p of parents) await rmdir(join(dir, p)).catch(() => undefined);
}

export async function init(o: InitOptions): Promise<InitResult> {
  const dir = resolve(o.cwd ?? process.cwd(), o.dir);
  const picked = await pickTool(o, dir);
  const opts: ScaffoldOptions = {
    env: o.env ?? 'dev',
    engine: o.engine ?? 'none',
    ...(o.repoUrl ? { repoUrl: o.repoUrl } : {}),
    owner: o.owner ?? '@your-org/llm-platform',
    branch: o.branch ?? 'main',
    toolVersion: await toolVersion(),
    tool: picked.tool,
  };
  if (!isDnsLabel(opts.env)) throw new UsageError(`--env ${opts.env}: an environment name must be a DNS-1123 label (lower-case letters, digits, '-')`);
  if (opts.engine !== 'none' && !opts.repoUrl) throw new UsageError(`--engine ${opts.engine} needs --repo-url: the git URL ${opts.engine === 'flux' ? 'Flux' : 'Argo CD'} reads this repository from`);
  const badBranch = branchNameProblem(opts.branch);
  if (badBranch) throw new UsageError(`--default-branch ${JSON.stringify(opts.branch)}: ${badBranch} — pass a branch name such as main`);

  await refuseSubfolder(o.dir, dir);

  // The README draws the tree generate will produce, so render it first, purely.
  const loaded = loadRepository([{ env: opts.env, file: catalogPathOf(opts.env), text: renderCatalog(opts) }]);
  if (!loaded.ok) throw new UserError(loaded.issues);
  const files = renderScaffold(opts, renderTree(loaded.value).map((f) => f.path));

  const existing = [];
  for (const f of files) if ((await readOptional(join(dir, f.path))) !== undefined) existing.push(f.path);
  if (existing.length) {
    throw new UserError(existing.map((file) => ({ file: join(o.dir, file), message: 'already exists — init never overwrites; scaffold into an empty folder, or move the file away', severity: 'error' as const })));
  }
  // All or nothing: a failure after the first write removes what init wrote (and the folder it made).
  const made = await mkdir(dir, { recursive: true });
  const written: string[] = [];
  let ws, gitInitialized;
  try {
    await applyChanges(dir, files.map((f): Change => ({ kind: 'create', path: f.path, content: f.content })));
    written.push(...files.map((f) => f.path));
    ws = await loadWorkspace(dir);
    if (ws.plan.conflicts.length) throw new UserError(ws.plan.conflicts);
    await applyChanges(dir, ws.plan.changes);
    written.push(...ws.plan.changes.map((c) => c.path));
    gitInitialized = !(await openRepo(dir));
    if (gitInitialized) await initRepo(git(dir), opts.branch);
  } catch (e) {
    await undoInit(dir, made, written);
    throw e;
  }
  return { dir, written: [...files.map((f) => f.path), ...ws.plan.changes.map((c) => c.path)].sort(), gitInitialized, tool: picked.tool, warnings: picked.warnings };
}
