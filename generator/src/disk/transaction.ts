/**
 * All-or-nothing writes. Every path is first checked (disk/paths.ts: inside the root, in the
 * owned folders, no symlink on the way). Then, in order:
 *
 *   1. every new content is written (and fsynced) to a temp file in the run's stage folder
 *      (disk/stage.ts) — generate starts this while it is still rendering;
 *   2. once every check has passed, the journal (disk/journal.ts) is written — staged and
 *      renamed, so it is whole or absent — while the last temps may still be being written;
 *   3. missing folders are made, deleted targets moved aside, and each batch of temps, once
 *      written and fsynced, renamed into place (an updated target moved aside to its backup
 *      first) — so the first environments' renames overlap the last ones' writes;
 *   4. the commit record: the journal is replaced (again by rename) with `committed: true`;
 *   5. backups, folders emptied by deletes, the stage folder and finally the journal are removed.
 *
 * Until a temp is renamed its target is untouched, so the order of 1-3 changes nothing below.
 * Any error before 4 rolls back (before 2 only the stage is removed); a crash before 2 leaves a
 * stage folder, which the next run removes; a crash before 4 leaves an uncommitted journal, and
 * the next run rolls it back; a crash after 4 leaves a committed one, and the next run rolls it
 * forward (finishes 5). So a run leaves the tree either exactly as it was, or exactly new.
 * `recover` is the caller's (under the tree lock); `applyChanges` refuses to start beside a
 * journal, so it never runs recovery on a tree it does not own (commit's scratch worktree).
 */
import { mkdirSync, readdirSync, renameSync, rmdirSync, unlinkSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError, type Issue } from '../errors.js';
import { isGenerated } from '../model/names.js';
import { JOURNAL } from './files.js';
import { JOURNAL_STAGE, journalStage, parseJournal, serializeJournal, sidecar, type Journal } from './journal.js';
import { kindOf, parentsOf, PathInspector, pathProblems } from './paths.js';
import type { Change } from './plan.js';
import { clearStages, leftStages, Stage } from './stage.js';
import { inThread, inWorker } from './stage-writer.js';

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

/**
 * Temp files are written and fsynced through the thread pool, many at once (the fsyncs are the
 * cost). Renames, folders and unlinks are single metadata calls made in order: synchronous
 * calls, as a thread-pool round trip per call cost more than the call (1,568 renames: ~130-350
 * ms awaited one by one on these shared machines, ~40 ms synchronously).
 */
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
  rename: async (a, b) => renameSync(a, b),
  unlink: async (p) => unlinkSync(p),
  mkdir: async (p) => {
    mkdirSync(p);
  },
  rmdir: async (p) => rmdirSync(p),
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

/**
 * Test hook: with LLM_GITOPS_CRASH_AT=N the process SIGKILLs itself right after its N-th
 * file-system change (write, rename, unlink, mkdir, rmdir) — how the crash test kills a run
 * at every step of the transaction.
 */
export function crashingAt(fs: FsOps, at: number): FsOps {
  let n = 0;
  const step =
    <A extends unknown[]>(f: (...a: A) => Promise<void>) =>
    async (...a: A) => {
      await f(...a);
      if (++n === at) process.kill(process.pid, 'SIGKILL');
    };
  return { ...fs, writeFile: step(fs.writeFile), rename: step(fs.rename), unlink: step(fs.unlink), mkdir: step(fs.mkdir), rmdir: step(fs.rmdir) };
}

const crashAt = Number(process.env.LLM_GITOPS_CRASH_AT);
/** The file system the commands use. */
export const defaultFs: FsOps = Number.isInteger(crashAt) && crashAt > 0 ? crashingAt(realFs, crashAt) : realFs;

/**
 * A stage to fill while the run still renders: on the real file system its temps are written
 * by a worker thread, so they go on while this thread is busy; with any other FsOps (the fault
 * and crash hooks) in this thread, so every write is seen.
 */
export function backgroundStage(root: string, fs: FsOps = defaultFs): Stage {
  return new Stage(root, fs === realFs ? inWorker(fs) : inThread(fs));
}

const MAX_JOURNAL_BYTES = 64 << 20;

export type Recovery = 'none' | 'rolled back' | 'rolled forward';

/**
 * Finishes what an interrupted run left: rolls its journal back (no commit record) or forward
 * (commit record). A journal that cannot be trusted is refused with a UserError and left alone.
 * Call it holding the tree lock.
 */
