/** `vendor --from`: copy the pinned upstream pieces into base/vendor/kserve/<version>. */
import { UsageError, UserError } from '../errors.js';
import type { Change } from '../disk/plan.js';
import { applyChanges } from '../disk/transaction.js';
import { withTree } from './tree.js';
import { listEnvironments, readCatalogs, readLibrary } from '../disk/files.js';
import { openSource, planVendor } from '../disk/vendor.js';
import { loadRepository } from '../catalog/repository.js';
import { DEFAULT_KSERVE_VERSION, RELEASE_TAG } from '../model/kserve.js';

export interface VendorOptions {
  readonly root: string;
  readonly from: string;
  /** Which KServe version the source is; default: the one the vendored catalogs pin. */
  readonly version?: string;
  /** The validate cache to fill (validate/cache.ts); default from `env`. */
  readonly cacheDir?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export async function vendor(opts: VendorOptions): Promise<{ version: string; changes: readonly Change[] }> {
  if (opts.version !== undefined && !RELEASE_TAG.test(opts.version)) throw new UsageError(`--version ${JSON.stringify(opts.version)}: not a KServe release tag such as v0.20.0`);
  const version = opts.version ?? (await pinnedVersion(opts.root));
  return withTree(opts.root, 'vendor', {}, async () => {
    const src = await openSource(opts.from);
    try {
      const changes = await planVendor(opts.root, version, src);
      await applyChanges(opts.root, changes);
      // Compile the vendored CRDs' validators now, so the first `validate` after vendoring is warm.
      const { DiskCache, defaultCacheDir } = await import('../validate/cache.js');
      const { warmValidators } = await import('../validate/warm.js');
      await warmValidators(opts.root, version, new DiskCache(opts.cacheDir ?? defaultCacheDir(opts.env ?? {})));
      return { version, changes };
    } finally {
      await src.cleanup();
    }
  });
}

async function pinnedVersion(root: string): Promise<string> {
  const envs = await listEnvironments(root);
  const loaded = loadRepository(await readCatalogs(root, envs), await readLibrary(root));
  if (!loaded.ok) throw new UserError(loaded.issues);
  const versions = [...new Set(loaded.value.environments.filter((e) => e.platform.source === 'vendored').map((e) => e.platform.kserve))];
  if (versions.length > 1) throw UserError.of('environments/', `catalogs vendor several KServe versions (${versions.join(', ')}) — pass --version`, 2);
  return versions[0] ?? DEFAULT_KSERVE_VERSION;
}
