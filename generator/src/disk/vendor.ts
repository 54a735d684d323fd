/**
 * `vendor`: copy the pieces of a pinned KServe release that base/ needs into
 * base/vendor/kserve/<version>/, with a lock of sha256 sums. The source is a kserve checkout
 * (or its config/ folder), a release tarball, or a tarball URL. Only files reachable from the
 * kustomizations base/ points at are copied — found by following kustomization.yaml references.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, normalize, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { parse } from 'yaml';
import { UserError, type Issue } from '../errors.js';
import { vendorDir } from '../render/platform.js';
import type { Change } from './plan.js';
import { hashTree, readOptional } from './files.js';

/** The upstream config/ folders base/ and environments/ reference. */
export const VENDORED_ENTRIES = ['crd/full/llmisvc', 'crd/full/clusterstoragecontainer', 'llmisvc', 'llmisvcconfig', 'base'] as const;
export const LOCK = 'vendor.lock.json';

export interface VendorLock {
  readonly kserve: string;
  readonly files: Readonly<Record<string, string>>;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function readLock(root: string, version: string): Promise<VendorLock | undefined> {
  const text = await readOptional(join(root, vendorDir(version), LOCK));
  return text === undefined ? undefined : (JSON.parse(text) as VendorLock);
}

/** Fetches (URL) or unpacks (tarball) the source when needed; returns the kserve root and a cleanup. */
export async function openSource(from: string): Promise<{ root: string; cleanup: () => Promise<void> }> {
  if (/^https?:\/\//.test(from)) {
    const tmp = await mkdtemp(join(tmpdir(), 'llm-gitops-vendor-'));
    const cleanup = () => rm(tmp, { recursive: true, force: true });
    try {
      const res = await fetch(from, { signal: AbortSignal.timeout(120_000) });
      if (!res.ok || !res.body) throw UserError.of(from, `download failed: HTTP ${res.status} — check the URL (e.g. ${'https://github.com/kserve/kserve/archive/refs/tags/v0.20.0.tar.gz'})`);
      const file = join(tmp, 'source.tar.gz');
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(file));
      const { root } = await unpack(file, tmp);
      return { root, cleanup };
    } catch (e) {
      await cleanup();
      if (e instanceof UserError) throw e;
      throw UserError.of(from, `download failed: ${(e as Error).message}`);
    }
  }
  let st;
  try {
    st = await stat(from);
  } catch {
    throw UserError.of(from, 'no such file or folder — pass a kserve checkout, its config/ folder, a release tarball or an https:// URL', 2);
  }
  if (st.isDirectory()) return { root: await findKserveRoot(from), cleanup: async () => undefined };
  const tmp = await mkdtemp(join(tmpdir(), 'llm-gitops-vendor-'));
  try {
    return { ...(await unpack(from, tmp)), cleanup: () => rm(tmp, { recursive: true, force: true }) };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

async function unpack(file: string, into: string): Promise<{ root: string }> {
  const out = join(into, 'x');
  await mkdir(out);
  try {
    await tar.x({ file, cwd: out, strict: true });
  } catch (e) {
    throw UserError.of(file, `cannot unpack: ${(e as Error).message} — pass a .tar.gz release tarball`);
  }
  return { root: await findKserveRoot(out) };
}

/** The folder holding config/llmisvc: the given one, its parent (given config/), or one level down (tarball root). */
async function findKserveRoot(dir: string): Promise<string> {
  const has = async (d: string) => (await readOptional(join(d, 'config', 'llmisvc', 'kustomization.yaml'))) !== undefined;
  if (await has(dir)) return dir;
  if (basename(dir) === 'config' && (await has(dirname(dir)))) return dirname(dir);
  for (const e of await readdir(dir, { withFileTypes: true })) if (e.isDirectory() && (await has(join(dir, e.name)))) return join(dir, e.name);
  throw UserError.of(dir, 'is not a KServe source: no config/llmisvc/kustomization.yaml in it (or one level down)');
}

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Local paths a kustomization refers to (relative to its folder). Remote URLs are not followed. */
function references(k: Record<string, unknown>): string[] {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const paths = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap((x) => (x && typeof x === 'object' && typeof (x as { path?: unknown }).path === 'string' ? [(x as { path: string }).path] : typeof x === 'string' ? [x] : [])) : []);
  const generatorFiles = (v: unknown): string[] =>
    Array.isArray(v) ? v.flatMap((g) => [...list((g as { files?: unknown }).files), ...list((g as { envs?: unknown }).envs)].map((f) => f.replace(/^[^=]*=/, ''))) : [];
  return [
    ...list(k.resources),
    ...list(k.components),
    ...list(k.crds),
    ...list(k.configurations),
    ...list(k.patchesStrategicMerge),
    ...paths(k.patches),
    ...paths(k.patchesJson6902),
    ...paths(k.replacements),
    ...list(k.generators),
    ...list(k.transformers),
    ...generatorFiles(k.configMapGenerator),
    ...generatorFiles(k.secretGenerator),
  ].filter((p) => !/^[a-z]+:\/\/|^github\.com\//.test(p) && !p.includes('\n'));
}

/** config/-relative paths of every file the entries need. */
export async function closure(kserveRoot: string, entries: readonly string[] = VENDORED_ENTRIES): Promise<string[]> {
  const config = join(kserveRoot, 'config');
  const files = new Set<string>();
  const seen = new Set<string>();
  const visitDir = async (rel: string): Promise<void> => {
    if (seen.has(rel)) return;
    seen.add(rel);
    for (const name of KUSTOMIZATION_NAMES) {
      const text = await readOptional(join(config, rel, name));
      if (text === undefined) continue;
      files.add(posix.join(rel, name));
      for (const ref of references((parse(text) ?? {}) as Record<string, unknown>)) await visit(posix.normalize(posix.join(rel, ref)));
      return;
    }
    throw UserError.of(join('config', rel), 'has no kustomization.yaml — the source is not a complete KServe config/ tree');
  };
  const visit = async (rel: string): Promise<void> => {
    if (rel.startsWith('..')) throw UserError.of(join('config', rel), 'a vendored kustomization points outside config/ — this source is not supported');
    const st = await stat(join(config, rel)).catch(() => undefined);
    if (!st) throw UserError.of(join('config', rel), 'is referenced by a kustomization but missing from the source');
    if (st.isDirectory()) await visitDir(rel);
    else files.add(normalize(rel).split('\\').join('/'));
  };
  for (const e of entries) await visit(e);
  return [...files].sort();
}

/** The changes that make base/vendor/kserve/<version> equal to the source (lock included). */
export async function planVendor(root: string, version: string, kserveRoot: string): Promise<Change[]> {
  const dir = vendorDir(version);
  const wanted = new Map<string, string>();
  for (const rel of await closure(kserveRoot)) wanted.set(`config/${rel}`, await readFile(join(kserveRoot, 'config', rel), 'utf8'));
  const license = await readOptional(join(kserveRoot, 'LICENSE'));
  if (license !== undefined) wanted.set('LICENSE', license);
  const lock: VendorLock = { kserve: version, files: Object.fromEntries([...wanted].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, t]) => [p, sha256(t)])) };
  wanted.set(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
  const existing = await hashTree(root, dir);
  const changes: Change[] = [];
  for (const [rel, content] of wanted) {
    const path = `${dir}/${rel}`;
    const before = existing.get(path);
    if (before === undefined) changes.push({ kind: 'create', path, content });
    else if (before !== sha256(content)) changes.push({ kind: 'update', path, content });
  }
  for (const path of existing.keys()) if (!wanted.has(path.slice(dir.length + 1))) changes.push({ kind: 'delete', path });
  return changes.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** `check`: every vendored file matches its lock entry, and nothing else is there. */
export async function verifyVendor(root: string, version: string): Promise<Issue[]> {
  const dir = vendorDir(version);
  const lock = await readLock(root, version);
  if (!lock) return [];
  const existing = await hashTree(root, dir);
  const issues: Issue[] = [];
  const fix = `re-run \`llm-gitops vendor --from <source>\` (or restore the file from git)`;
  for (const [rel, sum] of Object.entries(lock.files)) {
    const actual = existing.get(`${dir}/${rel}`);
    if (actual === undefined) issues.push({ file: `${dir}/${rel}`, message: `is listed in ${LOCK} but missing — ${fix}`, severity: 'error' });
    else if (actual !== sum) issues.push({ file: `${dir}/${rel}`, message: `does not match its sha256 in ${LOCK} (vendored upstream files must not be edited) — ${fix}`, severity: 'error' });
  }
  for (const path of existing.keys()) {
    const rel = path.slice(dir.length + 1);
    if (rel !== LOCK && !(rel in lock.files)) issues.push({ file: path, message: `is not in ${LOCK} — remove it, or ${fix}`, severity: 'error' });
  }
  return issues;
}
