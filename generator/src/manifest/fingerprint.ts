/**
 * The tool's own identity, part of every run-manifest key: sha256 over the path and sha256 of
 * every module of this build (the .js files of dist/, or the .ts sources when run from them) and
 * over the package.json of the tool and of each dependency it resolves (their versions). A
 * rebuilt, edited or reinstalled tool therefore never reuses what another build rendered.
 *
 * The modules' hashes and the folders' listings come from the tool's stat index in the cache
 * (manifest/hashes.ts), so an unchanged build is stat()ed, not read: any edit, rebuild, added or
 * removed module changes a stat, and that file or folder is read again.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiskCache } from '../validate/cache.js';
import { FileHashes } from './hashes.js';

/** The folder holding cli.js (dist/, or generator/src/ under a TypeScript loader). */
const TOOL_ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const MODULE = /\.(?:m?js|ts)$/;

let index: Promise<FileHashes> | undefined;
let memo: Promise<string> | undefined;

/** The stat index of the tool's files (its modules, its bundles) in `cache`, opened once per process (the first caller's cache). */
export function toolHashes(cache: DiskCache = new DiskCache(undefined)): Promise<FileHashes> {
  index ??= FileHashes.open(cache, `tool\0${TOOL_ROOT}`);
  return index;
}

/** Hex sha256 of the tool's code and dependency versions; computed once per process. */
export function toolFingerprint(cache?: DiskCache): Promise<string> {
  memo ??= toolHashes(cache).then(async (hashes) => {
    const fp = await fingerprintOf(TOOL_ROOT, hashes);
    await hashes.save();
    return fp;
  });
  return memo;
}

/** The fingerprint of the tool whose modules are under `root` (exported for the tests and scripts/bundle.mjs: no index, every file read). */
export async function fingerprintOf(root: string, hashes?: FileHashes): Promise<string> {
  const index = hashes ?? (await FileHashes.open(new DiskCache(undefined), ''));
  // Paths by concatenation (path.join and path.relative over ~460 entries were a third of this function's time): `rel` with '/'.
  const modules: { path: string; rel: string }[] = [];
  const base = resolve(root);
  const walk = (dir: string, rel: string): void => {
    const { files, dirs } = index.list(dir);
    for (const f of files) if (MODULE.test(f)) modules.push({ path: `${dir}${sep}${f}`, rel: `${rel}${f}` });
    for (const d of dirs) walk(`${dir}${sep}${d}`, `${rel}${d}/`);
  };
  walk(base, '');
  modules.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const h = createHash('sha256');
  for (const m of modules) {
    const hash = index.hash(m.path);
    if (!hash) throw new Error(`cannot read ${m.path}`);
    h.update(`${m.rel}\0${hash.sha}\0`);
  }
  const pkg = nearest(root, 'package.json');
  h.update(`\0package\0${pkg?.text ?? ''}`);
  let deps: string[] = [];
  try {
    deps = Object.keys((JSON.parse(pkg?.text ?? '{}') as { dependencies?: Record<string, string> }).dependencies ?? {}).sort();
  } catch {
    deps = [];
  }
  for (const d of deps) h.update(`\0${d}\0${nearest(pkg ? dirname(pkg.path) : root, join('node_modules', d, 'package.json'))?.text ?? 'missing'}`);
  return h.digest('hex');
}

/** `rel` in `dir` or the closest folder above it (how Node resolves packages). */
export function nearest(dir: string, rel: string): { path: string; text: string } | undefined {
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
