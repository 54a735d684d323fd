/**
 * `commit`: record the catalogs and the tree they generate as one commit, made in a scratch
 * checkout (a detached worktree of the user's repository, or a temporary clone of another
 * one) so the user's files are never written. Then, by mode:
 *
 * - default: the current branch moves to the commit, and the index entries of exactly the
 *   committed paths follow it — what `git commit -- <paths>` would leave;
 * - `--branch NAME`: a new branch NAME holds it; the current branch, index and files stay;
 * - `--push`: pushed (rejected → fetch, rebuild on the new tip, retry); the local branch
 *   follows only if the commit sits directly on the user's HEAD;
 * - `--repo URL|PATH --push`: built in a clone of that repository and pushed there.
 *
 * Commit points: a push, or the compare-and-swap of a local branch. Anything that fails
 * before them leaves the repository as it was; a lock serialises runs on one repository.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError, UserError, type Issue } from '../errors.js';
import { readLibrary, readOptional, writeFileAtomic } from '../disk/files.js';
import { readVendored } from '../disk/vendored.js';
import { git, hasSshCommand, identityConfig } from '../git/client.js';
import { acquireLock } from '../disk/lock.js';
import { branchNameProblem, remoteProblem } from '../git/refname.js';
import { redactUrl } from '../git/push.js';
import { currentBranch } from '../git/history.js';
import { addWorktree, cloneTemp, openRepo, readAt, removeStaleWorktrees, resolveCommit, stagedPaths, type Repo } from '../git/repo.js';
import { DEFAULT_COMMIT_TEMPLATE, DEFAULT_PR_BODY_TEMPLATE, type FileTouch } from '../render/messages.js';
import type { SemanticChange } from '../change/semantic.js';
import { catalogsIn, type CommitStep, type Template } from './commit-build.js';
import { buildAndPush, type Run } from './commit-push.js';
import { explain, noCommitsThere } from './commit-explain.js';
import { afterMergeNote, land, staleInWorkingTree } from './commit-land.js';
import { catalogsAt } from './diff.js';
import { LIBRARY_FILE } from '../library/schema.js';

export type { CommitStep } from './commit-build.js';

export interface CommitOptions {
  /** The catalog root (in the user's checkout). */
  readonly root: string;
  /** Commit to this other repository (path or URL) instead, through a temporary clone; needs `push`. */
  readonly repo?: string;
  /** Branch to build on and push to. @default the current branch (the remote's default with `repo`) */
  readonly targetBranch?: string;
  /** Put the commit on this new branch (for a pull request). */
  readonly branch?: string;
  readonly push?: boolean;
  /** @default origin */
  readonly remote?: string;
  /** Retries of a rejected push. @default 3 */
  readonly retries?: number;
  /** First retry backoff (doubled per retry, jittered). @default 500 */
  readonly retryDelayMs?: number;
  /** Deadline for the whole run; git is killed when it passes. @default 600_000 */
  readonly timeoutMs?: number;
  /** How long to wait for another run on the same repository. @default 120_000 */
  readonly lockTimeoutMs?: number;
  readonly messageTemplate?: Template;
  readonly prBodyTemplate?: Template;
  /** Where scratch checkouts go. @default os.tmpdir() */
  readonly tmpRoot?: string;
  /** Test hook after each step; whatever it throws must leave no trace. */
  readonly afterStep?: (step: CommitStep) => void | Promise<void>;
  /** Progress for people (waiting for a lock, retrying a push). */
  readonly onProgress?: (message: string) => void;
}

export interface CommitResult {
  /** undefined: nothing to commit. */
  readonly commit?: string;
  /** The branch the commit is on (on the remote when pushed). */
  readonly branch?: string;
  readonly pushed: boolean;
  readonly attempts: number;
  readonly subject?: string;
  readonly prBody?: string;
  readonly changes: readonly SemanticChange[];
  readonly files: readonly FileTouch[];
  /** Commits of the user's that were not on the remote yet and went with the push. */
  readonly carried: number;
  /** Nothing new to commit, but `--push` pushed the branch's unpushed commits, up to this one. */
  readonly pushedLocal?: string;
    /** Things the user should know (a branch that was not moved, a stale working tree). */
  readonly notes: readonly string[];
  readonly warnings: readonly Issue[];
}

/** Reads a user's Handlebars template (`--message-template`, `--pr-body-template`). */
export async function loadTemplate(file: string): Promise<Template> {
  const text = await readOptional(file);
  if (text === undefined) throw UserError.of(file, 'cannot read this template file');
  return { text, source: file };
}

/** Writes `text` to `file` atomically (`--pr-body-out`). */
export async function writeText(file: string, text: string): Promise<void> {
  await writeFileAtomic(resolve(file), text);
}

