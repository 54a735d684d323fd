/** How a failed `commit` run is told to the user: expected failures become a UserError that says what to do. */
import { GitError, type SimpleGit } from 'simple-git';
import { UsageError, UserError } from '../errors.js';
import { LockTimeoutError } from '../disk/lock.js';
import { classifyFailure, PushError, redactUrl } from '../git/push.js';
import { remoteBranches } from '../git/history.js';
import type { Run } from './commit-push.js';

/** Expected failures → UserError with a message that says what to do; bugs pass through. */
export function explain(e: unknown, run: Run, interrupted: boolean): unknown {
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

/** Why a clone has nothing to build on: an empty repository, or a default branch (HEAD) without commits. */
export async function noCommitsThere(g: SimpleGit, head: string, asked: string | undefined): Promise<string> {
  const branches = await remoteBranches(g, 'origin');
  if (!branches.length) return 'has no commits yet — push an initial commit first';
  const pick = branches.includes('main') ? 'main' : branches[0]!;
  return `${asked ? `branch ${asked}` : `its default branch (HEAD) ${head || '?'}`} has no commits; it has ${branches.join(', ')} — pass --target-branch ${pick}${asked ? '' : ` (or point its HEAD there: git symbolic-ref HEAD refs/heads/${pick} in the bare repository)`}`;
}
