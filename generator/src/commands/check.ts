/** `check`: is the committed tree exactly what generate would write? (The pull-request gate.) */
import type { Issue } from '../errors.js';
import { journalIssue } from './tree.js';
import { record, reusable, runInputs, type Vars } from '../manifest/reuse.js';
import { join } from 'node:path';
import { readOptional } from '../disk/files.js';

export interface CheckResult {
  readonly stale: readonly Issue[];
  readonly warnings: readonly Issue[];
  /** Set when the run manifest showed the tree is what these inputs render (nothing was parsed or rendered). */
  readonly reused?: true;
}

export async function check(root: string, envs: readonly string[], vars: Vars = process.env): Promise<CheckResult> {
  const inputs = await runInputs('check', root, envs, vars);
  const hit = await reusable(inputs);
  if (hit) return { stale: await onDisk(root, hit.vendored, hit.prerequisites), warnings: hit.warnings, reused: true };
  const [{ loadWorkspace }, { vendoredCopies }, { runDependencies }] = await Promise.all([import('./workspace.js'), import('../prerequisites/units.js'), import('../manifest/dependencies.js')]);
  const ws = await loadWorkspace(root, envs, inputs);
  const deps = await runDependencies(root, ws.catalog, 'check', inputs.cache);
  const verb = { create: 'missing', update: 'differs from the catalog', delete: 'is no longer produced by any catalog' } as const;
  const stale: Issue[] = [
    ...ws.plan.conflicts,
    ...ws.plan.changes.map((c): Issue => ({ file: c.path, message: `${verb[c.kind]} — run \`llm-gitops generate\` and commit the result`, severity: 'error' })),
  ];
  const versions = [...new Set(ws.catalog.environments.filter((e) => e.platform.source === 'vendored').map((e) => e.platform.kserve))];
  // Vendored prerequisites: release manifests (base/prerequisites/<name>/<version>/vendor) and charts (base/vendor/<name>/<version>).
  const copies = new Map(ws.catalog.environments.flatMap((e) => vendoredCopies(e)).map((c) => [`${c.name}@${c.version}`, [c.name, c.version] as const]));
  const prerequisites = [...copies.values()];
  stale.push(...(await onDisk(root, versions, prerequisites)));
  await record(inputs, { files: ws.files, deps, warnings: ws.warnings, vendored: versions, prerequisites });
  return { stale, warnings: ws.warnings };
}

/** What check verifies on disk every run, reused or not: the vendored copies against their locks, the editors' schema copy, and a left-over journal. */
async function onDisk(root: string, versions: readonly string[], prerequisites: readonly (readonly [string, string])[]): Promise<Issue[]> {
  const stale: Issue[] = [];
  if (versions.length || prerequisites.length) {
    const [{ verifyVendor }, { verifyPrerequisiteVendor }] = await Promise.all([import('../disk/vendor.js'), import('../disk/vendor-prerequisite.js')]);
    for (const v of versions) stale.push(...(await verifyVendor(root, v)));
    for (const [id, version] of prerequisites) stale.push(...(await verifyPrerequisiteVendor(root, id, version)));
  }
  // The editors' copy of the catalog schema that init scaffolds, when the repository has one.
  // (Its path is spelled here so that a repository without one never loads the schema code.)
  const schemaFile = 'environments/catalog.schema.json';
  const schemaText = await readOptional(join(root, schemaFile));
  if (schemaText !== undefined) {
    const { CATALOG_SCHEMA_FILE, schemaFileProblem } = await import('../catalog/schema-file.js');
    const problem = schemaFileProblem(schemaText);
    if (problem) stale.push({ file: CATALOG_SCHEMA_FILE, message: problem, severity: 'error' });
  }
  const journal = await journalIssue(root);
  if (journal) stale.push(journal);
  return stale;
}
