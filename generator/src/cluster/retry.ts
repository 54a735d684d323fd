/**
 * Retries with exponential backoff and jitter. client-node 1.4.0 has none of its own; a health
 * check that gives up on one 503 during an API server rollout would page people for nothing.
 */
import { isRetryable, type ApiProblem } from './problem.js';

export interface RetryPolicy {
  /** Tries in total (the first one included). @default 4 */
  readonly attempts: number;
  /** Backoff before the second try; doubles each time. @default 250 ms */
  readonly baseMs: number;
  /** Upper bound of one wait, Retry-After included. @default 5 s */
  readonly capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseMs: 250, capMs: 5000 };

export interface RetryDeps {
  /** Resolves after `ms`, or early (false) when `signal` fires. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<boolean | void>;
  /** [0, 1); injected so tests can pin the jitter. */
  readonly random: () => number;
}

/** "Equal jitter": half the exponential step fixed, half random, so retries spread but never collapse to 0. */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.capMs);
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** retry);
  return step / 2 + random() * (step / 2);
}

/** Thrown when a request failed for good (not retryable, or out of attempts). */
export class ProblemError extends Error {
  constructor(
    readonly problem: ApiProblem,
    readonly attempts: number,
  ) {
    super(problem.detail);
    this.name = 'ProblemError';
  }
}

/** A sleep the run's deadline cuts short: resolves true after `ms`, false when `signal` fires first. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, fails with a problem that is not retryable, runs out of
 * tries, or the run's deadline (`signal`) passes — during an attempt or during a backoff sleep,
 * which then ends at once with a `deadline` problem naming what was being retried.
 */
export async function retrying<T>(
  attempt: () => Promise<T>,
  toProblem: (e: unknown) => ApiProblem,
  policy: RetryPolicy,
  deps: RetryDeps,
  signal?: AbortSignal,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      const problem = toProblem(e);
      if (!isRetryable(problem) || n + 1 >= policy.attempts) throw new ProblemError(problem, n + 1);
      const slept = await deps.sleep(backoffMs(n, policy, deps.random, problem.retryAfterMs), signal);
      if (slept === false || signal?.aborted) {
        throw new ProblemError({ ...problem, kind: 'deadline', detail: `the deadline passed while retrying (try ${n + 1}: ${problem.detail})` }, n + 1);
      }
    }
  }
}
