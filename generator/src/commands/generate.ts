/** `generate`: write the tree the catalogs describe (atomically), or with --dry-run say what would change. */
import { UserError } from '../errors.js';
import { applyChanges, recover } from '../disk/transaction.js';
import type { Change } from '../disk/plan.js';
import type { Issue } from '../errors.js';
import { loadWorkspace } from './workspace.js';

export interface GenerateOptions {
  readonly root: string;
  readonly envs: readonly string[];
  readonly dryRun: boolean;
}

export interface GenerateResult {
  readonly changes: readonly Change[];
  readonly warnings: readonly Issue[];
  readonly recovered: boolean;
  readonly dryRun: boolean;
}

export async function generate(opts: GenerateOptions): Promise<GenerateResult> {
  const recovered = opts.dryRun ? false : await recover(opts.root);
  const ws = await loadWorkspace(opts.root, opts.envs);
  if (ws.plan.conflicts.length) throw new UserError(ws.plan.conflicts);
  if (!opts.dryRun) await applyChanges(opts.root, ws.plan.changes);
  return { changes: ws.plan.changes, warnings: ws.warnings, recovered, dryRun: opts.dryRun };
}