const OWNED_DIRS = ['environments/', 'base/', 'overlays/'];

async function refuseUnrelatedStaged(repo: Repo): Promise<void> {
  const unrelated = (await stagedPaths(git(repo.top))).filter((p) => !OWNED_DIRS.some((d) => p.startsWith(repo.prefix + d)));
  if (!unrelated.length) return;
  throw new UserError(
    unrelated.slice(0, 20).map((file) => ({
      file,
      message: 'is staged, but is neither a catalog nor a generated file — commit it or unstage it (`git restore --staged <file>`) first; llm-gitops will not mix its commit with yours',
      severity: 'error' as const,
    })),
  );
}

/** Refuses a branch or remote git could misread (an option, HEAD, an invalid ref) before any git runs. */
function checkGitArguments(o: CommitOptions): void {
  for (const [flag, name] of [['--branch', o.branch], ['--target-branch', o.targetBranch]] as const) {
    const problem = name === undefined ? undefined : branchNameProblem(name);
    if (problem) throw new UsageError(`${flag} ${JSON.stringify(name)}: ${problem} — pass a branch name such as llm-gitops/update-models`);
  }
  for (const [flag, value] of [['--remote', o.remote], ['--repo', o.repo]] as const) {
    const problem = value === undefined ? undefined : remoteProblem(value);
    if (problem) throw new UsageError(`${flag} ${JSON.stringify(redactUrl(value!))}: ${problem} — pass a remote's name (e.g. origin), a URL or a path`);
  }
}

export async function commit(o: CommitOptions): Promise<CommitResult> {
  checkGitArguments(o);
  if (o.repo && !o.push) throw new UsageError('--repo works in a temporary clone: add --push, or the commit would be thrown away');
  const user = await openRepo(o.root);
  if (!o.repo && !user) throw UserError.of(o.root, 'is not in a git repository — `git init` it, or pass --repo <path|url> --push');
  const ours = await catalogsIn(o.root);
  if (!ours.size) throw UserError.of('environments/', 'no environments/<env>/catalog.yaml found — run `llm-gitops init` or pass --root');
  const timeoutMs = o.timeoutMs ?? 600_000;
  // Ctrl-C or a CI cancel aborts git like the deadline does, so the cleanup still runs.
  const interrupted = new AbortController();
  const onSignal = () => interrupted.abort(new Error('interrupted'));
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), interrupted.signal]);
  let run: Run = {
    o,
    signal,
    limits: { signal, idleTimeoutMs: timeoutMs, stallSeconds: Math.min(60, timeoutMs / 1000) },
    step: async (s) => o.afterStep?.(s),
    templates: {
      message: o.messageTemplate ?? { text: DEFAULT_COMMIT_TEMPLATE, source: 'default commit template' },
      prBody: o.prBodyTemplate ?? { text: DEFAULT_PR_BODY_TEMPLATE, source: 'default PR body template' },
    },
    ours,
    vendored: await readVendored(o.root),
  };
  const library = (await readLibrary(o.root))?.text;
  if (library !== undefined) run = { ...run, library };
  if (!o.repo) await refuseUnrelatedStaged(user!);
  let release = async () => {};
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    if (user) release = await acquireLock(user.gitDir, { command: 'commit', timeoutMs: o.lockTimeoutMs, onWait: (who) => o.onProgress?.(`waiting for ${who}`) });
    await run.step('lock');
    return o.repo ? await commitToOther(run, o.repo) : await commitLocal(run);
  } catch (e) {
    throw explain(e, run, interrupted.signal.aborted);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await release();
  }
}

