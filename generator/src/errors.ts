/**
 * Errors as data. The core returns `Issue[]`; only the CLI prints them and picks an exit code.
 */

/** One problem in a user's input, located as precisely as we can. */
export interface Issue {
  /** Path of the file, relative to the repository root (e.g. `environments/prod/catalog.yaml`). */
  readonly file: string;
  /** 1-based line and column, when the problem has a position in the file. */
  readonly line?: number;
  readonly col?: number;
  /** Dotted field path inside the file (e.g. `models.qwen.gpus`), when it is about a field. */
  readonly field?: string;
  /** What is wrong, then how to fix it. */
  readonly message: string;
  /** Warnings are printed but never fail a run. */
  readonly severity: 'error' | 'warning';
}

export type Result<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly Issue[] }
  | { readonly ok: false; readonly issues: readonly Issue[] };

export function ok<T>(value: T, warnings: readonly Issue[] = []): Result<T> {
  return { ok: true, value, warnings };
}

export function failed<T>(issues: readonly Issue[]): Result<T> {
  return { ok: false, issues };
}

/** An expected failure caused by input: the CLI prints the issues and exits with `exitCode`. */
export class UserError extends Error {
  constructor(
    readonly issues: readonly Issue[],
    readonly exitCode = 1,
  ) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'UserError';
  }

  static of(file: string, message: string, exitCode = 1): UserError {
    return new UserError([{ file, message, severity: 'error' }], exitCode);
  }
}

/** A wrong command line (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `file:line:col: field: message` — the form editors and CI annotations understand. */
export function formatIssue(issue: Issue): string {
  const where = [issue.file, issue.line, issue.col].filter((p) => p !== undefined).join(':');
  const field = issue.field ? `${issue.field}: ` : '';
  const tag = issue.severity === 'warning' ? 'warning: ' : '';
  return `${where}: ${tag}${field}${issue.message}`;
}

/** What to do about a file-system error, by its code. */
const SYSTEM_FIXES: Readonly<Record<string, string>> = {
  EACCES: 'permission denied — make it (and its folder) writable by this user, or run where you may write',
  EPERM: 'operation not permitted — check its permissions and attributes (read-only, immutable), or run where you may write',
  EROFS: 'is on a read-only file system — run in a writable checkout',
  ENOTDIR: 'a part of this path is a file where a folder is needed — rename or remove that file',
  EISDIR: 'is a folder where a file is needed — rename or remove the folder',
  ENOSPC: 'no space left on the device — free some space and run again',
  EDQUOT: 'disk quota exceeded — free some space and run again',
  EMFILE: 'too many open files — raise the limit (`ulimit -n`) and run again',
  ENAMETOOLONG: 'the path is too long for this file system — use shorter names',
  ELOOP: 'too many symbolic links on the way — replace the links with real folders',
};

/**
 * A file-system error (EACCES, ENOTDIR, ENOSPC…) as an Issue naming the path and the fix,
 * or undefined for anything else (a bug, printed with its stack).
 */
export function systemIssue(e: unknown, cwd = process.cwd()): Issue | undefined {
  const err = e as NodeJS.ErrnoException;
  const fix = err && typeof err.code === 'string' ? SYSTEM_FIXES[err.code] : undefined;
  if (!fix) return undefined;
  const path = typeof err.path === 'string' ? err.path : typeof (err as { dest?: unknown }).dest === 'string' ? String((err as { dest?: unknown }).dest) : '.';
  const shown = path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
  return { file: shown, message: `${err.code}: ${fix} (${err.syscall ?? 'file access'} failed; a failed run rolls back what it started)`, severity: 'error' };
}
