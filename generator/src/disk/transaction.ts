/**
 * All-or-nothing writes. Every new content is first written (and fsynced) to a temp file beside
 * its target; a journal naming every temp and backup is written; only then are targets moved
 * aside and temps renamed into place. Any error rolls back; a crash leaves the journal, and the
 * next run rolls back before doing anything. So a failing run (bad input, disk full, crash)
 * leaves the tree exactly as it was.
 */
import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { JOURNAL } from './files.js';
import type { Change } from './plan.js';

/** The file-system calls the transaction makes (injectable, to prove rollback under faults). */
export interface FsOps {
  writeFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  readFile(path: string): Promise<string>;
  exists(path: string): Promise<boolean>;
}

export const realFs: FsOps = {
  async writeFile(path, data) {
    const fh = await nodeFs.open(path, 'wx', 0o644);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  rename: (a, b) => nodeFs.rename(a, b),
  unlink: (p) => nodeFs.unlink(p),
  mkdir: async (p) => {
    await nodeFs.mkdir(p);
  },
  rmdir: (p) => nodeFs.rmdir(p),
  readFile: (p) => nodeFs.readFile(p, 'utf8'),
  exists: async (p) => {
    try {
      await nodeFs.lstat(p);
      return true;
    } catch {
      return false;
    }
  },
};

interface Entry {
  readonly target: string;
  readonly tmp?: string;
  readonly backup?: string;
}

interface Journal {
  readonly entries: readonly Entry[];
  /** Folders this run created, deepest last. */
  readonly createdDirs: readonly string[];
}

const sidecar = (target: string, id: string, ext: string) => join(dirname(target), `.${basename(target)}.llm-gitops-${id}.${ext}`);

/** Rolls back an interrupted run, if its journal is there. Returns whether it did. */
export async function recover(root: string, fs: FsOps = realFs): Promise<boolean> {
  const path = join(root, JOURNAL);
  if (!(await fs.exists(path))) return false;
  const journal = JSON.parse(await fs.readFile(path)) as Journal;
  await rollback(root, journal, fs);
  await fs.unlink(path);
  return true;
}

async function rollback(root: string, j: Journal, fs: FsOps): Promise<void> {
  for (const e of [...j.entries].reverse()) {
    const target = join(root, e.target);
    const tmp = e.tmp && join(root, e.tmp);
    const backup = e.backup && join(root, e.backup);
    const tmpThere = tmp ? await fs.exists(tmp) : false;
    if (tmp && tmpThere) await fs.unlink(tmp);
    if (backup && (await fs.exists(backup))) await fs.rename(backup, target);
    else if (tmp && !tmpThere && !backup && (await fs.exists(target))) await fs.unlink(target); // a create that landed
  }
  for (const d of [...j.createdDirs].reverse()) {
    try {
      await fs.rmdir(join(root, d));
    } catch {
      /* not empty: something else lives there now; leave it */
    }
  }
}

async function ensureDirs(root: string, dirs: Iterable<string>, created: string[], fs: FsOps): Promise<void> {
  for (const dir of [...new Set(dirs)].sort()) {
    const parts = dir.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      if (rel === '.' || rel === '') continue;
      if (await fs.exists(join(root, rel))) continue;
      await fs.mkdir(join(root, rel));
      created.push(rel);
    }
  }
}

/** Applies `changes` under `root` atomically (see the file comment). */
export async function applyChanges(root: string, changes: readonly Change[], fs: FsOps = realFs): Promise<void> {
  if (!changes.length) return;
  await recover(root, fs);
  const id = randomBytes(4).toString('hex');
  const entries: Entry[] = changes.map((c) => ({
    target: c.path,
    ...(c.kind !== 'delete' ? { tmp: sidecar(c.path, id, 'tmp') } : {}),
    ...(c.kind !== 'create' ? { backup: sidecar(c.path, id, 'bak') } : {}),
  }));
  const createdDirs: string[] = [];
  const journalPath = join(root, JOURNAL);
  const journal = (): Journal => ({ entries, createdDirs });
  let journalWritten = false;
  try {
    await ensureDirs(root, changes.filter((c) => c.kind !== 'delete').map((c) => dirname(c.path)), createdDirs, fs);
    await fs.writeFile(journalPath, JSON.stringify(journal()));
    journalWritten = true;
    // Temp files are independent: write (and fsync) them concurrently, the renames stay ordered.
    await pool(changes.map((c, i) => async () => {
      if (c.kind !== 'delete') await fs.writeFile(join(root, entries[i]!.tmp!), c.content);
    }), 32);
    for (const [i, c] of changes.entries()) {
      const e = entries[i]!;
      if (c.kind !== 'create') await fs.rename(join(root, c.path), join(root, e.backup!));
      if (c.kind !== 'delete') await fs.rename(join(root, e.tmp!), join(root, c.path));
    }
  } catch (err) {
    await rollback(root, journal(), fs);
    if (journalWritten) await fs.unlink(journalPath).catch(() => undefined);
    throw err;
  }
  // Committed: drop backups, then folders emptied by deletes, then the journal.
  for (const e of entries) if (e.backup) await fs.unlink(join(root, e.backup)).catch(() => undefined);
  await removeEmptyDirs(root, changes.filter((c) => c.kind === 'delete').map((c) => dirname(c.path)), fs);
  await fs.unlink(journalPath);
}

/** Runs tasks with at most `limit` in flight; the first failure wins, after all started ones settled. */
async function pool(tasks: readonly (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < tasks.length && failure === undefined) {
      const task = tasks[next++]!;
      try {
        await task();
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failure !== undefined) throw failure;
}

async function removeEmptyDirs(root: string, dirs: readonly string[], fs: FsOps): Promise<void> {
  const all = new Set<string>();
  for (const d of dirs) for (let p = d; p && p !== '.' && p.includes('/'); p = dirname(p)) all.add(p);
  for (const d of [...all].sort((a, b) => b.length - a.length)) {
    try {
      await fs.rmdir(join(root, d));
    } catch {
      /* not empty */
    }
  }
}
