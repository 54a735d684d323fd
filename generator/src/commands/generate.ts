/** `generate`: write the tree the catalogs describe (atomically), or with --dry-run say what would change. */
import { UserError } from '../errors.js';
import type { Recovery } from '../disk/transaction.js';
import type { Change } from '../disk/plan.js';
import type { Issue } from '../errors.js';
import { journalIssue, withTree, type TreeLockOptions } from './tree.js';
import { record, reusable, runInputs, type Vars } from '../manifest/reuse.js';

export interface GenerateOptions extends TreeLockOptions {
  readonly root: string;
  readonly envs: readonly string[];
  readonly dryRun: boolean;
  /** The environment settings come from (the cache folder, LLM_GITOPS_*). @default process.env */
  readonly vars?: Vars;
}

export interface GenerateResult {
  readonly changes: readonly Change[];
  readonly warnings: readonly Issue[];
  /** What was done about an interrupted earlier run. */
  readonly recovered: Recovery;
  readonly dryRun: boolean;
  /** Things a person must do once that the tree cannot (the token Secrets it never holds). */
  readonly notes: readonly string[];
  /** Set when the run manifest showed the tree already is what these inputs render (nothing was parsed or rendered). */
  readonly reused?: true;
}

export async function generate(opts: GenerateOptions): Promise<GenerateResult> {
  const vars = opts.vars ?? process.env;
  const run = async (recovered: Recovery): Promise<GenerateResult> => {
    const inputs = await runInputs('generate', opts.root, opts.envs, vars);
    const hit = await reusable(inputs);
    if (hit) return { changes: [], warnings: hit.warnings, recovered, dryRun: opts.dryRun, notes: hit.notes, reused: true };
    // Only a run that renders loads the parser, the renderers and the admission rules.
    // (from its code-cached bundle when it names this build: bundle/load.ts)
    const [bundled, { applyChanges, backgroundStage }] = await Promise.all([
      import('../bundle/load.js').then(({ loadOr }) => loadOr<typeof import('./generate-run.js')>('commands/generate-run', inputs.cache, () => import('./generate-run.js'))),
      import('../disk/transaction.js'),
    ]);
    const { loadWorkspace, catalogAdmission, manualSecrets, runDependencies } = bundled.exports;
    // Files to write are staged while the rest renders (disk/stage.ts); any error before the
    // transaction removes the stage, so a failing run leaves the tree as it was.
    const stage = opts.dryRun ? undefined : backgroundStage(opts.root);
    let ws, deps, admission;
    try {
      ws = await loadWorkspace(opts.root, opts.envs, inputs, stage);
      if (ws.plan.conflicts.length) throw new UserError(ws.plan.conflicts);
      deps = await runDependencies(opts.root, ws.catalog, 'generate', inputs.cache);
      // What the cluster would refuse is refused here, at the catalog line, before anything is written.
      admission = await catalogAdmission(opts.root, ws.catalog, vars);
      if (admission.some((i) => i.severity === 'error')) throw new UserError([...admission, ...ws.warnings]);
    } catch (e) {
      await stage?.discard();
      throw e;
    }
    if (stage) await applyChanges(opts.root, ws.plan.changes, undefined, stage);
    const notes = ws.catalog.environments.flatMap((e) => manualSecrets(e).map((s) => `${e.name}: create Secret ${s.secret} once: ${s.command}`));
    const warnings = [...ws.warnings, ...admission];
    await record(inputs, { files: ws.files, deps, warnings, notes });
    await bundled.persist();
    return { changes: ws.plan.changes, warnings, recovered, dryRun: opts.dryRun, notes };
  };
  if (!opts.dryRun) return withTree(opts.root, 'generate', opts, run);
  // A dry run writes nothing, so it takes no lock and recovers nothing — but says so.
  const [r, journal] = [await run('none'), await journalIssue(opts.root)];
  return journal ? { ...r, warnings: [...r.warnings, { ...journal, severity: 'warning' }] } : r;
}
