/** `vendor --from`: copy the pinned upstream pieces into base/vendor/kserve/<version>. */
import { UsageError, UserError } from '../errors.js';
import type { Change } from '../disk/plan.js';
import { applyChanges } from '../disk/transaction.js';
import { withTree } from './tree.js';
import { listEnvironments, readCatalogs, readLibrary } from '../disk/files.js';
import { planVendor } from '../disk/vendor.js';
import { openSource } from '../disk/vendor-source.js';
import { requireSupported, verifySourceVersion } from '../disk/kserve-source.js';
import { loadRepository } from '../catalog/repository.js';
import { DEFAULT_KSERVE_VERSION, RELEASE_TAG } from '../model/kserve.js';
import { openPrerequisiteSource, planPrerequisiteVendor, VENDORABLE } from '../disk/vendor-prerequisite.js';
import { openChartSource, planChartVendor } from '../disk/vendor-chart.js';
import { CHART_VENDORABLE, VENDORED_CHARTS } from '../prerequisites/charts.js';
import { pinnedVersion as pinnedPrerequisite } from '../prerequisites/pins.js';
import type { PrerequisiteName } from '../prerequisites/types.js';

export interface VendorOptions {
  readonly root: string;
  readonly from: string;
  /** Which KServe version the source is; default: the one the vendored catalogs pin. */
  readonly version?: string;
  /** The validate cache to fill (validate/cache.ts); default from `env`. */
  readonly cacheDir?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Vendor this prerequisite instead of KServe: a release manifest (gateway-api, inference-extension, leaderworkerset) or a Helm chart (envoy-gateway, cert-manager, keda). */
  readonly prerequisite?: string;
}

export async function vendor(opts: VendorOptions): Promise<{ version: string; changes: readonly Change[] }> {
  if (opts.prerequisite) return vendorPrerequisite(opts, opts.prerequisite);
  if (opts.version !== undefined && !RELEASE_TAG.test(opts.version)) throw new UsageError(`--version ${JSON.stringify(opts.version)}: not a KServe release tag such as v0.20.0`);
  const version = opts.version ?? (await pinnedVersion(opts.root));
  requireSupported(version, opts.version ? '--version' : 'environments/');
  return withTree(opts.root, 'vendor', {}, async () => {
    const src = await openSource(opts.from);
    try {
      await verifySourceVersion(src.root, opts.from, version);
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

/** `vendor --prerequisite`: the version defaults to the one the catalogs' KServe version pins. */
async function vendorPrerequisite(opts: VendorOptions, name: string): Promise<{ version: string; changes: readonly Change[] }> {
  if (opts.version !== undefined && !/^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/.test(opts.version)) throw new UsageError(`--version ${JSON.stringify(opts.version)}: not a release version such as v1.5.1`);
  const version = opts.version ?? pinnedPrerequisite(await kserveOfCatalogs(opts.root), name as PrerequisiteName);
  if (!VENDORED_CHARTS[name] && !VENDORABLE.includes(name)) {
    throw UserError.of(opts.from, `--prerequisite ${name}: vendor takes ${[...VENDORABLE, ...CHART_VENDORABLE].join(', ')} (the others are not vendored: pinned by version)`, 2);
  }
  if (!version) throw UserError.of(opts.from, `no pinned ${name} version for the catalogs' KServe version — pass --version`, 2);
  return withTree(opts.root, 'vendor', {}, async () => {
    if (VENDORED_CHARTS[name]) {
      const chart = await openChartSource(name, opts.from, version);
      try {
        const changes = await planChartVendor(opts.root, name, version, chart, opts.from);
        await applyChanges(opts.root, changes);
        return { version, changes };
      } finally {
        await chart.cleanup();
      }
    }
    const src = await openPrerequisiteSource(name, opts.from);
    try {
      const changes = await planPrerequisiteVendor(opts.root, name, version, src.root);
      await applyChanges(opts.root, changes);
      return { version, changes };
    } finally {
      await src.cleanup();
    }
  });
}

async function kserveOfCatalogs(root: string): Promise<string> {
  const envs = await listEnvironments(root);
  const loaded = loadRepository(await readCatalogs(root, envs));
  if (!loaded.ok) throw new UserError(loaded.issues);
  const versions = [...new Set(loaded.value.environments.filter((e) => e.platform.mode !== 'none').map((e) => e.platform.kserve))];
  if (versions.length > 1) throw UserError.of('environments/', `catalogs use several KServe versions (${versions.join(', ')}) — pass --version`, 2);
  return versions[0] ?? DEFAULT_KSERVE_VERSION;
}
