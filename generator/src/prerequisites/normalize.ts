/** The catalog's `platform.prerequisites` and `modelAccess` → settings (defaults applied in requirements.ts). */
import type { ModelAccessFile, PrerequisitesFile } from './schema.js';
import type { PrerequisiteName, PrerequisiteSetting, PrerequisiteSettings, TokenSource } from './types.js';

export function prerequisitesOf(file: PrerequisitesFile | undefined): PrerequisiteSettings {
  const out: Partial<Record<PrerequisiteName, PrerequisiteSetting>> = {};
  for (const [name, v] of Object.entries(file ?? {}) as [PrerequisiteName, unknown][]) {
    if (v === undefined) continue;
    if (typeof v === 'string') out[name] = { install: v as PrerequisiteSetting['install'] };
    else {
      const e = v as { install?: PrerequisiteSetting['install']; version?: string; className?: string; source?: PrerequisiteSetting['source'] };
      out[name] = { ...(e.install ? { install: e.install } : {}), ...(e.version ? { version: e.version } : {}), ...(e.className ? { className: e.className } : {}), ...(e.source ? { source: e.source } : {}) };
    }
  }
  return out;
}

/** Token sources sorted by Secret name. */
export function modelAccessOf(file: ModelAccessFile | undefined): TokenSource[] {
  return Object.entries(file ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([secret, v]) => ({
      secret,
      ...(v.externalSecret
        ? {
            externalSecret: {
              store: v.externalSecret.store,
              storeKind: v.externalSecret.storeKind ?? 'ClusterSecretStore',
              remoteKey: v.externalSecret.remoteKey,
              ...(v.externalSecret.property ? { property: v.externalSecret.property } : {}),
              refreshInterval: v.externalSecret.refreshInterval ?? '1h',
            },
          }
        : {}),
    }));
}
