/**
 * Did the delivery engine pick up the commit we pushed? Revision parsing for Argo CD
 * (`status.sync.revision`, a bare SHA) and Flux (`<ref>@sha1:<hex>`, `sha1:<hex>`, legacy
 * `<branch>/<hex>`), and the pending/stale split by a reconciliation window after the push.
 */
import { formatDuration } from './duration.js';
import type { Assessment } from './status.js';

/** What the caller expects the engines to be at. */
export interface Expectation {
  /** Hex commit SHA, ≥ 7 characters. */
  readonly sha: string;
  /** When the commit was pushed (ms since epoch). */
  readonly pushedAt: number;
  /** Overrides each engine's default window. */
  readonly windowMs?: number;
}

/**
 * Argo CD polls git every `timeout.reconciliation` (120 s) plus up to
 * `timeout.reconciliation.jitter` (60 s) — argocd-cm defaults.
 */
export const ARGO_WINDOW_MS = 180_000;

export function isSha(text: string): boolean {
  return /^[0-9a-f]{7,64}$/i.test(text);
}

/** The commit hex of a revision string of either engine, or undefined when it has none. */
export function shaOf(revision: string | undefined): string | undefined {
  if (!revision) return undefined;
  const afterAt = revision.slice(revision.lastIndexOf('@') + 1);
  const colon = afterAt.indexOf(':');
  const candidate = colon >= 0 ? afterAt.slice(colon + 1) : afterAt.slice(afterAt.lastIndexOf('/') + 1);
  return isSha(candidate) ? candidate.toLowerCase() : undefined;
}

/** Same commit: equal, or one a ≥7-character prefix of the other. */
export function sameCommit(revision: string | undefined, sha: string): boolean {
  const actual = shaOf(revision);
  const want = sha.toLowerCase();
  if (!actual || want.length < 7) return false;
  return actual.startsWith(want) || (actual.length >= 7 && want.startsWith(actual));
}

/** `abc1234` for messages. */
export function short(revision: string | undefined): string {
  const sha = shaOf(revision);
  return sha ? sha.slice(0, 7) : (revision ?? 'nothing');
}

/**
 * The cluster is behind git: Pending while the push is younger than the window, Stale after.
 * Without an expectation there is no push in flight, so the disagreement is Stale.
 */
export function behind(
  expect: Expectation | undefined,
  windowMs: number,
  now: number,
  reason: string,
  message: string,
  extra: Partial<Assessment> = {},
): Assessment {
  if (!expect) return { ...extra, status: 'Stale', reason, message };
  const age = Math.max(0, now - expect.pushedAt);
  const pending = age < windowMs;
  const when = pending
    ? `pushed ${formatDuration(age)} ago, within the ${formatDuration(windowMs)} reconciliation window`
    : `pushed ${formatDuration(age)} ago, past the ${formatDuration(windowMs)} reconciliation window`;
  return { ...extra, status: pending ? 'Pending' : 'Stale', reason, message: `${message} (${when})` };
}
