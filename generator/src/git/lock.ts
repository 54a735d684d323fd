/**
 * A cross-process lock per repository, so two `commit` runs never interleave their worktree,
 * branch and index updates. It is a file created with O_EXCL in the common git directory,
 * holding the owner's pid and host; a waiter polls until it is free or its deadline passes.
 * A lock whose owner (on this host) is gone is stale and is broken — git's own index.lock is
 * never touched.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { open, readFile, rename, unlink } from 'node:fs/promises';

export const LOCK_FILE = 'llm-gitops.lock';

interface Owner {
  readonly pid: number;
  readonly host: string;
}

export interface LockOptions {
  /** Give up after waiting this long. @default 120_000 */
  readonly timeoutMs?: number;
  /** Called once when the lock is busy and we start waiting. */
  readonly onWait?: (owner: string) => void;
}

export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

async function tryCreate(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'wx');
    try {
      await fh.writeFile(JSON.stringify({ pid: process.pid, host: hostname() } satisfies Owner));
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * Breaks the lock at `path` if its owner is a dead process on this host. The file is renamed
 * away first and checked again, so of two breakers only one removes it, and a fresh lock
 * taken in between is put back.
 */
async function breakIfStale(path: string, seen: Owner | undefined): Promise<void> {
  if (!seen || seen.host !== hostname() || alive(seen.pid)) return;
  const aside = `${path}.${process.pid}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else broke it
  }
  const moved = await readOwner(aside);
  if (moved && moved.pid !== seen.pid) await rename(aside, path).catch(() => undefined);
  else await unlink(aside).catch(() => undefined);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the repository lock; resolves to its release function. */
export async function acquireLock(gitDir: string, o: LockOptions = {}): Promise<() => Promise<void>> {
  const path = join(gitDir, LOCK_FILE);
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  let waited = false;
  for (;;) {
    if (await tryCreate(path)) return () => unlink(path).catch(() => undefined);
    const owner = await readOwner(path);
    await breakIfStale(path, owner);
    if (!waited) {
      waited = true;
      o.onWait?.(owner ? `pid ${owner.pid} on ${owner.host}` : 'another process');
    }
    if (Date.now() > deadline) {
      throw new LockTimeoutError(`another llm-gitops run holds ${path}${owner ? ` (pid ${owner.pid} on ${owner.host})` : ''} — wait for it to finish, or remove the file if no such process exists`);
    }
    await sleep(50 + Math.random() * 100);
  }
}
