/**
 * One `validate` cache (LLM_GITOPS_CACHE) shared by the test files whose subject is not the cache:
 * the 7 MB LLMInferenceService validator (and the other CRDs) is converted and compiled cold once,
 * then loaded by every later run, in this file and in the next. Cold compiles are what made
 * validate-heavy files take tens of seconds; the result of a validation does not depend on
 * whether the validator was compiled now or loaded (the cache is content-addressed: every entry
 * is keyed by the sha256 of what it was made from, see generator/src/validate/cache.ts).
 *
 * The folder is also keyed by the built tool itself (every file under dist/), so code that
 * changed how a cache entry is made never meets an entry made by the old code; older folders
 * are removed. Tests about the cache (cold/warm, offline, vendor --crds) keep their own
 * empty folders (test/validate-offline.test.ts, test/validate-http.test.ts, test/vendor-warm.test.ts);
 * nothing downloads into this one or runs `vendor --crds` against it, so it never holds a downloaded
 * schema (test/validate.test.ts checks that before proving a run downloads nothing).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT } from './repo.js';

const ROOT = join(PROJECT, 'node_modules', '.cache', 'llm-gitops-test-validate');

function distKey(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(`${relative(PROJECT, p)}\0`).update(readFileSync(p)).update('\0');
    }
  };
  walk(join(PROJECT, 'dist'));
  h.update(process.version); // the V8 code cache beside each validator is per V8 (rebuilt if rejected anyway)
  return h.digest('hex').slice(0, 24);
}

let dir: string | undefined;

/** The shared cache folder for this build of the tool (created on first use). */
export function warmCache(): string {
  if (dir) return dir;
  const key = distKey();
  mkdirSync(join(ROOT, key), { recursive: true });
  for (const old of readdirSync(ROOT)) if (old !== key) rmSync(join(ROOT, old), { recursive: true, force: true });
  dir = join(ROOT, key);
  return dir;
}
