/**
 * `vendor`: copy the pieces of a pinned KServe release that base/ needs into
 * base/vendor/kserve/<version>/, with a lock of sha256 sums. The source is a kserve checkout
 * (or its config/ folder), a release tarball, or a tarball URL. Only files reachable from the
 * kustomizations base/ points at are copied — found by following kustomization.yaml references.
 * Reading the source safely (streamed tarballs, caps, no links) is disk/vendor-source.ts.
 */
import { createHash } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { UserError, type Issue } from '../errors.js';
import { vendorDir } from '../render/platform.js';
import type { Change } from './plan.js';
import { hashTree, readOptional } from './files.js';
import type { Source } from './vendor-source.js';
import { kindOf, PathInspector } from './paths.js';


/** The upstream config/ folders base/ and environments/ reference. */
export const VENDORED_ENTRIES = ['crd/full/llmisvc', 'crd/full/clusterstoragecontainer', 'llmisvc', 'llmisvcconfig', 'base'] as const;
export const LOCK = 'vendor.lock.json';

export interface VendorLock {
  readonly kserve: string;
  readonly files: Readonly<Record<string, string>>;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The vendor lock, if there; a linked, oversized or malformed one is an Issue (it is committed input). */
export async function readLock(root: string, version: string): Promise<VendorLock | undefined> {
  const rel = `${vendorDir(version)}/${LOCK}`;
  const kind = await new PathInspector(root).problem(rel);
  if (kind) throw new UserError([kind]);
  if ((await kindOf(root, rel)) !== 'file') return undefined;
  const fix = 're-run `llm-gitops vendor --from <source>` (or restore it from git)';
  if ((await lstat(join(root, rel))).size > 16 << 20) throw UserError.of(rel, `is over 16 MiB, far more than a vendor lock — ${fix}`);
  const text = await readOptional(join(root, rel));
  if (text === undefined) return undefined;
  let lock: VendorLock;
  try {
    lock = JSON.parse(text) as VendorLock;
  } catch (e) {
    throw UserError.of(rel, `is not valid JSON (${(e as Error).message}) — ${fix}`);
  }
  const files = lock?.files;
  if (!lock || typeof lock !== 'object' || typeof files !== 'object' || files === null || Object.values(files).some((v) => typeof v !== 'string')) {
    throw UserError.of(rel, `is not a vendor lock ({kserve, files: {path: sha256}}) — ${fix}`);
  }
  return lock;
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
export async function closure(src: Source, entries: readonly string[] = VENDORED_ENTRIES): Promise<string[]> {
  const files = new Set<string>();
  const seen = new Set<string>();
  const visitDir = async (rel: string): Promise<void> => {
    if (seen.has(rel)) return;
    seen.add(rel);
    for (const name of KUSTOMIZATION_NAMES) {
      const text = await src.read(posix.join('config', rel, name));
      if (text === undefined) continue;
      files.add(posix.join(rel, name));
      for (const ref of references((parse(text) ?? {}) as Record<string, unknown>)) await visit(posix.normalize(posix.join(rel, ref)));
      return;
    }
    throw UserError.of(join('config', rel), 'has no kustomization.yaml — the source is not a complete KServe config/ tree');
  };
  const visit = async (rel: string): Promise<void> => {
    if (rel.startsWith('..') || posix.isAbsolute(rel)) throw UserError.of(join('config', rel), 'a vendored kustomization points outside config/ — this source is not supported');
    const kind = await src.kind(posix.join('config', rel));
    if (kind === 'missing') throw UserError.of(join('config', rel), 'is referenced by a kustomization but missing from the source');
    if (kind === 'dir') await visitDir(rel);
    else files.add(posix.normalize(rel));
  };
  for (const e of entries) await visit(e);
  return [...files].sort();
}

/** The changes that make base/vendor/kserve/<version> equal to the source (lock included). */
export async function planVendor(root: string, version: string, src: Source): Promise<Change[]> {
  const dir = vendorDir(version);
  const wanted = new Map<string, string>();
  for (const rel of await closure(src)) wanted.set(`config/${rel}`, (await src.read(`config/${rel}`))!);
  const license = await src.read('LICENSE');
  if (license !== undefined) wanted.set('LICENSE', license);
  const lock: VendorLock = { kserve: version, files: Object.fromEntries([...wanted].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, t]) => [p, sha256(t)])) };
  wanted.set(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
  return vendorChanges(root, dir, wanted);
}

/** What makes folder `dir` hold exactly `wanted` (paths relative to `dir` → text), compared by streamed sha256. */
export async function vendorChanges(root: string, dir: string, wanted: ReadonlyMap<string, string>): Promise<Change[]> {
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
  return lockDrift(root, dir, lock.files, `re-run \`llm-gitops vendor --from <source>\` (or restore the file from git)`);
}

/** Every file of a vendored folder `dir` against its lock's sha256 sums: missing, edited, or not in the lock. */
export async function lockDrift(root: string, dir: string, files: Readonly<Record<string, string>>, fix: string): Promise<Issue[]> {
  const existing = await hashTree(root, dir);
  const issues: Issue[] = [];
  for (const [rel, sum] of Object.entries(files)) {
    const actual = existing.get(`${dir}/${rel}`);
    if (actual === undefined) issues.push({ file: `${dir}/${rel}`, message: `is listed in ${LOCK} but missing — ${fix}`, severity: 'error' });
    else if (actual !== sum) issues.push({ file: `${dir}/${rel}`, message: `does not match its sha256 in ${LOCK} (vendored upstream files must not be edited) — ${fix}`, severity: 'error' });
  }
  for (const path of existing.keys()) {
    const rel = path.slice(dir.length + 1);
    if (rel !== LOCK && !(rel in files)) issues.push({ file: path, message: `is not in ${LOCK} — remove it, or ${fix}`, severity: 'error' });
  }
  return issues;
}
