/**
 * Cross-process locks: one per repository for `commit` (in the common git directory), one per
 * tree for the commands that write it (`generate`, `vendor`: `<root>/.llm-gitops.lock`). A
 * lock is a file created with O_EXCL (which never follows a symlink) holding the owner's pid,
 * host and command; a waiter polls until it is free or its deadline passes. A lock whose
 * owner (on this host) is gone is stale and is broken; so is an empty one older than a few
 * seconds (its owner died between creating and writing it). git's own index.lock is never
 * touched.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { lstat, open, readFile, rename, unlink } from 'node:fs/promises';

/** The repository lock of `commit`, in the common git directory. */
export const LOCK_FILE = 'llm-gitops.lock';
/** The tree lock of `generate` and `vendor`, at the catalog root (git-ignored). */
export const TREE_LOCK_FILE = '.llm-gitops.lock';

interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly command?: string;
}

export interface LockOptions {
  /** The lock file's name in the folder. @default LOCK_FILE */
  readonly file?: string;
  /** What holds it, for the other runs' messages (e.g. `generate`). */
  readonly command?: string;
  /** Give up after waiting this long (0: fail at once when busy). @default 120_000 */
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

/** The owner recorded in the lock; 'unreadable' when it is not a lock this tool wrote (yet). */
async function readOwner(path: string): Promise<Owner | 'unreadable' | undefined> {
  try {
    const o = JSON.parse(await readFile(path, 'utf8')) as Owner;
    return Number.isInteger(o?.pid) && typeof o.host === 'string' ? o : 'unreadable';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : 'unreadable';
  }
}

async function tryCreate(path: string, command: string | undefined): Promise<boolean> {
  try {
    const fh = await open(path, 'wx');
    try {
      await fh.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), ...(command ? { command } : {}) } satisfies Owner));
    } finally {
      await fh.close();
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Whether the lock seen is a leftover: its owner died, or it stayed unwritten for seconds. */
async function isStale(path: string, seen: Owner | 'unreadable' | undefined): Promise<boolean> {
  if (seen === undefined) return false;
  if (seen === 'unreadable') {
    const st = await lstat(path).catch(() => undefined);
    return !!st && st.isFile() && Date.now() - st.mtimeMs > 5_000;
  }
  return seen.host === hostname() && !alive(seen.pid);
}

/**
 * Breaks the stale lock at `path`. The file is renamed away first and checked again, so of
 * two breakers only one removes it, and a fresh lock taken in between is put back.
 */
async function breakIfStale(path: string, seen: Owner | 'unreadable' | undefined): Promise<boolean> {
  if (!(await isStale(path, seen))) return false;
  const aside = `${path}.${process.pid}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return true; // someone else broke it
  }
  const moved = await readOwner(aside);
  const same = moved === seen || (typeof moved === 'object' && typeof seen === 'object' && moved.pid === seen.pid);
  if (!same) await rename(aside, path).catch(() => undefined);
  else await unlink(aside).catch(() => undefined);
  return true;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const describe = (o: Owner | 'unreadable' | undefined) => (typeof o === 'object' ? `pid ${o.pid} on ${o.host}` : 'another process');

/** Takes the lock in `dir`; resolves to its release function. */
export async function acquireLock(dir: string, o: LockOptions = {}): Promise<() => Promise<void>> {
  const path = join(dir, o.file ?? LOCK_FILE);
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  let waited = false;
  for (;;) {
    const st = await lstat(path).catch(() => undefined);
    if (st && !st.isFile()) throw new LockTimeoutError(`${path} is a symbolic link or a folder, not a lock llm-gitops wrote — remove it and run again`);
    if (await tryCreate(path, o.command)) return () => unlink(path).catch(() => undefined);
    const owner = await readOwner(path);
    if (await breakIfStale(path, owner)) continue;
    const what = `another llm-gitops ${typeof owner === 'object' && owner.command ? owner.command : 'run'}`;
    if (!waited) {
      waited = true;
      if ((o.timeoutMs ?? 1) > 0) o.onWait?.(`${what} (${describe(owner)})`);
    }
    if (Date.now() >= deadline) {
      throw new LockTimeoutError(`${what} is running (${describe(owner)}), holding ${path} — wait for it to finish, or remove the file if no such process exists`);
    }
    await sleep(25 + Math.random() * 50);
  }
}
