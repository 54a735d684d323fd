/**
 * The history questions and moves `commit` needs in its scratch checkout: where HEAD is, what
 * the remote lacks, replaying commits onto a new tip. Callers phrase the errors.
 */
import type { SimpleGit } from 'simple-git';

/** The commit HEAD points at. */
export async function headOf(g: SimpleGit): Promise<string> {
  return (await g.raw(['rev-parse', 'HEAD'])).trim();
}

/** The branch HEAD is on; '' when detached or when that branch has no commits. */
export async function currentBranch(g: SimpleGit): Promise<string> {
  return g.raw(['symbolic-ref', '--quiet', '--short', 'HEAD']).then((b) => b.trim(), () => '');
}

/** The branch names `remote` has (asked of the remote: a shallow clone fetched only one). */
export async function remoteBranches(g: SimpleGit, remote: string): Promise<string[]> {
  const listed = await g.raw(['ls-remote', '--heads', remote]).catch(() => '');
  return [...listed.matchAll(/\srefs\/heads\/(\S+)/g)].map((m) => m[1]!);
}

/** How many commits up to `rev` no remote-tracking ref of `remote` holds. */
export async function unpushedCount(g: SimpleGit, rev: string, remote: string): Promise<number> {
  const out = await g.raw(['rev-list', '--count', rev, '--not', `--remotes=${remote}`]).catch(() => '0');
  return Number(out.trim()) || 0;
}

/** Puts the checkout back at `rev` with nothing else in it (tracked or not). */
export async function resetCheckout(g: SimpleGit, rev: string): Promise<void> {
  await g.raw(['checkout', '--quiet', '--detach', '--force', rev]);
  await g.raw(['clean', '-fdxq']);
}

/**
 * Replays the checkout's commits missing from `tip` onto it. On a conflict the rebase is
 * aborted, the checkout is as before, and the first line of git's message is returned.
 */
export async function rebaseOnto(g: SimpleGit, tip: string): Promise<string | undefined> {
  try {
    await g.raw(['rebase', '--quiet', tip]);
    return undefined;
  } catch (e) {
    await g.raw(['rebase', '--abort']).catch(() => undefined);
    return (e as Error).message.split('\n')[0] ?? 'conflict';
  }
}
