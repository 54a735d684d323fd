/**
 * What two revisions of the catalogs render identically, so `diff` renders only the rest
 * (issue 12: a diff after a few edits no longer renders both revisions in full). Files both
 * sides would render byte for byte compare as "no change" anyway, so leaving them out of both
 * sides leaves the review exactly as it was:
 * - an environment loaded from the same catalog text on both sides (one Environment object,
 *   catalog/repository.ts LoadMemo): none of its own files;
 * - in another environment whose settings (everything but its models) are equal, a model whose
 *   normalized entry (a content hash of it: its JSON) and folder (shard) are equal on both sides.
 * Pure.
 */
import type { Catalog, Environment, Model } from '../model/types.js';
import type { RenderOmit } from '../render/tree.js';
import { shardsOf } from '../sharding/assign.js';

const settingsOf = (e: Environment) => JSON.stringify({ ...e, models: [] });

/** Model name → the folder its files go to (its shard's, or the environment's). */
function foldersOf(e: Environment): Map<string, string> {
  const shards = shardsOf(e);
  if (!shards.length) return new Map(e.models.map((m) => [m.name, `environments/${e.name}`]));
  return new Map(shards.flatMap((s) => s.models.map((m) => [m.name, s.dir] as const)));
}

export function sharedRendering(before: Catalog, after: Catalog): Required<RenderOmit> {
  const afterByName = new Map(after.environments.map((e) => [e.name, e]));
  const sameEnv = new Set<Environment>();
  const sameModels = new Map<Environment, Set<string>>();
  for (const a of before.environments) {
    const b = afterByName.get(a.name);
    if (!b) continue;
    if (a === b) {
      sameEnv.add(a);
      continue;
    }
    if (settingsOf(a) !== settingsOf(b)) continue;
    const [dirsA, dirsB] = [foldersOf(a), foldersOf(b)];
    const modelsB = new Map(b.models.map((m) => [m.name, m]));
    const same = new Set<string>();
    for (const m of a.models) {
      const other = modelsB.get(m.name);
      if (other && dirsA.get(m.name) === dirsB.get(m.name) && JSON.stringify(m) === JSON.stringify(other)) same.add(m.name);
    }
    sameModels.set(a, same).set(b, same);
  }
  return { env: (e: Environment) => sameEnv.has(e), model: (e: Environment, m: Model) => sameModels.get(e)?.has(m.name) ?? false };
}
