/**
 * One attempt of `commit`, inside a scratch checkout sitting at the base commit: bring in the
 * user's catalogs and organisation library (environments/library.yaml), regenerate, re-check, stage exactly what changed, commit with a message
 * made from the change. Run again on a newer base after a rejected push, so generated files
 * are always computed from the catalogs they are committed with.
 */
import type { SimpleGit } from 'simple-git';
import { UserError, type Issue } from '../errors.js';
import { loadRepository, type CatalogSource } from '../catalog/repository.js';
import { CATALOG, listEnvironments, readCatalogs, readLibrary } from '../disk/files.js';
import type { Change } from '../disk/plan.js';
import { applyChanges } from '../disk/transaction.js';
import { vendoredChanges } from '../disk/vendored.js';
import { commitStaged, mergeText, stagePaths } from '../git/commit.js';
import { compareCatalogs, type SemanticChange } from '../change/semantic.js';
import { messageContext, renderMessage, type FileTouch } from '../render/messages.js';
import { loadWorkspace } from './workspace.js';
import { LIBRARY_FILE } from '../library/schema.js';
import { scanRendered } from '../credentials/catalog.js';
import { check } from './check.js';

export interface Template {
  readonly text: string;
  readonly source: string;
}

/** Catalog texts by environment name. */
export type Catalogs = ReadonlyMap<string, string>;

export type CommitStep = 'lock' | 'worktree' | 'catalogs' | 'generate' | 'check' | 'stage' | 'commit' | 'branch' | 'index';

export interface BuildInput {
  /** Client rooted at `root`. */
  readonly git: SimpleGit;
  /** The catalog root inside the scratch checkout. */
  readonly root: string;
  /** Folder for temp files (outside the checkout). */
  readonly tmp: string;
  /** The user's catalogs (the working-tree versions). */
  readonly ours: Catalogs;
  /** The user's base/vendor/ files (what `vendor` wrote), carried like the catalogs. */
  readonly vendored?: ReadonlyMap<string, string>;
  /**
   * The catalogs the user's edits started from (their HEAD): the base of a three-way merge
   * with the checkout's catalogs. Undefined: the user's catalogs overwrite (another repository).
   */
  readonly base?: Catalogs;
  /** The user's environments/library.yaml (undefined: they have none). */
  readonly library?: string;
  /** environments/library.yaml at the user's HEAD: the merge base for `library`, like `base`. */
  readonly baseLibrary?: string;
  /** Commit-message and PR-body templates, with the name errors should quote. */
  readonly templates: { readonly message: Template; readonly prBody: Template };
  readonly step: (s: CommitStep) => Promise<void>;
}

export interface Built {
  /** undefined: nothing to commit. */
  readonly commit?: string;
  readonly message: string;
  readonly prBody: string;
  readonly changes: readonly SemanticChange[];
  readonly files: readonly FileTouch[];
  /** Root-relative paths committed (catalogs and generated files). */
  readonly paths: readonly string[];
  readonly warnings: readonly Issue[];
}

const catalogPath = (env: string) => `environments/${env}/${CATALOG}`;

/** The catalogs present under `root`. */
export async function catalogsIn(root: string): Promise<Map<string, string>> {
  return new Map((await readCatalogs(root, await listEnvironments(root))).map((c) => [c.env, c.text]));
}

function toSources(c: Catalogs): CatalogSource[] {
  return [...c].sort(([a], [b]) => (a < b ? -1 : 1)).map(([env, text]) => ({ env, file: catalogPath(env), text }));
}

/** One hand-edited file commit carries: the user's version, their HEAD's (the merge base), the checkout's. */
interface Carried {
  readonly path: string;
  readonly ours?: string;
  readonly base?: string;
  readonly theirs?: string;
}

/**
 * What to write so the checkout holds the user's hand-edited files — the catalogs and the
 * organisation library — merged three-way when `threeWay` (the user's own repository), else the
 * user's versions win where they have one (another repository keeps its other files).
 */
