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
import { setTimeout as sleep } from 'node:timers/promises';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GitError, type SimpleGit } from 'simple-git';
import { UsageError, UserError, type Issue } from '../errors.js';
import { readLibrary, readOptional, writeFileAtomic } from '../disk/files.js';
import { readVendored } from '../disk/vendored.js';
import { git, hasSshCommand, identityConfig } from '../git/client.js';
import { acquireLock, LockTimeoutError } from '../disk/lock.js';
import { branchNameProblem, remoteProblem } from '../git/refname.js';
import { backoff, classifyFailure, fetchTip, PushError, pushCommit, redactUrl } from '../git/push.js';
import { addWorktree, cloneTemp, openRepo, readAt, removeStaleWorktrees, resolveCommit, stagedPaths, type Repo, type Scratch } from '../git/repo.js';
import { DEFAULT_COMMIT_TEMPLATE, DEFAULT_PR_BODY_TEMPLATE, type FileTouch } from '../render/messages.js';
import type { SemanticChange } from '../change/semantic.js';
import { buildCommit, catalogsIn, type Built, type Catalogs, type CommitStep, type Template } from './commit-build.js';
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

/** Everything one run carries between its stages. */
interface Run {
  readonly o: CommitOptions;
  readonly signal: AbortSignal;
  /** What every git client of the run gets: the deadline, and stall limits for the network. */
  readonly limits: { readonly signal: AbortSignal; readonly idleTimeoutMs: number; readonly stallSeconds: number };
  readonly step: (s: CommitStep) => Promise<void>;
  readonly templates: { readonly message: Template; readonly prBody: Template };
  readonly ours: Catalogs;
  /** The user's base/vendor/ files. */
  readonly vendored: ReadonlyMap<string, string>;
  /** The user's environments/library.yaml, carried like the catalogs. */
  readonly library?: string;
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

/** Expected failures → UserError with a message that says what to do; bugs pass through. */
function explain(e: unknown, run: Run, interrupted: boolean): unknown {
  if (e instanceof UserError || e instanceof UsageError) return e;
  const where = run.o.repo ? redactUrl(run.o.repo) : run.o.push ? (run.o.remote ?? 'origin') : run.o.root;
  if (interrupted) return UserError.of(where, 'interrupted — the scratch worktree is removed; run commit again (it commits only what is still missing)');
  if (run.signal.aborted) return UserError.of(where, `gave up after ${Math.round((run.o.timeoutMs ?? 600_000) / 1000)} s (--timeout): git did not finish — is the remote reachable?`);
  if (e instanceof LockTimeoutError) return UserError.of(where, e.message);
  if (e instanceof PushError) {
    const remote = run.o.repo ? redactUrl(run.o.repo) : (run.o.remote ?? 'origin');
    const first = e.message.split('\n').find((l) => /fatal|error|rejected/i.test(l)) ?? e.message.split('\n')[0];
    if (e.kind === 'auth') return UserError.of(remote, `push refused: authentication failed (${first!.trim()}) — llm-gitops never prompts; give git credentials (a credential helper, an ssh key in the agent, or CI's token) and run again`);
    if (e.kind === 'rejected') return UserError.of(remote, `push still rejected after ${run.o.retries ?? 3} retries: others keep pushing — run again`);
    return UserError.of(remote, `push failed: ${first!.trim()}`);
  }
  if (e instanceof GitError) {
    const first = redactUrl(e.message.trim().split('\n').find((l) => /fatal|error/i.test(l)) ?? e.message.trim().split('\n')[0] ?? '');
    if (classifyFailure(e.message) === 'auth') return UserError.of(where, `authentication failed (${first}) — llm-gitops never prompts; give git credentials (a credential helper, an ssh key in the agent, or CI's token) and run again`);
    return UserError.of(where, `git: ${first}`);
  }
  return e;
}

/**
 * Builds on the scratch checkout's HEAD; pushes with bounded, jittered retries when asked.
 * After a rejection it does what `git pull --rebase` would: the commits the remote lacks
 * (the user's unpushed ones) are replayed onto the new tip, and our commit is rebuilt on
 * top — regenerated, since the remote's catalogs may have changed.
 */
async function buildAndPush(
  run: Run,
  s: { scratch: Scratch; root: string; g: SimpleGit; net: SimpleGit; base?: Catalogs; baseLibrary?: string; remote: string; pushTo: string; newBranch: boolean },
): Promise<{ built: Built; attempts: number; builtOn: string; carried: number }> {
  const retries = run.o.retries ?? 3;
  const start = (await s.g.raw(['rev-parse', 'HEAD'])).trim();
  for (let attempt = 1; ; attempt++) {
    const builtOn = (await s.g.raw(['rev-parse', 'HEAD'])).trim();
    const built = await buildCommit({
      git: s.g,
      root: s.root,
      tmp: s.scratch.tmp,
      ours: run.ours,
      vendored: run.vendored,
      ...(s.base ? { base: s.base } : {}),
      ...(run.library !== undefined ? { library: run.library } : {}),
      ...(s.baseLibrary !== undefined ? { baseLibrary: s.baseLibrary } : {}),
      templates: run.templates,
      step: run.step,
    });
    // Commits on the branch that no remote-tracking ref has yet: a push carries them too. With
    // nothing new to commit they are what `commit --push` pushes (the tree at them is fresh:
    // buildCommit just regenerated and checked it).
    const carried = s.newBranch ? 0 : await unpushed(s.g, builtOn, s.remote);
    const toPush = built.commit ?? (carried ? builtOn : undefined);
    if (!toPush || !run.o.push) return { built, attempts: attempt, builtOn, carried: 0 };
    try {
      await pushCommit(s.net, s.remote, toPush, s.pushTo);
      return { built, attempts: attempt, builtOn, carried };
    } catch (e) {
      if (!(e instanceof PushError) || (e.kind !== 'rejected' && e.kind !== 'transient') || attempt > retries) throw e;
      if (s.newBranch && e.kind === 'rejected') throw UserError.of(s.remote, `branch ${s.pushTo} already exists there — pick another --branch name`);
      run.o.onProgress?.(`push ${e.kind === 'rejected' ? 'rejected: the remote has new commits' : 'failed (network)'} — rebuilding on the remote tip, retry ${attempt}/${retries}`);
      await sleep(backoff(attempt, { baseDelayMs: run.o.retryDelayMs }), undefined, { signal: run.signal });
      const tip = await fetchTip(s.net, s.remote, s.pushTo);
      if (!tip) throw UserError.of(s.remote, `branch ${s.pushTo} disappeared from the remote`);
      await s.g.raw(['checkout', '--quiet', '--detach', '--force', start]);
      await s.g.raw(['clean', '-fdxq']);
      await rebaseOnto(s.g, tip, `${s.remote}/${s.pushTo}`);
    }
  }
}

/** Why a clone has nothing to build on: an empty repository, or a default branch (HEAD) without commits. */
async function noCommitsThere(g: SimpleGit, head: string, asked: string | undefined): Promise<string> {
  // A shallow clone fetched only the missing HEAD branch: ask the remote for the others.
  const listed = await g.raw(['ls-remote', '--heads', 'origin']).catch(() => '');
  const branches = [...listed.matchAll(/\srefs\/heads\/(\S+)/g)].map((m) => m[1]!);
  if (!branches.length) return 'has no commits yet — push an initial commit first';
  const pick = branches.includes('main') ? 'main' : branches[0]!;
  return `${asked ? `branch ${asked}` : `its default branch (HEAD) ${head || '?'}`} has no commits; it has ${branches.join(', ')} — pass --target-branch ${pick}${asked ? '' : ` (or point its HEAD there: git symbolic-ref HEAD refs/heads/${pick} in the bare repository)`}`;
}

/** How many commits up to `rev` no remote-tracking ref of `remote` holds. */
async function unpushed(g: SimpleGit, rev: string, remote: string): Promise<number> {
  const out = await g.raw(['rev-list', '--count', rev, '--not', `--remotes=${remote}`]).catch(() => '0');
  return Number(out.trim()) || 0;
}

/** Replays the checkout's commits missing from `tip` onto it; a conflict fails cleanly. */
async function rebaseOnto(g: SimpleGit, tip: string, name: string): Promise<void> {
  try {
    await g.raw(['rebase', '--quiet', tip]);
  } catch (e) {
    await g.raw(['rebase', '--abort']).catch(() => undefined);
    throw UserError.of(name, `your unpushed commits conflict with new commits there (${(e as Error).message.split('\n')[0]}) — pull and resolve, then run commit again`);
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
    const current = await g.raw(['symbolic-ref', '--quiet', '--short', 'HEAD']).then((b) => b.trim(), () => '');
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
