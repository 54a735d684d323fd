/**
 * Sharing inside a catalog: `templates:` are named partial model entries (any model key but
 * uri/name/download), which a model includes by name with `templates: [a, b]`. They are merged
 * with the escape hatch's rules (render/merge.ts: maps merge, lists of named items merge by name,
 * other lists replace, null deletes): defaults < templates in order < the model's own keys.
 * Runs after the schema, before the rules, so every rule sees the merged models.
 */
import type { Issue } from '../errors.js';
import type { Json, JsonObject } from '../model/types.js';
import { deepMerge } from '../render/merge.js';
import type { CatalogDocument } from './document.js';
import type { CatalogFile, ModelFile } from './schema.js';
import { own } from './lookup.js';

export function expandTemplates(c: CatalogFile, doc: CatalogDocument): { catalog: CatalogFile; issues: Issue[] } {
  const issues: Issue[] = [];
  const known = c.templates ?? {};
  const models: Record<string, ModelFile> = {};
  for (const [key, m] of Object.entries(c.models)) {
    const written = m.templates !== undefined;
    const names = m.templates ?? c.defaults?.templates ?? [];
    let base: Json | undefined = {};
    names.forEach((name, i) => {
      const t = own(known, name);
      if (!t) {
        const list = Object.keys(known);
        issues.push(doc.at([...(written ? ['models', key] : ['defaults']), 'templates', i], `unknown template "${name}" — ${list.length ? `use one of ${list.join(', ')}` : 'define it under `templates:` at the top of the catalog'}`));
        return;
      }
      base = deepMerge(base, t as unknown as JsonObject);
    });
    const { templates: _omit, ...rest } = m;
    models[key] = (names.length ? deepMerge(base, rest as unknown as JsonObject) : rest) as unknown as ModelFile;
  }
  return { catalog: { ...c, models }, issues };
}
