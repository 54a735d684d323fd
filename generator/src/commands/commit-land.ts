/**
 * Where a finished commit lands in the user's repository (see commands/commit.ts): a new
 * branch, or the target branch moved by compare-and-swap with the index entries of exactly
 * the committed paths following it. Before a push this is the commit point, so a failure
 * undoes it; after a push it is a convenience, and a failure is only a note.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { deleteBranch, indexFollow, moveBranch, setUpstream } from '../git/commit.js';
import { hasChangesUnder, resolveCommit, type Repo } from '../git/repo.js';
import type { CommitStep } from './commit-build.js';

export interface LandRun {
  readonly o: { readonly branch?: string; readonly push?: boolean };
  readonly step: (s: CommitStep) => Promise<void>;
}

/** Records the commit in the user's repository (see the file comment); returns notes. */
export async function land(
  run: LandRun,
  l: { repo: Repo; userG: SimpleGit; commit: string; target?: string; baseTip: string; builtOn: string; paths: readonly string[]; remote: string },
): Promise<string[]> {
  const { o } = run;
  const reason = 'llm-gitops commit';
  if (o.branch) {
    if (!o.push) {
      await moveBranch(l.userG, o.branch, l.commit, undefined, reason);
      await run.step('branch').catch(async (e) => {
        await deleteBranch(l.userG, o.branch!, l.commit);
        throw e;
      });
      return [];
    }
    // Pushed: the commit point has passed, so the local branch is a convenience.
    try {
      await moveBranch(l.userG, o.branch, l.commit, undefined, reason);
      await setUpstream(l.userG, o.branch, l.remote);
      return [];
    } catch (e) {
      return [`pushed, but the local branch ${o.branch} was not created: ${(e as Error).message.split('\n')[0]}`];
    }
  }
  const target = l.target!;
  const checkedOut = target === l.repo.branch;
  if (l.builtOn !== l.baseTip) {
    return [`your branch ${target} was not moved: the commit sits on newer commits of ${l.remote}/${target}${checkedOut ? ' — your catalog edits are in it: discard them locally, then `git pull`' : ''}`];
  }
  // The test hook runs only where a throw must leave no trace: before a push, not after.
  const moveLocal = async (hook: boolean) => {
    await moveBranch(l.userG, target, l.commit, l.baseTip, reason);
    try {
      if (hook) await run.step('branch');
      if (checkedOut) await indexFollow(l.userG, l.commit, l.paths);
    } catch (e) {
      await moveBranch(l.userG, target, l.baseTip, l.commit, `${reason}: undo`);
      throw e;
    }
  };
  if (!o.push) {
    await moveLocal(true);
    return [];
  }
  try {
    await moveLocal(false);
    return [];
  } catch (e) {
    return [`pushed, but your branch ${target} was not moved: ${(e as Error).message.split('\n')[0]} — run \`git pull\``];
  }
}

/** Committed files the user's working tree does not hold as committed (they did not run generate). */
export async function staleInWorkingTree(repo: Repo, userRoot: string, built: string, paths: readonly string[], c: string, userG: SimpleGit): Promise<string[]> {
  const head = await resolveCommit(userG, 'HEAD');
  if (head !== c) return [];
  const read = (p: string) => readFile(p, 'utf8').catch(() => undefined);
  let stale = 0;
  for (const p of paths) if ((await read(join(userRoot, p))) !== (await read(join(built, p)))) stale++;
  return stale ? [`${stale} committed file(s) differ in your working tree${repo.prefix ? ` (${repo.prefix})` : ''} — run \`llm-gitops generate\` to bring it up to date`] : [];
}

/** The README's steps for `git pull` of a merged `--branch` pull request (your copies put aside first). */
export const AFTER_MERGE = 'git stash push --include-untracked -- environments base overlays && git pull && git stash drop';

/**
 * After `--branch`: HEAD, index and working tree are as they were, so the catalog edit and the tree
 * generate wrote are still uncommitted here, and `git pull` of the merged pull request would stop at
 * them. Says how to pull, when there is anything in the way.
 */
export async function afterMergeNote(userG: SimpleGit, branch: string): Promise<string[]> {
  if (!(await hasChangesUnder(userG, ['environments', 'base', 'overlays']))) return [];
  return [`your working tree still holds what ${branch} commits, uncommitted (commit never writes your files); once the pull request is merged, put it aside and pull: ${AFTER_MERGE}`];
}
