/**
 * `commit` carries what `vendor` wrote, like the catalogs: the user's base/vendor/kserve/<v>/
 * folders, read whole (vendored files carry no generated header, so the planner's reads would
 * cut them short), and the changes that make a checkout's copies equal to them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Change } from './plan.js';
import { listFiles } from './files.js';

export const VENDOR_ROOT = 'base/vendor/';

/** Every file under base/vendor/ → its text. */
export async function readVendored(root: string): Promise<Map<string, string>> {
  const paths = await listFiles(root, [VENDOR_ROOT.slice(0, -1)]);
  const texts = await Promise.all(paths.map((p) => readFile(join(root, p), 'utf8')));
  return new Map(paths.map((p, i) => [p, texts[i]!]));
}

/** The version folder (`base/vendor/kserve/v0.20.0/`) a vendored path belongs to. */
const folderOf = (path: string) => /^base\/vendor\/[^/]+\/[^/]+\//.exec(path)?.[0];

/**
 * What makes `root`'s vendored folders equal to `ours` — only the folders `ours` has: a folder
 * the user never vendored (or removed) is left as the checkout has it.
 */
export async function vendoredChanges(root: string, ours: ReadonlyMap<string, string>): Promise<Change[]> {
  if (!ours.size) return [];
  const theirs = await readVendored(root);
  const folders = new Set([...ours.keys()].map(folderOf).filter((f): f is string => !!f));
  const changes: Change[] = [];
  for (const [path, content] of ours) {
    const before = theirs.get(path);
    if (before === undefined) changes.push({ kind: 'create', path, content });
    else if (before !== content) changes.push({ kind: 'update', path, content, before });
  }
  for (const [path, before] of theirs) {
    const folder = folderOf(path);
    if (folder && folders.has(folder) && !ours.has(path)) changes.push({ kind: 'delete', path, before });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : 1));
}