export async function recover(root: string, fs: FsOps = defaultFs): Promise<Recovery> {
  const names = rootNames(root);
  // Stage folders are checked before anything is touched (a hostile one is refused), removed last.
  const stages = leftStages(root, names);
  await removeStagedJournals(root, names, fs);
  const kind = await kindOf(root, JOURNAL);
  let done: Recovery = 'none';
  if (kind !== 'missing') {
    const j = await readJournal(root, kind, fs);
    if (j.committed) await rollForward(root, j, fs);
    else {
      await rollback(root, j, fs);
      await fs.unlink(join(root, JOURNAL));
    }
    done = j.committed ? 'rolled forward' : 'rolled back';
  }
  await clearStages(root, stages, fs);
  return done;
}

function rootNames(root: string): string[] {
  try {
    return readdirSync(root);
  } catch {
    return [];
  }
}

/** The journal at root, checked as far as it can be without acting on it. */
async function readJournal(root: string, kind: string, fs: FsOps): Promise<Journal> {
  const refuse = (message: string) => new UserError([{ file: JOURNAL, message, severity: 'error' }]);
  if (kind !== 'file') throw refuse('is a symbolic link or not a regular file, so llm-gitops did not write it — nothing was changed; remove it and run generate again');
  const { size } = await nodeFs.lstat(join(root, JOURNAL));
  if (size > MAX_JOURNAL_BYTES) throw refuse(`is ${size} bytes, far more than any journal llm-gitops writes — nothing was changed; remove it and run generate again`);
  const parsed = parseJournal(await fs.readFile(join(root, JOURNAL)));
  if ('message' in parsed) throw new UserError([parsed]);
  // Every target, and every sidecar beside it, must be a plain file (or missing) reached without links.
  const inspector = new PathInspector(root);
  const issues: Issue[] = await pathProblems(root, parsed.entries.map((e) => ({ path: e.target })), inspector);
  for (const e of parsed.entries) {
    for (const ext of ['tmp', 'bak'] as const) {
      const s = sidecar(e.target, parsed.id, ext, parsed.version);
      if (!issues.length && !['missing', 'file'].includes(await inspector.kind(s))) issues.push({ file: s, message: 'is not a regular file', severity: 'error' });
    }
  }
  if (issues.length) {
    throw new UserError(issues.map((i) => ({ ...i, message: `is named by ${JOURNAL}, but ${i.message.replace(/^is /, 'it is ')} — nothing was changed; fix that, or remove the journal, and run generate again` })));
  }
  return parsed;
}

/** Journal files staged by a run that died before renaming them into place. */
async function removeStagedJournals(root: string, names: readonly string[], fs: FsOps): Promise<void> {
  for (const n of names) if (JOURNAL_STAGE.test(n) && (await kindOf(root, n)) === 'file') await fs.unlink(join(root, n));
}

async function writeJournal(root: string, j: Journal, fs: FsOps): Promise<void> {
  const stage = join(root, journalStage(j.id, j.committed ? 'commit' : 'new'));
  try {
    await fs.writeFile(stage, serializeJournal(j));
    await fs.rename(stage, join(root, JOURNAL));
  } catch (e) {
    await fs.unlink(stage).catch(() => undefined);
    throw e;
  }
}