async function commitLocal(run: Run): Promise<CommitResult> {
  const { o } = run;
  // Read again under the lock: HEAD may have moved while we waited for another run.
  const repo = (await openRepo(o.root))!;
  for (const dir of await removeStaleWorktrees(repo)) o.onProgress?.(`removed the worktree an interrupted run left at ${dir}`);
  if (!repo.head) throw UserError.of(repo.top, 'has no commits yet — commit something first (`git add -A && git commit -m init`)');
  const target = o.targetBranch ?? repo.branch;
  if (!target && !o.branch) throw UserError.of(repo.top, 'HEAD is detached — pass --target-branch NAME (or --branch NAME for a new branch)');
  const userG = git(o.root);
  if (o.branch && (await resolveCommit(userG, `refs/heads/${o.branch}`))) throw UserError.of(repo.top, `branch ${o.branch} already exists — pick another --branch name`);
  const baseTip = target ? await resolveCommit(userG, `refs/heads/${target}`) : repo.head;
  if (!baseTip) throw UserError.of(repo.top, `no branch ${target} — check --target-branch`);
  const base = new Map((await catalogsAt(repo, repo.head)).map((c) => [c.env, c.text]));
  const baseLibrary = await readAt(git(repo.top), repo.head, `${repo.prefix}${LIBRARY_FILE}`);
  const scratch = await addWorktree(repo, baseTip, { ...run.limits, ...(o.tmpRoot ? { tmpRoot: o.tmpRoot } : {}) });
  try {
    await run.step('worktree');
    const root = join(scratch.dir, repo.prefix);
    const g = git(root, { ...run.limits, config: await identityConfig(git(root)) });
    // Push and fetch from the user's top-level folder, as they would: a relative remote URL
    // resolves there, and the remote-tracking ref follows a successful push.
    const net = git(repo.top, { ...run.limits, batchSsh: !(await hasSshCommand(userG)) });
    const remote = o.remote ?? 'origin';
    const pushTo = o.branch ?? target!;
    const r = await buildAndPush(run, { scratch, root, g, net, base, ...(baseLibrary !== undefined ? { baseLibrary } : {}), remote, pushTo, newBranch: !!o.branch });
    const c = r.built.commit;
    const result = { pushed: !!(c && o.push), attempts: r.attempts, changes: r.built.changes, files: r.built.files, warnings: r.built.warnings, carried: r.carried };
    if (!c) return { ...result, notes: [], ...(r.carried ? { pushedLocal: r.builtOn, branch: pushTo } : {}) };
    const notes = await land(run, { repo, userG, commit: c, target, baseTip, builtOn: r.builtOn, paths: r.built.paths, remote });
    notes.push(...(await staleInWorkingTree(repo, o.root, root, r.built.paths, c, userG)));
    if (o.branch) notes.push(...(await afterMergeNote(userG, o.branch)));
    return { ...result, commit: c, branch: pushTo, subject: r.built.message.split('\n')[0]!, prBody: r.built.prBody, notes };
  } finally {
    await scratch.dispose();
  }
}

async function commitToOther(run: Run, target: string): Promise<CommitResult> {
  const { o } = run;
  // A path is taken from where the user stands, not from the scratch folder git runs in.
  const url = (await stat(resolve(target)).then((st) => st.isDirectory(), () => false)) ? resolve(target) : target;
  const batchSsh = !(await hasSshCommand(git(o.root)));
  const scratch = await cloneTemp(url, o.targetBranch, { ...run.limits, batchSsh, ...(o.tmpRoot ? { tmpRoot: o.tmpRoot } : {}) });
  try {
    await run.step('worktree');
    const g = git(scratch.dir, { ...run.limits, batchSsh, config: await identityConfig(git(scratch.dir)) });
    const head = await resolveCommit(g, 'HEAD');
    const current = await currentBranch(g);
    if (!head || !current) throw UserError.of(redactUrl(url), await noCommitsThere(g, current, o.targetBranch));
    const pushTo = o.branch ?? current;
    const r = await buildAndPush(run, { scratch, root: scratch.dir, g, net: g, remote: 'origin', pushTo, newBranch: !!o.branch });
    const c = r.built.commit;
    const result = { pushed: !!c, attempts: r.attempts, changes: r.built.changes, files: r.built.files, warnings: r.built.warnings, notes: [], carried: r.carried };
    return c ? { ...result, commit: c, branch: pushTo, subject: r.built.message.split('\n')[0]!, prBody: r.built.prBody } : result;
  } finally {
    await scratch.dispose();
  }
}

/** What `commit` tells the user on stdout: what it committed or pushed, and where. */
export function describeCommit(r: CommitResult, o: { remote: string; repo?: string }): string {
  const where = (branch: string) => (o.repo ? `branch ${branch} of ${redactUrl(o.repo)}` : `${o.remote}/${branch}`);
  const plural = (n: number) => `${n} local commit${n === 1 ? '' : 's'}`;
  if (!r.commit) {
    if (r.pushedLocal) return `nothing new to commit; pushed ${plural(r.carried)} not yet on the remote (up to ${r.pushedLocal.slice(0, 12)}) to ${where(r.branch!)}\n`;
    return 'nothing to commit: the catalogs and their generated tree are already committed\n';
  }
  const attempts = r.attempts > 1 ? ` (${r.attempts} attempts)` : '';
  const carried = r.pushed && r.carried ? `, with ${plural(r.carried)} that ${r.carried === 1 ? 'was' : 'were'} not pushed yet` : '';
  const head = r.pushed ? `pushed ${r.commit.slice(0, 12)} to ${where(r.branch!)}` : `committed ${r.commit.slice(0, 12)} on branch ${r.branch}`;
  return `${head}${carried}${attempts}\n  ${r.subject}\n`;
}
