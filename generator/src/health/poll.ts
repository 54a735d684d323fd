/**
 * The poll loop, apart from assess so both stay simple: observe → assess → stop when every
 * object is Healthy or Suspended, when the API cannot be read, or at the deadline; otherwise
 * sleep and go again. Clock and sleep are injected so tests can run hours in microseconds.
 */
import type { Observation } from './observation.js';
import type { RoundResult } from './assess.js';
import { FAILED, SETTLED_OK } from './status.js';

/** 0 all healthy; 1 something degraded, missing or stale; 3 the cluster could not be checked; 4 still progressing. */
export type ExitCode = 0 | 1 | 3 | 4;

export function exitCodeOf(r: RoundResult): ExitCode {
  if (r.problems.length) return 3;
  if (r.verdicts.some((v) => FAILED.has(v.status))) return 1;
  if (r.verdicts.some((v) => !SETTLED_OK.has(v.status))) return 4;
  return 0;
}

export interface Round extends RoundResult {
  /** 1-based. */
  readonly n: number;
  /** ms since epoch, when the round's observation finished. */
  readonly at: number;
  readonly elapsedMs: number;
  /** API requests of this round. */
  readonly requests: number;
}

export interface PollOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** One round, no waiting. */
  readonly once: boolean;
}

export interface PollDeps {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /**
   * One round of lists. `deadline` (ms since epoch) is the hard end of this round: requests,
   * retries and credential plugins must give up by then.
   */
  readonly observe: (deadline: number) => Promise<Observation>;
  readonly assess: (obs: Observation, now: number) => RoundResult;
  readonly onRound?: (round: Round) => void;
}

export interface PollResult {
  readonly last: Round;
  readonly code: ExitCode;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly requests: number;
}

/**
 * The last round starts at the deadline; it gets this long to answer. Every earlier round, and a
 * `--once` run, is cut at the deadline itself.
 */
export const FINAL_ROUND_GRACE_MS = 2000;

export async function poll(opts: PollOptions, deps: PollDeps): Promise<PollResult> {
  const startedAt = deps.now();
  const deadline = startedAt + opts.timeoutMs;
  let requests = 0;
  let previous: Round | undefined;
  for (let n = 1; ; n++) {
    const roundStart = deps.now();
    const obs = await deps.observe(roundStart >= deadline ? roundStart + FINAL_ROUND_GRACE_MS : deadline);
    const at = deps.now();
    requests += obs.requests;
    const last: Round = { ...deps.assess(obs, at), n, at, elapsedMs: at - startedAt, requests: obs.requests };
    deps.onRound?.(last);
    // The deadline cut this round short, but an earlier one was complete: that one is the
    // verdict at the deadline (exit 4 "still progressing", or 1), not "could not check".
    if (previous && last.problems.length && last.problems.every((p) => p.kind === 'deadline')) {
      return { last: previous, code: exitCodeOf(previous), startedAt, finishedAt: deps.now(), requests };
    }
    const code = exitCodeOf(last);
    const remaining = deadline - deps.now();
    // API problems end the run at once: per-request retries already covered the transient ones.
    if (code === 0 || code === 3 || opts.once || remaining <= 0) {
      return { last, code, startedAt, finishedAt: deps.now(), requests };
    }
    previous = last;
    await deps.sleep(Math.min(opts.intervalMs, remaining));
  }
}