async function unlinkIfThere(path: string, fs: FsOps): Promise<void> {
  try {
    await fs.unlink(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

async function isGeneratedFile(path: string): Promise<boolean> {
  let fh;
  try {
    fh = await nodeFs.open(path, nodeFs.constants.O_RDONLY | nodeFs.constants.O_NOFOLLOW);
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(64), 0, 64, 0);
    return isGenerated(buffer.subarray(0, bytesRead).toString('utf8'));
  } catch {
    return false;
  } finally {
    await fh?.close();
  }
}

async function rollback(root: string, j: Journal, fs: FsOps): Promise<void> {
  for (const e of [...j.entries].reverse()) {
    const [target, tmp, bak] = [join(root, e.target), join(root, sidecar(e.target, j.id, 'tmp', j.version)), join(root, sidecar(e.target, j.id, 'bak'))];
    const tmpThere = e.op !== 'delete' && (await fs.exists(tmp));
    if (tmpThere) await fs.unlink(tmp);
    if (e.op !== 'create') {
      if (await fs.exists(bak)) await fs.rename(bak, target);
    } else if (!tmpThere && (await isGeneratedFile(target))) await fs.unlink(target); // a create that landed
  }
  for (const d of [...j.dirs].reverse()) await fs.rmdir(join(root, d)).catch(() => undefined); // not empty: leave it
}

/**
 * Finishes a committed journal: removes the backups, emptied folders and the journal. Recovery
 * also removes temps it finds (and then the stage folders); the run that just renamed every
 * temp into place (`stage`) has none left, so it skips those unlinks (one failing syscall per
 * written file) and removes its stage folder itself.
 */
async function rollForward(root: string, j: Journal, fs: FsOps, stage?: Stage): Promise<void> {
  for (const e of j.entries) {
    if (e.op !== 'create') await unlinkIfThere(join(root, sidecar(e.target, j.id, 'bak')), fs);
    if (e.op !== 'delete' && !stage) await unlinkIfThere(join(root, sidecar(e.target, j.id, 'tmp', j.version)), fs);
  }
  await removeEmptyDirs(root, j.entries.filter((e) => e.op === 'delete').map((e) => e.target), fs);
  if (stage) await stage.discard();
  await fs.unlink(join(root, JOURNAL));
}

/**
 * Applies `changes` under `root` atomically (see the file comment). `stage` may already hold
 * temps of some of them (generate stages files while it renders); it is used up either way:
 * on success its temps are in place, on any failure it is removed.
 */
export async function applyChanges(root: string, changes: readonly Change[], fs: FsOps = defaultFs, stage: Stage = new Stage(root, inThread(fs))): Promise<void> {
  const inspector = new PathInspector(root);
  let batches;
  try {
    if (!changes.length) return await stage.discard();
    const problems = await pathProblems(root, changes.map((c) => ({ path: c.path, expect: c.kind === 'create' ? 'missing' : 'file' })), inspector);
    if (problems.length) throw new UserError(problems);
    if ((await kindOf(root, JOURNAL)) !== 'missing') {
      throw UserError.of(JOURNAL, 'is here: an interrupted run is not finished, or the journal was committed — run `llm-gitops generate` (it recovers, or says how to remove a committed one), then try again');
    }
    // What is not staged yet is staged now; the temps are independent and written concurrently.
    for (const c of changes) if (c.kind !== 'delete') stage.put(c.path, c.content);
    batches = stage.batches();
  } catch (err) {
    await stage.discard();
    throw err;
  }
  const id = stage.id;
  const wantedDirs = [...new Set(changes.filter((c) => c.kind !== 'delete').flatMap((c) => parentsOf(c.path)))];
  const kinds = await Promise.all(wantedDirs.map((d) => inspector.kind(d)));
  const dirs = wantedDirs.filter((_, i) => kinds[i] === 'missing').sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
  const journal: Journal = { version: 3, id, committed: false, entries: changes.map((c) => ({ target: c.path, op: c.kind })), dirs };
  const at = (rel: string) => join(root, rel);
  // The journal is written while the last temps may still be being written: until a temp is
  // renamed, its target is untouched, and rolling back removes the temp (or finds none).
  try {
    await writeJournal(root, journal, fs);
  } catch (err) {
    await stage.discard();
    throw err;
  }
  try {
    for (const d of dirs) await fs.mkdir(at(d));
    const byPath = new Map(changes.map((c) => [c.path, c]));
    for (const c of changes) if (c.kind === 'delete') await fs.rename(at(c.path), at(sidecar(c.path, id, 'bak')));
    // Each batch is renamed into place once its temps are written and fsynced, so the renames of
    // the first environments go on while the last ones are still being written.
    let placed = 0;
    for (const b of batches) {
      await b.written;
      for (const target of b.targets) {
        const c = byPath.get(target);
        if (!c) continue; // staged early, no longer a change: discarded with the stage
        if (c.kind === 'update') await fs.rename(at(c.path), at(sidecar(c.path, id, 'bak')));
        await fs.rename(at(sidecar(c.path, id, 'tmp')), at(c.path));
        stage.taken(c.path);
        placed++;
      }
    }
    if (placed !== changes.filter((c) => c.kind !== 'delete').length) throw new Error('internal: a change to write was never staged');
    await stage.settle();
    await writeJournal(root, { ...journal, committed: true }, fs); // the commit point
  } catch (err) {
    await stage.settle().catch(() => undefined); // no temp is still being written while rolling back
    try {
      await rollback(root, journal, fs);
      await fs.unlink(at(JOURNAL));
    } catch {
      throw err; // the journal (and the stage) stay: the next run finishes the rollback
    }
    await stage.discard();
    throw err;
  }
  await rollForward(root, journal, fs, stage);
}

/** Removes the folders above deleted files that are now empty (never a top-level folder). */
async function removeEmptyDirs(root: string, deleted: readonly string[], fs: FsOps): Promise<void> {
  const all = new Set<string>();
  for (const d of deleted.map((p) => dirname(p))) for (let p = d; p && p !== '.' && p.includes('/'); p = dirname(p)) all.add(p);
  for (const d of [...all].sort((a, b) => b.length - a.length)) {
    try {
      await fs.rmdir(join(root, d));
    } catch {
      /* not empty */
    }
  }
}
