/**
 * Recording a commit: stage exactly the given paths, commit them (or say there was nothing
 * to commit), move a branch with compare-and-swap, and make the user's index follow a branch
 * that moved under it — for the committed paths only, as `git commit -- <paths>` would.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathspec, type SimpleGit } from 'simple-git';
import { stagedPaths } from './repo.js';

/** Stages additions, modifications and deletions of exactly `paths` (relative to the top). */
export async function stagePaths(g: SimpleGit, paths: readonly string[]): Promise<void> {
  if (!paths.length) return;
  await g.raw(['add', '--all', '--', pathspec(...paths)]);
}

/** Commits what is staged; undefined when nothing is (no empty commits). */
export async function commitStaged(g: SimpleGit, message: string, tmp: string): Promise<string | undefined> {
  if (!(await stagedPaths(g)).length) return undefined;
  // -F: a message of any length and any characters, without an argv limit.
  const file = join(tmp, 'COMMIT_MSG');
  await writeFile(file, message.endsWith('\n') ? message : `${message}\n`);
  await g.raw(['commit', '--quiet', '--cleanup=verbatim', '-F', file]);
  return (await g.raw(['rev-parse', 'HEAD'])).trim();
}

const ZERO = '0000000000000000000000000000000000000000';

/**
 * Points `refs/heads/<branch>` at `to` only if it is still at `from` (undefined: only if it
 * does not exist) — a concurrent change makes this fail instead of being overwritten.
 */
export async function moveBranch(g: SimpleGit, branch: string, to: string, from: string | undefined, reason: string): Promise<void> {
  await g.raw(['update-ref', '-m', reason, `refs/heads/${branch}`, to, from ?? ZERO]);
}

/** Deletes `refs/heads/<branch>` if it still points at `at`. */
export async function deleteBranch(g: SimpleGit, branch: string, at: string): Promise<void> {
  await g.raw(['update-ref', '-d', `refs/heads/${branch}`, at]);
}

/**
 * Sets the index entries of `paths` to their state in `commit` (removing those it lacks).
 * The working tree is not touched; other index entries are not touched. Atomic (index.lock).
 */
export async function indexFollow(g: SimpleGit, commit: string, paths: readonly string[]): Promise<void> {
  if (!paths.length) return;
  await g.raw(['reset', '--quiet', commit, '--', pathspec(...paths)]);
}

/** Sets `branch`'s upstream to `<remote>/<branch>` (as `push -u` would). */
export async function setUpstream(g: SimpleGit, branch: string, remote: string): Promise<void> {
  await g.raw(['config', `branch.${branch}.remote`, remote]);
  await g.raw(['config', `branch.${branch}.merge`, `refs/heads/${branch}`]);
}

/**
 * Three-way merge of one text file (what a rebase does per file). `conflict` when both
 * sides changed the same lines; the text then holds conflict markers.
 */
export async function mergeText(g: SimpleGit, tmp: string, ours: string, base: string, theirs: string): Promise<{ text: string; conflict: boolean }> {
  const [o, b, t] = ['ours', 'base', 'theirs'].map((n) => join(tmp, `merge-${n}`)) as [string, string, string];
  await Promise.all([writeFile(o, ours), writeFile(b, base), writeFile(t, theirs)]);
  // simple-git resolves with the output whatever merge-file's exit code (the conflict count),
  // so conflicts are recognised by the markers carrying our own labels.
  const text = await g.raw(['merge-file', '-p', '-L', 'llm-gitops-ours', '-L', 'llm-gitops-base', '-L', 'llm-gitops-theirs', o, b, t]);
  return { text, conflict: /^>>>>>>> llm-gitops-theirs$/m.test(text) };
}
