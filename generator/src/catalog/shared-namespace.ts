/**
 * Two environments that put models into one namespace would, on one cluster, both deliver that
 * Namespace (deleting either environment deletes the other's models with it) and overwrite each
 * other's models of the same name. Whether they share a cluster is not in the catalogs, so this is
 * a warning, given unless the catalogs say the clusters differ: both install a platform (one
 * platform per cluster, as the README says), or both are delivered by Argo CD to different
 * `delivery.server`s.
 */
import type { Issue } from '../errors.js';
import type { Environment } from '../model/types.js';

function provablyApart(a: Environment, b: Environment): boolean {
  if (a.platform.mode !== 'none' && b.platform.mode !== 'none') return true;
  return a.delivery.engine === 'argocd' && b.delivery.engine === 'argocd' && a.delivery.server !== b.delivery.server;
}

/** Line of the top-level `namespace:` key in a catalog text. */
function namespaceLine(text: string | undefined): { line: number; col: number } | undefined {
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  const i = lines.findIndex((l) => /^namespace\s*:/.test(l));
  return i >= 0 ? { line: i + 1, col: 1 } : undefined;
}

export function sharedNamespaces(envs: readonly Environment[], texts: ReadonlyMap<string, string>): Issue[] {
  const issues: Issue[] = [];
  const withModels = envs.filter((e) => e.models.length > 0);
  withModels.forEach((e, i) => {
    for (const other of withModels.slice(0, i)) {
      if (other.namespace !== e.namespace || provablyApart(e, other)) continue;
      const theirs = new Set(other.models.map((m) => m.name));
      const clash = e.models.map((m) => m.name).filter((n) => theirs.has(n));
      issues.push({
        file: e.file,
        ...namespaceLine(texts.get(e.file)),
        field: 'namespace',
        message:
          `${e.namespace} is also the namespace of environment ${other.name} (${other.file}) — on one cluster both would deliver it and deleting either removes the other's models` +
          `${clash.length ? `, and ${clash.join(', ')} would overwrite each other` : ''}; give each environment its own namespace (or ignore this if they run on different clusters)`,
        severity: 'warning',
      });
    }
  });
  return issues;
}
