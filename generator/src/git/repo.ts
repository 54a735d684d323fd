/**
 * Finding a repository, reading files at a revision, and isolated places to work in: a
 * detached worktree of a local repository or a temporary clone of a remote one. The user's
 * checkout and index are never the place where work happens.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { git, type GitOptions } from './client.js';

export interface Repo {
  /** Absolute path of the working tree's top. */
  readonly top: string;
  /** Absolute path of the common git directory (shared by all worktrees). */
  readonly gitDir: string;
  /** Where the catalog root sits below `top`: '' or 'sub/dir/'. */
  readonly prefix: string;
  /** Commit of HEAD; undefined in a repository without commits. */
  readonly head?: string;
  /** Branch HEAD is on; undefined when detached. */
  readonly branch?: string;
}

/** The repository `root` lies in, or undefined when it is not in one. */
export async function openRepo(root: string): Promise<Repo | undefined> {
  const exists = await stat(resolve(root)).then((s) => s.isDirectory(), () => false);
  if (!exists) return undefined; // simple-git refuses a missing folder
  const g = git(resolve(root));
  const top = await g.raw(['rev-parse', '--show-toplevel']).then((s) => s.trim(), () => undefined);
  if (!top) return undefined;
  const gitDir = (await g.raw(['rev-parse', '--path-format=absolute', '--git-common-dir'])).trim();
  const rel = relative(top, resolve(root)).split(sep).join('/');
  const head = await g.raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).then((s) => s.trim() || undefined, () => undefined);
  const branch = await g.raw(['symbolic-ref', '--quiet', '--short', 'HEAD']).then((s) => s.trim() || undefined, () => undefined);
  return { top, gitDir, prefix: rel ? `${rel}/` : '', ...(head ? { head } : {}), ...(branch ? { branch } : {}) };
}

/** Paths with staged changes (relative to the top, whatever folder `g` runs in). */
export async function stagedPaths(g: SimpleGit): Promise<string[]> {
  const out = await g.raw(['diff', '--cached', '--name-only', '-z', '--no-renames']);
  return out.split('\0').filter(Boolean);
}

/** Whether anything under `dirs` (relative to where `g` runs) differs from HEAD, staged or not, untracked included. */
export async function hasChangesUnder(g: SimpleGit, dirs: readonly string[]): Promise<boolean> {
  return !!(await g.raw(['--no-optional-locks', 'status', '--porcelain', '--untracked-files=all', '--', ...dirs])).trim();
}

/** The URL of the `origin` remote, or '' without one. */
export async function originUrl(g: SimpleGit): Promise<string> {
  return (await g.raw(['remote', 'get-url', 'origin']).catch(() => '')).trim();
}

/** The tag HEAD is exactly at, or ''. */
export async function tagAtHead(g: SimpleGit): Promise<string> {
  return (await g.raw(['describe', '--tags', '--exact-match', 'HEAD']).catch(() => '')).trim();
}

/** `git init` of `dir` on `branch`. */
export async function initRepo(g: SimpleGit, branch: string): Promise<void> {
  await g.raw(['init', '--quiet', `--initial-branch=${branch}`]);
}

/** Text of `path` (relative to the top) at `rev`, or undefined when it is not there. */
export async function readAt(g: SimpleGit, rev: string, path: string): Promise<string | undefined> {
  return g.raw(['cat-file', 'blob', `${rev}:${path}`]).catch(() => undefined);
}

/** Every file below `dir` (relative to the top) at `rev`. */
export async function listAt(g: SimpleGit, rev: string, dir: string): Promise<string[]> {
  const out = await g.raw(['ls-tree', '-r', '--name-only', '-z', '--full-tree', rev, '--', dir]);
  return out.split('\0').filter(Boolean);
}

/** Resolves a revision to a commit, or undefined. */
export async function resolveCommit(g: SimpleGit, rev: string): Promise<string | undefined> {
  if (rev.startsWith('-')) return undefined; // never an option
  return g.raw(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).then((s) => s.trim() || undefined, () => undefined);
}

/** A temporary checkout; `dispose` removes it and everything git recorded about it. */
export interface Scratch {
  /** The checkout. */
  readonly dir: string;
  /** A private folder beside it for temp files. */
  readonly tmp: string;
  dispose(): Promise<void>;
}

async function scratchDir(tmpRoot: string | undefined): Promise<string> {
  return mkdtemp(join(tmpRoot ?? tmpdir(), 'llm-gitops-'));
}

/**
 * A detached worktree of `repo` at `rev`. Disposal uses a fresh client without the abort
 * signal, so it still runs after a deadline fired.
 */
export async function addWorktree(repo: Repo, rev: string, o: GitOptions & { tmpRoot?: string } = {}): Promise<Scratch> {
  const base = await scratchDir(o.tmpRoot);
  const dir = join(base, 'tree');
  const dispose = async () => {
    const g = git(repo.top, { idleTimeoutMs: 30_000 });
    await g.raw(['worktree', 'remove', '--force', dir]).catch(() => undefined);
    await g.raw(['worktree', 'prune']).catch(() => undefined);
    await rm(base, { recursive: true, force: true });
  };
  try {
    await git(repo.top, o).raw(['worktree', 'add', '--detach', '--quiet', dir, rev]);
  } catch (e) {
    await dispose();
    throw e;
  }
  return { dir, tmp: base, dispose };
}

/**
 * Removes worktrees an earlier run left behind when it was killed (SIGKILL, power loss).
 * Call it only while holding the repository lock: then no other run is using one.
 */
export async function removeStaleWorktrees(repo: Repo): Promise<string[]> {
  const g = git(repo.top, { idleTimeoutMs: 30_000 });
  const listed = (await g.raw(['worktree', 'list', '--porcelain'])).split('\n').flatMap((l) => (l.startsWith('worktree ') ? [l.slice('worktree '.length)] : []));
  const ours = listed.filter((p) => /[\\/]llm-gitops-[^\\/]+[\\/]tree$/.test(p));
  for (const dir of ours) {
    await g.raw(['worktree', 'remove', '--force', dir]).catch(() => undefined);
    await rm(dirname(dir), { recursive: true, force: true });
  }
  if (ours.length) await g.raw(['worktree', 'prune']).catch(() => undefined);
  return ours;
}

/** A shallow clone of `url` (at `branch`, or the remote's default branch). */
export async function cloneTemp(url: string, branch: string | undefined, o: GitOptions & { tmpRoot?: string } = {}): Promise<Scratch> {
  const base = await scratchDir(o.tmpRoot);
  const dir = join(base, 'tree');
  const dispose = () => rm(base, { recursive: true, force: true });
  try {
    await git(base, o).raw(['clone', '--depth', '50', '--no-tags', ...(branch ? ['--branch', branch] : []), '--', url, dir]);
  } catch (e) {
    await dispose();
    throw e;
  }
  return { dir, tmp: base, dispose };
}

/** Whether `rel` (relative to `dir`) is tracked by the repository `dir` lies in; false outside one. */
export async function isTracked(dir: string, rel: string): Promise<boolean> {
  const out = await git(dir, { idleTimeoutMs: 30_000 }).raw(['ls-files', '-z', '--', rel]).catch(() => '');
  return out.split('\0').some(Boolean);
}
