/**
 * The tool's own identity, part of every run-manifest key: sha256 over the bytes of every module
 * of this build (the .js files of dist/, or the .ts sources when run from them) and over the
 * package.json of the tool and of each dependency it resolves (their versions). A rebuilt,
 * edited or reinstalled tool therefore never reuses what another build rendered.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding cli.js (dist/, or generator/src/ under a TypeScript loader). */
const TOOL_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const MODULE = /\.(?:m?js|ts)$/;

let memo: Promise<string> | undefined;

/** Hex sha256 of the tool's code and dependency versions; computed once per process. */
export function toolFingerprint(): Promise<string> {
  memo ??= fingerprintOf(TOOL_ROOT);
  return memo;
}

/** The fingerprint of the tool whose modules are under `root` (exported for the tests). */
export async function fingerprintOf(root: string): Promise<string> {
  const h = createHash('sha256');
  // Synchronous reads: ~200 small files, several times faster than through the thread pool.
  const modules = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && MODULE.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const p of modules) {
    const bytes = readFileSync(p);
    h.update(`${relative(root, p).split(sep).join('/')}\0${bytes.length}\0`).update(bytes);
  }
  const pkg = await nearest(root, 'package.json');
  h.update(`\0package\0${pkg?.text ?? ''}`);
  let deps: string[] = [];
  try {
    deps = Object.keys((JSON.parse(pkg?.text ?? '{}') as { dependencies?: Record<string, string> }).dependencies ?? {}).sort();
  } catch {
    deps = [];
  }
  for (const d of deps) h.update(`\0${d}\0${(await nearest(pkg ? dirname(pkg.path) : root, join('node_modules', d, 'package.json')))?.text ?? 'missing'}`);
  return h.digest('hex');
}

/** `rel` in `dir` or the closest folder above it (how Node resolves packages). */
async function nearest(dir: string, rel: string): Promise<{ path: string; text: string } | undefined> {
  for (let d = dir; ; d = dirname(d)) {
    const path = join(d, rel);
    try {
      return { path, text: readFileSync(path, 'utf8') };
    } catch {
      // not here: look one folder up
    }
    if (dirname(d) === d) return undefined;
  }
}
