/**
 * Fills the validate cache from the CRDs on disk, so the first `validate` after `vendor` is a
 * warm one: every served version of every CRD under the local schema locations (the vendored
 * KServe CRDs) is converted (crd/…) and its validator compiled (validators/…). Nothing is
 * downloaded. A cache that cannot be written only costs the later run its speed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { schemaRules } from '../admission/index.js';
import { useParseStore } from '../admission/cel/compile.js';
import { DiskCache } from './cache.js';
import { celParseStore } from './cel-cache.js';
import { SchemaCompiler } from './compile.js';
import { indexCrdText, mayHoldCrd } from './crd-index.js';
import { defaultLocations } from './defaults.js';

/** Compiles the validators of the local default schema locations of KServe `version`; returns how many were compiled or loaded. */
export async function warmValidators(root: string, version: string, cache: DiskCache): Promise<number> {
  const compiler = new SchemaCompiler(cache);
  useParseStore(celParseStore(cache.dir));
  let n = 0;
  for (const loc of await defaultLocations(root, version)) {
    if (loc.type !== 'path') continue;
    const files = (await readdir(loc.path, { recursive: true }).catch(() => [] as string[])).filter((f) => /\.(ya?ml|json)$/i.test(f)).sort();
    for (const f of files) {
      const text = await readFile(join(loc.path, f), 'utf8');
      if (!mayHoldCrd(text)) continue;
      for (const entry of await indexCrdText(text, join(loc.path, f), cache)) {
        await compiler.get(entry.schema, entry.key);
        // Every CEL rule parsed into the cache too (cel-cache.ts): the first validate decodes them.
        if (entry.admission && entry.admissionKey) schemaRules(entry.admission, entry.admissionKey);
        n++;
      }
    }
  }
  await compiler.persist();
  return n;
}
