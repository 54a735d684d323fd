/**
 * Rendered files vs. what is on disk → the changes to make. Pure.
 * The tool owns only files that start with its header: a hand-written file is never touched,
 * and a rendered file that would land on one is a conflict.
 */
import type { Issue } from '../errors.js';
import { isGenerated } from '../model/names.js';
import type { OutputFile } from '../render/output.js';

export type Change =
  | { readonly kind: 'create'; readonly path: string; readonly content: string }
  | { readonly kind: 'update'; readonly path: string; readonly content: string; readonly before?: string }
  | { readonly kind: 'delete'; readonly path: string; readonly before?: string };

export interface Plan {
  readonly changes: readonly Change[];
  readonly conflicts: readonly Issue[];
}

/** Files under the owned folders that are never planned: vendored copies and the catalogs themselves. */
export const notPlanned = (path: string) => path.startsWith('base/vendor/') || path.endsWith('/catalog.yaml');

/** With `--env` (`only`), a generated file that is no longer rendered goes only from those environments' folders. */
export function mayDeleteFor(only: readonly string[], envs: readonly string[]): (path: string) => boolean {
  if (!only.length) return () => true;
  return (path) => envs.some((e) => path.startsWith(`environments/${e}/`));
}

/** Whether a rendered file is written over `before` (what is at its path, if anything): new, or a generated file with other content. */
export const isWrite = (content: string, before: string | undefined) => before === undefined || (before !== content && isGenerated(before));

/**
 * @param existing every file currently under the owned folders (path → content)
 * @param mayDelete whether a generated file at this path that is no longer rendered should go
 */
export function planChanges(rendered: readonly OutputFile[], existing: ReadonlyMap<string, string>, mayDelete: (path: string) => boolean): Plan {
  const changes: Change[] = [];
  const conflicts: Issue[] = [];
  const wanted = new Set<string>();
  for (const f of rendered) {
    wanted.add(f.path);
    const before = existing.get(f.path);
    if (before === undefined) changes.push({ kind: 'create', path: f.path, content: f.content });
    else if (!isGenerated(before)) {
      conflicts.push({ file: f.path, message: 'is a hand-written file where llm-gitops wants to write a generated one — rename or remove it (the tool never overwrites files without its header)', severity: 'error' });
    } else if (before !== f.content) changes.push({ kind: 'update', path: f.path, content: f.content, before });
  }
  for (const [path, before] of existing) {
    if (!wanted.has(path) && isGenerated(before) && mayDelete(path)) changes.push({ kind: 'delete', path, before });
  }
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { changes, conflicts };
}
