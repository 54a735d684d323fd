/**
 * The guard around every command that writes the user's tree (`generate`, `vendor`): the tree
 * lock is taken (another such run waits a bounded time, or fails naming its pid), a journal
 * that git tracks is refused (a journal is never committed: one from a pull request could name
 * any file), and an interrupted run is recovered — all before anything is read or written.
 */
import { lstat, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError, type Issue } from '../errors.js';
import { JOURNAL } from '../disk/files.js';
import { parseJournal } from '../disk/journal.js';
import { acquireLock, LockTimeoutError, TREE_LOCK_FILE } from '../disk/lock.js';
import { kindOf } from '../disk/paths.js';
import { recover, type Recovery } from '../disk/transaction.js';
import { readOptional } from '../disk/files.js';

export interface TreeLockOptions {
  /** How long to wait for another run (0: fail at once). @default 60_000 */
  readonly lockTimeoutMs?: number;
  readonly onWait?: (message: string) => void;
}

/** git is asked only when a lock or journal is there (rare), so a plain run never loads the git client. */
const isTracked = async (root: string, path: string) => (await import('../git/repo.js')).isTracked(root, path);

const TRACKED = `is committed to git, but a journal is never committed, and llm-gitops never obeys one from git (it could name any file) — nothing was changed; remove it from git (\`git rm ${JOURNAL}\`, and commit) and run again`;

/** Runs `fn` holding the tree lock, after recovering an interrupted run. */
export async function withTree<T>(root: string, command: string, o: TreeLockOptions, fn: (recovered: Recovery) => Promise<T>): Promise<T> {
  if (!(await stat(root).then((s) => s.isDirectory(), () => false))) throw UserError.of(root, 'is not a folder — pass --root <repository root>');
  // A lock from git is someone else's file, never a running process: refuse at once.
  if ((await kindOf(root, TREE_LOCK_FILE)) !== 'missing' && (await isTracked(root, TREE_LOCK_FILE))) {
    throw UserError.of(TREE_LOCK_FILE, `is committed to git, but a lock is never committed — nothing was changed; remove it from git (\`git rm ${TREE_LOCK_FILE}\`, and commit) and run again`);
  }
  let release: () => Promise<void>;
  try {
    release = await acquireLock(root, { file: TREE_LOCK_FILE, command, timeoutMs: o.lockTimeoutMs ?? 60_000, ...(o.onWait ? { onWait: (who) => o.onWait!(`waiting for ${who}`) } : {}) });
  } catch (e) {
    if (e instanceof LockTimeoutError) throw UserError.of(TREE_LOCK_FILE, e.message);
    throw e;
  }
  try {
    if ((await kindOf(root, JOURNAL)) !== 'missing' && (await isTracked(root, JOURNAL))) throw UserError.of(JOURNAL, TRACKED);
    return await fn(await recover(root));
  } finally {
    await release();
  }
}

/** `check`'s word on a journal left in the tree, if one is there. */
export async function journalIssue(root: string): Promise<Issue | undefined> {
  const kind = await kindOf(root, JOURNAL);
  if (kind === 'missing') return undefined;
  if (await isTracked(root, JOURNAL)) return { file: JOURNAL, message: TRACKED, severity: 'error' };
  const small = kind === 'file' && (await lstat(join(root, JOURNAL))).size <= 64 << 20;
  const text = small ? await readOptional(join(root, JOURNAL)) : undefined;
  const parsed = text === undefined ? undefined : parseJournal(text);
  if (parsed && 'message' in parsed) return parsed;
  return { file: JOURNAL, message: 'an interrupted generate left its journal — run `llm-gitops generate` to finish it (it rolls the tree back, or forward when the run had committed), then commit the result', severity: 'error' };
}
