/**
 * `generate`'s admission gate: every LLMInferenceService and preset a catalog builds is checked
 * before anything is written — KServe's webhook rules of the pinned version (always, they need
 * nothing), and, when the pinned CRDs are on this machine (vendored, or in the validate cache from
 * an earlier `validate`), unknown fields with a "did you mean", the CRD's defaults and CEL rules.
 * Problems are reported at the catalog's file:line:col of the key that introduced the value
 * (admission/catalog-lines.ts). Nothing is downloaded here: `validate` is the complete check.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { catalogPathOf } from '../admission/catalog-lines.js';
import { unknownFields } from '../admission/fields.js';
import { checkWebhooks } from '../admission/webhook/index.js';
import { parseCatalog, type PathKey } from '../catalog/document.js';
import { readCatalogs } from '../disk/files.js';
import type { Issue } from '../errors.js';
import type { Catalog, Environment, Json, JsonObject } from '../model/types.js';
import { renderPreset } from '../render/environment.js';
import { renderLLMInferenceService } from '../render/llmisvc.js';
import { vendorDir } from '../render/platform.js';
import { DiskCache, defaultCacheDir, sha256 } from '../validate/cache.js';
import { kserveCrdUrls } from '../validate/defaults.js';
import type { Location, SchemaHit } from '../validate/schema-store.js';

const LLMISVC_CRDS = 'config/crd/full/llmisvc';

/** Where the pinned llmisvc CRDs may be on this machine: the vendored folder, else the validate cache's downloads. */
export function admissionSources(root: string, version: string, cache: DiskCache): { readonly vendored: string; readonly cached: readonly { url: string; key: string }[] } {
  return { vendored: join(resolve(root), vendorDir(version), LLMISVC_CRDS), cached: kserveCrdUrls(version).map((url) => ({ url, key: `http/${sha256(url)}` })) };
}

/** The pinned llmisvc CRDs, if this machine has them without a download. */
async function localLocations(root: string, version: string, cache: DiskCache): Promise<Location[]> {
  const { vendored, cached } = admissionSources(root, version, cache);
  if (await stat(vendored).then((s) => s.isDirectory(), () => false)) return [{ type: 'path', path: vendored }];
  const texts = await Promise.all(cached.map((c) => cache.read(c.key)));
  return texts.every((c) => c !== undefined) ? cached.map(({ url }) => ({ type: 'url', url })) : [];
}

interface Target {
  readonly env: Environment;
  readonly base: PathKey[];
  readonly obj: JsonObject;
  readonly spec: Json | undefined;
  readonly wrote: (key: string) => boolean;
}

export async function catalogAdmission(root: string, catalog: Catalog, vars: Readonly<Record<string, string | undefined>>): Promise<Issue[]> {
  const cache = new DiskCache(defaultCacheDir(vars));
  const texts = new Map((await readCatalogs(root, catalog.environments.map((e) => e.name))).map((s) => [s.file, s.text]));
  const docs = new Map<string, ReturnType<typeof parseCatalog>['doc']>();
  const docOf = (file: string) => {
    if (!docs.has(file)) docs.set(file, parseCatalog(file, texts.get(file) ?? '').doc);
    return docs.get(file);
  };
  const issues: Issue[] = [];
  for (const env of catalog.environments) {
    // The schema store and the CEL engine (≈ 0.3 s of module loading) only when the CRDs are here.
    const locations = await localLocations(root, env.platform.kserve, cache);
    const store = locations.length ? new (await import('../validate/schema-store.js')).SchemaStore(locations, cache) : undefined;
    // The catalog is parsed again (for positions) only when something is to be reported.
    const raw = () => (docOf(env.file)?.data ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
    const targets: Target[] = [
      ...env.models.map((m) => ({ env, base: ['models', m.name] as PathKey[], obj: renderLLMInferenceService(env, m), spec: m.spec, wrote: (k: string) => raw().models?.[m.name]?.[k] !== undefined })),
      ...env.presets.map((p) => ({ env, base: ['presets', p.name] as PathKey[], obj: renderPreset(env, p), spec: p.spec as Json, wrote: () => false })),
    ];
    for (const t of targets) {
      const kind = String(t.obj.kind);
      const name = String((t.obj.metadata as JsonObject).name);
      const hit: SchemaHit | undefined = store ? (await store.lookup(String(t.obj.apiVersion), kind)).found : undefined;
      const at = (pointer: string, message: string, severity: Issue['severity'] = 'error') => {
        const path = catalogPathOf(t.base, t.spec, t.obj, pointer, t.wrote);
        const doc = docOf(env.file);
        const issue = doc ? doc.at(path, message, { onKey: true, severity }) : { file: env.file, message, severity };
        issues.push(issue);
      };
      let stored: unknown = t.obj;
      if (hit) {
        for (const u of unknownFields(hit.schema, t.obj)) {
          at(u.path, `${kind} ${name}: unknown field "${u.key}" at ${u.path.slice(1).replace(/\//g, '.')} — ${u.suggestion ? `did you mean "${u.suggestion}"?` : `allowed here: ${u.allowed.join(', ')}`}`);
        }
        if (hit.admission && hit.admissionKey) {
          const { admit } = await import('../admission/index.js');
          const a = admit(t.obj, hit.admission, hit.admissionKey);
          stored = a.stored;
          for (const v of a.violations) at(v.path, `${kind} ${name}: ${v.msg} [CEL rule of the CRD: ${v.rule.length > 120 ? `${v.rule.slice(0, 117)}...` : v.rule}]`);
        }
      }
      for (const f of checkWebhooks(stored as Record<string, unknown>, env.platform.kserve) ?? []) {
        at(f.path, `${kind} ${name}: ${f.msg} [rule: ${f.rule}]`, f.severity === 'warning' ? 'warning' : 'error');
      }
    }
  }
  return issues;
}
