/** `generate`: write the tree the catalogs describe (atomically), or with --dry-run say what would change. */
import { UserError } from '../errors.js';
import { applyChanges, type Recovery } from '../disk/transaction.js';
import type { Change } from '../disk/plan.js';
import type { Issue } from '../errors.js';
import { catalogAdmission } from './generate-admission.js';
import { loadWorkspace } from './workspace.js';
import { journalIssue, withTree, type TreeLockOptions } from './tree.js';
import { manualSecrets } from '../prerequisites/render.js';

export interface GenerateOptions extends TreeLockOptions {
  readonly root: string;
  readonly envs: readonly string[];
  readonly dryRun: boolean;
}

export interface GenerateResult {
  readonly changes: readonly Change[];
  readonly warnings: readonly Issue[];
  /** What was done about an interrupted earlier run. */
  readonly recovered: Recovery;
  readonly dryRun: boolean;
  /** Things a person must do once that the tree cannot (the token Secrets it never holds). */
  readonly notes: readonly string[];
}

export async function generate(opts: GenerateOptions): Promise<GenerateResult> {
  const run = async (recovered: Recovery): Promise<GenerateResult> => {
    const ws = await loadWorkspace(opts.root, opts.envs);
    if (ws.plan.conflicts.length) throw new UserError(ws.plan.conflicts);
    // What the cluster would refuse is refused here, at the catalog line, before anything is written.
    const admission = await catalogAdmission(opts.root, ws.catalog, process.env);
    if (admission.some((i) => i.severity === 'error')) throw new UserError([...admission, ...ws.warnings]);
    if (!opts.dryRun) await applyChanges(opts.root, ws.plan.changes);
    const notes = ws.catalog.environments.flatMap((e) => manualSecrets(e).map((s) => `${e.name}: create Secret ${s.secret} once: ${s.command}`));
    return { changes: ws.plan.changes, warnings: [...ws.warnings, ...admission], recovered, dryRun: opts.dryRun, notes };
  };
  if (!opts.dryRun) return withTree(opts.root, 'generate', opts, run);
  // A dry run writes nothing, so it takes no lock and recovers nothing — but says so.
  const [r, journal] = [await run('none'), await journalIssue(opts.root)];
  return journal ? { ...r, warnings: [...r.warnings, { ...journal, severity: 'warning' }] } : r;
}
