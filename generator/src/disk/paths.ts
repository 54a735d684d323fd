/**
 * Where the tool may write, and the check that it really writes there. Every path the tool
 * writes, renames or deletes is repository-relative, and is refused when it
 *  - is not a plain relative path (absolute, `..`, `.`, empty segment, backslash, NUL, `.git`);
 *  - lies outside the folders the tool owns (and the few files `init` scaffolds);
 *  - passes through a symbolic link, or through a file where a folder should be — found by
 *    lstat-ing every component from the root, so no write can follow a link out of it.
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Issue } from '../errors.js';

/** The folders whose generated files the tool owns. */
export const OWNED_DIRS = ['base', 'overlays', 'environments'] as const;

/** The files outside the owned folders that `init` writes (once, into an empty folder). */
const SCAFFOLD_FILES = new Set(['README.md', '.gitignore', '.github/CODEOWNERS', '.github/workflows/llm-gitops-main.yaml', '.github/workflows/llm-gitops-pr.yaml']);

/** A relative, normalised, forward-slash path with no way up and no git internals. */
export function isPlainRelative(rel: string): boolean {
  if (typeof rel !== 'string' || rel === '' || rel.length > 4096 || /[\\\0]/.test(rel) || rel.startsWith('/')) return false;
  return rel.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && s.toLowerCase() !== '.git');
}

/** Whether the tool may ever write `rel` (see the file comment). */
export function isWritablePath(rel: string): boolean {
  return isPlainRelative(rel) && ((OWNED_DIRS as readonly string[]).includes(rel.split('/')[0]!) ? rel.includes('/') : SCAFFOLD_FILES.has(rel));
}

/** The folders above `rel`, shallowest first (`a/b/c.yaml` → `a`, `a/b`). */
export function parentsOf(rel: string): string[] {
  const parts = rel.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

export type Kind = 'missing' | 'file' | 'dir' | 'symlink' | 'other';

/**
 * What is at root/rel, without following a link. A synchronous lstat: a run asks this of every
 * path it writes (twice: when planning and again before the transaction), and thousands of
 * them through the thread pool cost more than the calls themselves (as for disk/files.ts reads).
 */
export async function kindOf(root: string, rel: string): Promise<Kind> {
  return kindNow(root, rel);
}

function kindNow(root: string, rel: string): Kind {
  try {
    // A missing path is the common answer on a fresh tree: no exception (and stack) for it.
    const st = lstatSync(join(root, rel), { throwIfNoEntry: false });
    if (!st) return 'missing';
    return st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw e;
  }
}

/**
 * lstat results of one run, so a folder shared by many files is looked at once. The checks
 * themselves are synchronous (`problemNow`): a run checks every path it writes, and an await
 * per folder of each path cost more than the lstat calls (≈ 0.4 s for 15,000 paths).
 */
export class PathInspector {
  private readonly seen = new Map<string, Kind>();
  constructor(readonly root: string) {}

  async kind(rel: string): Promise<Kind> {
    return this.kindNow(rel);
  }

  private kindNow(rel: string): Kind {
    let k = this.seen.get(rel);
    if (k === undefined) this.seen.set(rel, (k = kindNow(this.root, rel)));
    return k;
  }

  async problem(rel: string, expect: 'file' | 'missing' | 'any' = 'any'): Promise<Issue | undefined> {
    return this.problemNow(rel, expect);
  }

  /**
   * Why `rel` may not be written (as a file that should be `expect`), or undefined. Folders
   * above it must be real folders or missing; the file itself a regular file or missing.
   */
  problemNow(rel: string, expect: 'file' | 'missing' | 'any' = 'any'): Issue | undefined {
    if (!isWritablePath(rel)) return { file: rel, message: 'is outside the folders llm-gitops writes (base/, overlays/, environments/) or not a plain relative path — refused', severity: 'error' };
    let below: 'missing' | undefined;
    for (const dir of parentsOf(rel)) {
      const k = this.kindNow(dir);
      if (k === 'missing') {
        below = k; // nothing exists below a missing folder: the file is missing too, no lstat of its own
        break;
      }
      if (k === 'symlink') return { file: dir, message: 'is a symbolic link where llm-gitops writes generated files — replace it with a real folder (llm-gitops never writes through links, which could lead outside the repository)', severity: 'error' };
      if (k !== 'dir') return { file: dir, message: 'is a file where llm-gitops needs a folder — rename or remove it', severity: 'error' };
    }
    const k = below ?? this.kindNow(rel);
    if (k === 'symlink') return { file: rel, message: 'is a symbolic link where llm-gitops writes a generated file — remove it (llm-gitops never replaces or follows links)', severity: 'error' };
    if (k === 'dir') return { file: rel, message: 'is a folder where llm-gitops writes a file — rename or remove it', severity: 'error' };
    if (k === 'other') return { file: rel, message: 'is not a regular file (a socket, fifo or device) — remove it', severity: 'error' };
    if (expect === 'file' && k === 'missing') return { file: rel, message: 'disappeared while llm-gitops was running — is another program writing here? Run again', severity: 'error' };
    if (expect === 'missing' && k === 'file') return { file: rel, message: 'appeared while llm-gitops was running — is another program writing here? Run again', severity: 'error' };
    return undefined;
  }
}

/** Every problem with writing these paths (deduplicated: a linked folder is named once). */
export async function pathProblems(root: string, paths: readonly { path: string; expect?: 'file' | 'missing' | 'any' }[], inspector = new PathInspector(root)): Promise<Issue[]> {
  const found = paths.map((p) => inspector.problemNow(p.path, p.expect));
  const byFile = new Map<string, Issue>();
  for (const i of found) if (i && !byFile.has(i.file)) byFile.set(i.file, i);
  return [...byFile.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
}
