/** What every output format renders: the last round's verdicts, the API problems, and the run's figures. */
import type { ApiProblem } from '../../cluster/problem.js';
import type { ExitCode } from '../poll.js';
import { STATUSES, type HealthStatus, type Verdict } from '../status.js';

export interface Report {
  readonly verdicts: readonly Verdict[];
  readonly problems: readonly ApiProblem[];
  readonly code: ExitCode;
  /** ms since epoch. */
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly rounds: number;
  readonly requests: number;
  readonly expectedRevision?: string;
}

export const RESULT: Record<ExitCode, string> = {
  0: 'healthy',
  1: 'failed',
  3: 'unchecked',
  4: 'progressing',
};

export const RESULT_TEXT: Record<ExitCode, string> = {
  0: 'everything is healthy',
  1: 'something is degraded, missing or stale',
  3: 'the cluster could not be checked',
  4: 'still progressing at the deadline',
};

export function counts(verdicts: readonly Verdict[]): Record<HealthStatus, number> {
  const out = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<HealthStatus, number>;
  for (const v of verdicts) out[v.status] += 1;
  return out;
}

/** `998 Healthy, 2 Progressing` (statuses with a zero count left out). */
export function countsText(verdicts: readonly Verdict[]): string {
  const c = counts(verdicts);
  const parts = STATUSES.filter((s) => c[s] > 0).map((s) => `${c[s]} ${s}`);
  return parts.length ? parts.join(', ') : 'nothing to check';
}

export function objectRef(v: Pick<Verdict, 'kind' | 'namespace' | 'name'>): string {
  return `${v.kind} ${v.namespace}/${v.name}`;
}
