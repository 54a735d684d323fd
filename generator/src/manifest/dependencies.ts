/**
 * The files a generate or check reads besides the catalogs and the library, which a reused
 * result must therefore also match: the vendor lock of every vendored KServe version (a
 * missing lock fails the run), and for generate the pinned CRDs its admission gate reads when
 * this machine has them (the vendored folder, else the validate cache's downloads) — their
 * arrival or change can turn a clean run into a failing one.
 */
import { join, resolve } from 'node:path';
import { admissionSources } from '../commands/generate-admission.js';
import { LOCK } from '../disk/vendor.js';
import type { Catalog } from '../model/types.js';
import { vendorDir } from '../render/platform.js';
import type { DiskCache } from '../validate/cache.js';
import { dependency } from './reuse.js';
import type { Dependency } from './store.js';

export async function runDependencies(root: string, catalog: Catalog, command: 'generate' | 'check', cache: DiskCache): Promise<Dependency[]> {
  const versions = [...new Set(catalog.environments.map((e) => e.platform.kserve))].sort();
  const vendored = [...new Set(catalog.environments.filter((e) => e.platform.source === 'vendored').map((e) => e.platform.kserve))].sort();
  const deps: Dependency[] = [];
  for (const v of vendored) deps.push(await dependency(join(resolve(root), vendorDir(v), LOCK)));
  if (command === 'generate') {
    for (const v of versions) {
      const { vendored: dir, cached } = admissionSources(root, v, cache);
      deps.push(await dependency(dir, true));
      if (cache.dir) for (const c of cached) deps.push(await dependency(join(cache.dir, c.key)));
    }
  }
  return deps;
}
