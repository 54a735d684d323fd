/** What one poll round saw: the outcome of every list it made. The only input assess needs from the cluster. */
import type { ApiProblem } from '../cluster/problem.js';

export type ListOutcome =
  | { readonly ok: true; readonly items: readonly unknown[] }
  | { readonly ok: false; readonly problem: ApiProblem };

export interface Observation {
  /** Keyed by `listKey(kind, namespace)`. */
  readonly lists: ReadonlyMap<string, ListOutcome>;
  /** HTTP requests this round made (pages and retries included). */
  readonly requests: number;
}

export function listKey(kind: string, namespace: string | undefined): string {
  if (namespace === undefined) return kind;
  return `${kind}/${namespace}`;
}
