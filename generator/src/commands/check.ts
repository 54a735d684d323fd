/** `check`: is the committed tree exactly what generate would write? (The pull-request gate.) */
import type { Issue } from '../errors.js';
import { verifyVendor } from '../disk/vendor.js';
import { loadWorkspace } from './workspace.js';
import { journalIssue } from './tree.js';
import { verifyPrerequisiteVendor } from '../disk/vendor-prerequisite.js';
import { unitsOf } from '../prerequisites/units.js';

export interface CheckResult {
  readonly stale: readonly Issue[];
  readonly warnings: readonly Issue[];
}

export async function check(root: string, envs: readonly string[]): Promise<CheckResult> {
  const ws = await loadWorkspace(root, envs);
  const verb = { create: 'missing', update: 'differs from the catalog', delete: 'is no longer produced by any catalog' } as const;
  const stale: Issue[] = [
    ...ws.plan.conflicts,
    ...ws.plan.changes.map((c): Issue => ({ file: c.path, message: `${verb[c.kind]} — run \`llm-gitops generate\` and commit the result`, severity: 'error' })),
  ];
  const versions = [...new Set(ws.catalog.environments.filter((e) => e.platform.source === 'vendored').map((e) => e.platform.kserve))];
  for (const v of versions) stale.push(...(await verifyVendor(root, v)));
  // Vendored release-manifest prerequisites (base/prerequisites/<name>/<version>/vendor).
  const vendoredUnits = new Map(ws.catalog.environments.filter((e) => e.platform.source === 'vendored').flatMap((e) => unitsOf(e).filter((u) => u.source.type === 'path' && u.source.path.startsWith('base/')).map((u) => [`${u.id}@${u.version}`, u] as const)));
  for (const u of vendoredUnits.values()) stale.push(...(await verifyPrerequisiteVendor(root, u.id, u.version)));
  const journal = await journalIssue(root);
  if (journal) stale.push(journal);
  return { stale, warnings: ws.warnings };
}
