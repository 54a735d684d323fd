/**
 * The stage of one transaction: a folder at the root, `.llm-gitops-journal.json.<id>.stage/`,
 * that holds every temp file of the run (written and fsynced) until the transaction renames
 * them into place. A run may stage files while it is still rendering (generate writes each
 * environment's files as soon as they are rendered), before any journal exists: the tree is
 * untouched until the journal is written, and a crash meanwhile leaves only this folder, which
 * recovery removes (`clearStages`) — as it removes staged journals. The name starts with the
 * journal's, so the `.gitignore` line every repository has for the journal covers it.
 *
 * A temp's name comes from its target (`stagedTemp`), never from the journal or the folder.
 * A stage folder found on disk is untrusted: it must be a real folder holding only regular
 * files with temp names, or recovery refuses it and changes nothing.
 */
import { hash, randomBytes } from 'node:crypto';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type Issue } from '../errors.js';
import { JOURNAL } from './files.js';

/**
 * Makes the stage folder, then writes temps into it (exclusively, fsynced), at its own pace:
 * `write` may hold a temp back until `flush`, which resolves when every temp given so far is
 * written and rejects with the first failure.
 */
export interface StageWriter {
  mkdir(path: string): void;
  write(path: string, data: string): void;
  flush(): Promise<void>;
  /** No more writes will come (a worker thread stops). */
  close(): Promise<void>;
  /** The calls that remove a discarded stage. */
  readonly fs: TempFs;
}

/** The file-system calls of a stage (disk/transaction.ts FsOps); writeFile writes exclusively and fsyncs. */
export interface TempFs {
  writeFile(path: string, data: string): Promise<void>;
  unlink(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
}

/** The stage folder of the run `id` (root-relative). */
export const stageDir = (id: string) => `${JOURNAL}.${id}.stage`;
export const STAGE_DIR = /^\.llm-gitops-journal\.json\.[0-9a-f]{8}\.stage$/;
const TEMP = /^[0-9a-f]{32}\.tmp$/;

/** The temp file of `target` in the stage of the run `id` (root-relative): the one place these names come from. */
export function stagedTemp(target: string, id: string): string {
  return `${stageDir(id)}/${hash('sha256', target, 'hex').slice(0, 32)}.tmp`;
}

/**
 * Temp files of one run, written as they are offered (`put`) by its writer (disk/stage-writer.ts:
 * in this thread, or in a worker thread that goes on while this one renders). The stage folder is
 * made on the first `put`. `settle` waits for every write and throws the first failure;
 * `discard` waits, then removes whatever was written and the folder.
 */
export class Stage {
  readonly id = randomBytes(4).toString('hex');
  /** target → the content staged for it. */
  private readonly staged = new Map<string, string>();
  /** Targets whose temps were renamed into place (nothing to remove). */
  private readonly moved = new Set<string>();
  private readonly pending: Promise<void>[] = [];
  /** Each flush's targets and the promise of their writes, in flush order. */
  private readonly flushed: { readonly targets: readonly string[]; readonly written: Promise<void> }[] = [];
  private unflushed: string[] = [];
  private failure: { error: unknown } | undefined;
  private made = false;

  constructor(
    readonly root: string,
    private readonly writer: StageWriter,
  ) {}

  /** Root-relative temp path of `target`. */
  temp(target: string): string {
    return stagedTemp(target, this.id);
  }

  /** Starts writing `content` as the temp of `target` (once per target); returns at once. */
  put(target: string, content: string): void {
    const before = this.staged.get(target);
    if (before !== undefined) {
      if (before !== content) throw new Error(`internal: ${target} staged twice with different contents`);
      return;
    }
    this.staged.set(target, content);
    this.unflushed.push(target);
    if (!this.made) {
      this.made = true;
      this.writer.mkdir(join(this.root, stageDir(this.id)));
    }
    this.writer.write(`${this.root}/${this.temp(target)}`, content);
  }

  /** Hands what was put so far to the writer (generate: after each environment). */
  flush(): void {
    const written = this.writer.flush();
    if (this.unflushed.length) this.flushed.push({ targets: this.unflushed, written });
    this.unflushed = [];
    this.pending.push(written.catch((error: unknown) => void (this.failure ??= { error })));
  }

  /**
   * Every target put so far, flushed, in batches as they were handed to the writer: each with
   * the promise that its temps are written and fsynced (rejected with the batch's first failure).
   */
  batches(): readonly { readonly targets: readonly string[]; readonly written: Promise<void> }[] {
    this.flush();
    return [...this.flushed];
  }

  /** Waits for every write; throws the first failure. */
  async settle(): Promise<void> {
    this.flush();
    while (this.pending.length) await Promise.all(this.pending.splice(0));
    await this.writer.close();
    if (this.failure) throw this.failure.error;
  }

  /** The temp of `target` is now in place (the transaction renamed it). */
  taken(target: string): void {
    this.moved.add(target);
  }

  /** Waits for the writes, then removes every temp still here and the folder. Never throws. */
  async discard(): Promise<void> {
    await this.settle().catch(() => undefined);
    if (!this.made) return;
    const fs = this.writer.fs;
    for (const target of this.staged.keys()) {
      if (!this.moved.has(target)) await fs.unlink(join(this.root, this.temp(target))).catch(() => undefined);
    }
    await fs.rmdir(join(this.root, stageDir(this.id))).catch(() => undefined);
  }

}

/**
 * Every stage folder an interrupted run left at `root`, checked before anything is removed:
 * a real folder holding only regular files with temp names. Anything else is refused.
 */
export function leftStages(root: string, names: readonly string[]): { dirs: string[]; temps: string[] } {
  const dirs: string[] = [];
  const temps: string[] = [];
  const issues: Issue[] = [];
  const refuse = (file: string, why: string) =>
    issues.push({ file, message: `${why}, so it is not a stage llm-gitops left — nothing was changed; look at it, remove the folder (\`rm -r\`) and run generate again`, severity: 'error' });
  for (const n of names) {
    if (!STAGE_DIR.test(n)) continue;
    const st = lstatSync(join(root, n));
    if (!st.isDirectory()) {
      refuse(n, st.isSymbolicLink() ? 'is a symbolic link' : 'is not a folder');
      continue;
    }
    dirs.push(n);
    for (const t of readdirSync(join(root, n))) {
      const rel = `${n}/${t}`;
      const tst = lstatSync(join(root, rel));
      if (!TEMP.test(t)) refuse(rel, 'is not named like a temp file');
      else if (!tst.isFile()) refuse(rel, tst.isSymbolicLink() ? 'is a symbolic link' : 'is not a regular file');
      else temps.push(rel);
    }
  }
  if (issues.length) throw new UserError(issues);
  return { dirs, temps };
}

/** Removes what `leftStages` found. */
export async function clearStages(root: string, left: { dirs: readonly string[]; temps: readonly string[] }, fs: TempFs): Promise<void> {
  const gone = (e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e; // recovery's rollback may have removed it already
  };
  for (const t of left.temps) await fs.unlink(join(root, t)).catch(gone);
  for (const d of left.dirs) await fs.rmdir(join(root, d)).catch(gone);
}