async function carriedChanges(i: BuildInput, files: readonly Carried[], threeWay: boolean): Promise<Change[]> {
  const changes: Change[] = [];
  const conflicts: Issue[] = [];
  for (const { path, ours: o, base: b, theirs: t } of files) {
    const to = (want: string | undefined) => {
      if (want === t) return;
      if (want === undefined) changes.push({ kind: 'delete', path, before: t! });
      else if (t === undefined) changes.push({ kind: 'create', path, content: want });
      else changes.push({ kind: 'update', path, content: want, before: t });
    };
    if (!threeWay) {
      if (o !== undefined) to(o);
      continue;
    }
    if (o === b || o === t) continue; // not edited by the user, or already there
    if (t === b) to(o);
    else if (o !== undefined && b !== undefined && t !== undefined) {
      const merged = await mergeText(i.git, i.tmp, o, b, t);
      if (merged.conflict) conflicts.push({ file: path, message: 'was changed on the target branch too, in the same lines as your edit — pull, resolve, and run commit again', severity: 'error' });
      else to(merged.text);
    } else conflicts.push({ file: path, message: 'was added or removed on the target branch while you edited it — pull, resolve, and run commit again', severity: 'error' });
  }
  if (conflicts.length) throw new UserError(conflicts);
  return changes;
}

/** The catalogs of every environment either side has, then the library file. */
function carried(i: BuildInput, theirs: Catalogs, theirLibrary: string | undefined): Carried[] {
  const envs = [...new Set([...i.ours.keys(), ...(i.base?.keys() ?? []), ...theirs.keys()])].sort();
  const opt = (k: 'ours' | 'base' | 'theirs', v: string | undefined) => (v === undefined ? {} : { [k]: v });
  return [
    ...envs.map((env) => ({ path: catalogPath(env), ...opt('ours', i.ours.get(env)), ...opt('base', i.base?.get(env)), ...opt('theirs', theirs.get(env)) })),
    { path: LIBRARY_FILE, ...opt('ours', i.library), ...opt('base', i.baseLibrary), ...opt('theirs', theirLibrary) },
  ];
}

const ACTION = { create: 'created', update: 'updated', delete: 'removed' } as const;

/** Builds one commit on the checkout's current HEAD (see the file comment). */
export async function buildCommit(i: BuildInput): Promise<Built> {
  const theirs = await catalogsIn(i.root);
  const theirLibrary = (await readLibrary(i.root))?.text;
  const before = loadRepository(toSources(theirs), theirLibrary === undefined ? undefined : { file: LIBRARY_FILE, text: theirLibrary });
  const catalogs = await carriedChanges(i, carried(i, theirs, theirLibrary), !!i.base);
  const vendored = await vendoredChanges(i.root, i.vendored ?? new Map());
  await applyChanges(i.root, [...catalogs, ...vendored]);
  await i.step('catalogs');

  const ws = await loadWorkspace(i.root);
  if (ws.plan.conflicts.length) throw new UserError(ws.plan.conflicts);
  await applyChanges(i.root, ws.plan.changes);
  await i.step('generate');

  const verdict = await check(i.root, []);
  if (verdict.stale.length) throw new UserError(verdict.stale);
  await i.step('check');

  const paths = [...catalogs, ...vendored, ...ws.plan.changes].map((c) => c.path).sort();
  await stagePaths(i.git, paths);
  await i.step('stage');

  // A base whose catalogs do not load (broken upstream) has no "before": the message then
  // says "regenerate" rather than claiming every model was added.
  const changes = before.ok ? compareCatalogs(before.value, ws.catalog) : [];
  const files: FileTouch[] = [...catalogs.filter((c) => c.path === LIBRARY_FILE), ...vendored, ...ws.plan.changes].map((c) => ({ path: c.path, action: ACTION[c.kind] }));
  const context = messageContext(changes, files);
  // Both rendered before committing: a broken template must fail before anything is recorded.
  const message = renderMessage(i.templates.message.text, context, i.templates.message.source);
  const prBody = renderMessage(i.templates.prBody.text, context, i.templates.prBody.source);
  // The message is committed and the body published: the same credential backstop as the tree.
  const leaked = scanRendered(
    [{ path: 'the commit message', content: message }, { path: 'the pull-request body', content: prBody }],
    [...toSources(i.ours), ...(i.library === undefined ? [] : [{ file: LIBRARY_FILE, text: i.library }]), ...[i.templates.message, i.templates.prBody].map((t) => ({ file: t.source, text: t.text }))],
  );
  if (leaked.length) throw new UserError(leaked);
  const commit = await commitStaged(i.git, message, i.tmp);
  await i.step('commit');
  return { ...(commit ? { commit } : {}), message, prBody, changes, files, paths, warnings: ws.warnings };
}
