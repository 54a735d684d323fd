/**
 * The pinned CRD files `validate`'s default locations would download for a rendered tree: for
 * each KServe version its files are checked against (validate/versions.ts), the URL locations
 * (those not vendored into the tree) defining a kind some generated object is. This is what
 * `vendor --crds` puts in the cache, so that `validate` needs no network afterwards.
 */
import type { Catalog } from '../model/types.js';
import type { OutputFile } from '../render/output.js';
import { defaultLocations } from '../validate/defaults.js';
import { kserveVersionOf } from '../validate/versions.js';

/** One pinned CRD file (a URL validate would download) and the API group and kinds it is consulted for. */
export interface NeededCrd {
  readonly url: string;
  readonly groups: readonly string[];
  readonly kinds: readonly string[];
}

const topLevel = (doc: string, key: string) => new RegExp(`^${key}:[ \\t]*["']?([^"'\\s]+)`, 'm').exec(doc)?.[1] ?? '';

/** `group kind` of each object in a file (core kinds have an empty group). */
function kindsOf(file: OutputFile): string[] {
  const docs = file.objects
    ? file.objects.map((o) => o as { apiVersion?: unknown; kind?: unknown } | null)
    : file.content.split(/^---[ \t]*$/m).map((d) => ({ apiVersion: topLevel(d, 'apiVersion'), kind: topLevel(d, 'kind') }));
  return docs.map((o) => `${String(o?.apiVersion ?? '').split('/').slice(0, -1).join('')} ${String(o?.kind ?? '')}`);
}

/** The default URL locations some object of `files` would be looked up in, sorted by URL. */
export async function neededCrds(root: string, catalog: Catalog, files: readonly OutputFile[]): Promise<NeededCrd[]> {
  const versionOf = kserveVersionOf(catalog);
  const groupsByVersion = new Map<string, Set<string>>();
  for (const f of files) {
    if (!/\.ya?ml$/.test(f.path)) continue;
    const v = versionOf(f.path);
    const set = groupsByVersion.get(v) ?? new Set<string>();
    for (const k of kindsOf(f)) set.add(k);
    groupsByVersion.set(v, set);
  }
  const out = new Map<string, NeededCrd>();
  for (const [version, used] of groupsByVersion) {
    for (const loc of await defaultLocations(root, version)) {
      if (loc.type !== 'url' || !loc.groups || !loc.kinds?.some((k) => loc.groups!.some((g) => used.has(`${g} ${k}`)))) continue;
      out.set(loc.url, { url: loc.url, groups: loc.groups, kinds: loc.kinds });
    }
  }
  return [...out.values()].sort((a, b) => (a.url < b.url ? -1 : 1));
}
