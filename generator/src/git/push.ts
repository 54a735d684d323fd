/**
 * Talking to a remote: push a commit to a branch, fetch a branch tip, and tell apart the
 * failures worth retrying (someone pushed first, a flaky network) from those that are not
 * (credentials, a hook that declined): those fail at once, with a message saying what to do.
 */
import type { SimpleGit } from 'simple-git';

export type PushFailure = 'rejected' | 'auth' | 'transient' | 'other';

const AUTH = /Authentication failed|could not read (Username|Password)|terminal prompts disabled|returned error: 40[13]|HTTP 40[13]|Permission denied \(publickey|Host key verification failed|access denied|invalid credentials|403 Forbidden|401 Unauthorized/i;
const REJECTED = /\[rejected\].*\((fetch first|non-fast-forward)\)|Updates were rejected because|cannot lock ref/i;
const TRANSIENT = /Could not resolve host|Connection (reset|refused|timed out)|Operation timed out|early EOF|RPC failed|remote end hung up unexpectedly|returned error: 5\d\d|HTTP 5\d\d/i;

/** What kind of failure a git error message describes. Auth wins: never retry a credential problem. */
export function classifyFailure(message: string): PushFailure {
  if (AUTH.test(message)) return 'auth';
  if (REJECTED.test(message)) return 'rejected';
  if (TRANSIENT.test(message)) return 'transient';
  return 'other';
}

/** `https://user:token@host/x` → `https://***@host/x`: URLs in messages never carry credentials. */
export function redactUrl(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

/** A push that failed, classified. */
export class PushError extends Error {
  override readonly name = 'PushError';
  constructor(
    readonly kind: PushFailure,
    message: string,
  ) {
    super(redactUrl(message));
  }
}

/** Pushes `commit` to `refs/heads/<branch>` of `remote`; never forces. */
export async function pushCommit(g: SimpleGit, remote: string, commit: string, branch: string): Promise<void> {
  try {
    await g.raw(['push', '--', remote, `${commit}:refs/heads/${branch}`]);
  } catch (e) {
    const message = (e as Error).message;
    throw new PushError(classifyFailure(message), message);
  }
}

/**
 * The tip of `branch` on `remote` (fetched, objects now local), or undefined when the branch
 * does not exist there. `--refmap=` keeps remote-tracking refs untouched: a failed run leaves
 * no trace, not even an updated origin/<branch>.
 */
export async function fetchTip(g: SimpleGit, remote: string, branch: string): Promise<string | undefined> {
  try {
    await g.raw(['fetch', '--quiet', '--no-tags', '--refmap=', '--', remote, `refs/heads/${branch}`]);
  } catch (e) {
    const message = (e as Error).message;
    if (/couldn't find remote ref/i.test(message)) return undefined;
    throw new PushError(classifyFailure(message), message);
  }
  return (await g.raw(['rev-parse', '--verify', 'FETCH_HEAD^{commit}'])).trim();
}

export interface RetryPolicy {
  /** Retries after the first attempt. @default 3 */
  readonly retries?: number;
  /** First backoff; doubles per retry, with ±50 % jitter so racing runs spread out. @default 500 */
  readonly baseDelayMs?: number;
}

/** The wait before retry number `n` (1-based). */
export function backoff(n: number, p: RetryPolicy = {}, random = Math.random): number {
  const base = (p.baseDelayMs ?? 500) * 2 ** (n - 1);
  return Math.round(Math.min(base, 10_000) * (0.5 + random()));
}
