/**
 * Finding a pinned CRD URL's file in a local folder (a mirror such as `<project>/<tag>/<path>`,
 * or a checkout of the project at that tag): among the files with the URL's file name, the one
 * whose path shares the longest tail with the URL's path wins — so `gateway-api/v1.5.1/config/
 * crd/standard/x.yaml` beats `…/experimental/x.yaml` and `argo-cd/v3.5.1/…` beats `argo-cd/
 * v3.4.0/…`. Two different files tied for the best tail are an error (which one is meant would
 * be a guess).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';

const SKIP_DIRS = new Set(['node_modules', '.git']);
/** As for a download (validate/download.ts): no CRD file is bigger. */
const MAX_BYTES = 64 << 20;

/** Every YAML/JSON file under `dir` by file name (links are not followed). */
export async function indexFolder(dir: string): Promise<Map<string, string[]>> {
  const byName = new Map<string, string[]>();
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory() && !SKIP_DIRS.has(e.name)) await walk(join(d, e.name));
      else if (e.isFile() && /\.(ya?ml|json)$/i.test(e.name)) byName.set(e.name, [...(byName.get(e.name) ?? []), join(d, e.name)]);
    }
  };
  await walk(dir);
  return byName;
}

/** How many trailing path segments `file` shares with `url`'s path (at least the file name). */
function sharedTail(url: string, file: string): number {
  const u = new URL(url).pathname.split('/').filter(Boolean).reverse();
  const f = file.split(sep).filter(Boolean).reverse();
  let n = 0;
  while (n < u.length && n < f.length && u[n] === f[n]) n++;
  return n;
}

/** `url`'s file under the indexed folder: `{ path, text }`, `{ error }` when ambiguous, undefined when absent. */
export async function findInFolder(url: string, index: ReadonlyMap<string, readonly string[]>): Promise<{ path: string; text: string } | { error: string } | undefined> {
  const candidates = index.get(basename(new URL(url).pathname)) ?? [];
  if (!candidates.length) return undefined;
  const scored = candidates.map((path) => ({ path, score: sharedTail(url, path) }));
  const best = Math.max(...scored.map((s) => s.score));
  const tied = scored.filter((s) => s.score === best);
  for (const s of tied) {
    const size = (await stat(s.path)).size;
    if (size > MAX_BYTES) return { error: `${s.path}: ${size} bytes is more than a CRD file should be` };
  }
  const top = await Promise.all(tied.map(async (s) => ({ path: s.path, text: await readFile(s.path, 'utf8') })));
  const distinct = [...new Map(top.map((t) => [t.text, t])).values()];
  if (distinct.length > 1) return { error: `${distinct.map((d) => d.path).join(' and ')} differ and match ${url} equally well — pass a folder that holds only the pinned one` };
  return top[0];
}
