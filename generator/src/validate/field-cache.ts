/**
 * The field lists of the unknown-field check (validate/known-fields.ts) kept between runs: one
 * cache entry per installed @kubernetes/client-node (`known-fields/<sha256 of its package.json>.json`),
 * holding every model earlier runs imported. A run that finds its models there imports none (a
 * small tree's validate imported ~20 model modules, one ES-module resolution and load each,
 * ~15 ms). The entry is hostile input: anything but the exact shape written below is ignored
 * whole (the models are imported as without a cache) and rewritten. Like the compiled validators
 * beside it, an entry written by someone else is trusted once well formed.
 */
import type { DiskCache } from './cache.js';
import { clientNodeKey, importedModels, seedModels, type Attribute } from './known-fields.js';

const FORMAT = 'known-fields-1';
let kept: { readonly cache: DiskCache; readonly key: string; readonly had: number } | undefined;

const isAttributes = (v: unknown): v is [string, string][] => Array.isArray(v) && v.every((a) => Array.isArray(a) && a.length === 2 && typeof a[0] === 'string' && typeof a[1] === 'string');
const isModels = (v: unknown): v is [string, [string, string][] | null][] => Array.isArray(v) && v.every((m) => Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && (m[1] === null || isAttributes(m[1])));

/** Seeds the models from `cache` (once per process; a later call with another cache is ignored). */
export function useFieldCache(cache: DiskCache): void {
  if (kept) return;
  const sha = clientNodeKey();
  if (!sha) return;
  const key = `known-fields/${sha}.json`;
  let models: [string, [string, string][] | null][] = [];
  try {
    const entry = JSON.parse(cache.readSync(key) ?? 'null') as { format?: unknown; models?: unknown } | null;
    if (entry?.format === FORMAT && isModels(entry.models)) models = entry.models;
  } catch {
    models = [];
  }
  seedModels(models.map(([name, attrs]) => [name, attrs && attrs.map(([baseName, type]): Attribute => ({ baseName, type }))] as const));
  kept = { cache, key, had: importedModels().size };
}

/** Writes the entry back when this run imported a model it did not hold (sorted by name: the same models, the same bytes). */
export async function persistFieldCache(): Promise<void> {
  const models = importedModels();
  if (!kept || models.size === kept.had) return;
  const rows = [...models].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, attrs]) => [name, attrs && attrs.map((a) => [a.baseName, a.type])]);
  if (await kept.cache.write(kept.key, JSON.stringify({ format: FORMAT, models: rows }))) kept = { ...kept, had: models.size };
}
