/**
 * `vendor --prerequisite <name>`: copy what base/prerequisites/<name>/<version> needs from a
 * checkout (or release tarball) of the dependency's repository into
 * base/vendor/<name>/<version>/, with a sha256 lock — the release-manifest dependencies only
 * (gateway-api, inference-extension, leaderworkerset; charts come from their chart registry by
 * version). Folders are copied as far as their kustomization.yaml files reach.
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import * as tar from 'tar';
import { parse } from 'yaml';
import { UserError, type Issue } from '../errors.js';
import { prerequisiteVendorDir, VENDORED } from '../prerequisites/objects.js';
import { chartVendorDir, VENDORED_CHARTS } from '../prerequisites/charts.js';
import type { Change } from './plan.js';
import { readOptional } from './files.js';
import { isPlainRelative, kindOf, PathInspector } from './paths.js';
import { LOCK, lockDrift, sha256, vendorChanges } from './vendor.js';

export interface PrerequisiteLock {
  readonly prerequisite: string;
  readonly version: string;
  readonly files: Readonly<Record<string, string>>;
}

export const VENDORABLE = Object.keys(VENDORED);

/** The source root: `from` itself, or the single folder a tarball unpacks to, holding the first entry. */
export async function openPrerequisiteSource(name: string, from: string): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const spec = VENDORED[name];
  if (!spec) throw UserError.of(from, `--prerequisite ${name}: only ${VENDORABLE.join(', ')} are vendored (the others are Helm charts, pinned by version)`, 2);
  const first = spec.entries[0]!;
  const holds = async (d: string) => (await stat(join(d, first)).catch(() => undefined)) !== undefined;
  const find = async (d: string) => {
    if (await holds(d)) return d;
    for (const e of await readdir(d, { withFileTypes: true })) if (e.isDirectory() && (await holds(join(d, e.name)))) return join(d, e.name);
    throw UserError.of(from, `is not a ${name} source: no ${first} in it (or one level down) — pass a checkout or release tarball of the project at the pinned tag`);
  };
  const st = await stat(from).catch(() => undefined);
  if (!st) throw UserError.of(from, 'no such file or folder — pass a checkout of the project or its source tarball', 2);
  if (st.isDirectory()) return { root: await find(from), cleanup: async () => undefined };
  const tmp = await mkdtemp(join(tmpdir(), 'llm-gitops-vendor-'));
  const cleanup = () => rm(tmp, { recursive: true, force: true });
  try {
    await mkdir(join(tmp, 'x'));
    await tar.x({ file: from, cwd: join(tmp, 'x'), strict: true }).catch((e: Error) => {
      throw UserError.of(from, `cannot unpack: ${e.message} — pass a .tar.gz source tarball or a folder`);
    });
    return { root: await find(join(tmp, 'x')), cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

const LIST_KEYS = ['resources', 'components', 'crds', 'configurations', 'patchesStrategicMerge', 'generators', 'transformers'];

/** Local paths a kustomization refers to (patch files, generator files included); remote URLs are not followed. */
function references(k: Record<string, unknown>): string[] {
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const paths = (v: unknown) => (Array.isArray(v) ? v.flatMap((x) => (x && typeof x === 'object' && typeof (x as { path?: unknown }).path === 'string' ? [(x as { path: string }).path] : [])) : []);
  const generated = (v: unknown) => (Array.isArray(v) ? v.flatMap((g) => [...strings((g as { files?: unknown }).files), ...strings((g as { envs?: unknown }).envs)].map((f) => f.replace(/^[^=]*=/, ''))) : []);
  return [...LIST_KEYS.flatMap((key) => strings(k[key])), ...paths(k.patches), ...paths(k.patchesJson6902), ...paths(k.replacements), ...generated(k.configMapGenerator), ...generated(k.secretGenerator)].filter(
    (p) => !/^[a-z]+:\/\/|^github\.com\//.test(p) && !p.includes('\n'),
  );
}

/** Root-relative paths of every file the entries need. */
async function closure(root: string, entries: readonly string[]): Promise<string[]> {
  const files = new Set<string>();
  const seen = new Set<string>();
  const visit = async (rel: string): Promise<void> => {
    if (rel.startsWith('..')) throw UserError.of(rel, 'a vendored kustomization points outside the source — this source is not supported');
    const st = await stat(join(root, rel)).catch(() => undefined);
    if (!st) throw UserError.of(rel, 'is referenced by a kustomization but missing from the source');
    if (!st.isDirectory()) return void files.add(rel);
    if (seen.has(rel)) return;
    seen.add(rel);
    const k = await readOptional(join(root, rel, 'kustomization.yaml'));
    if (k === undefined) throw UserError.of(rel, 'has no kustomization.yaml — the source is not a complete checkout at the pinned tag');
    files.add(posix.join(rel, 'kustomization.yaml'));
    for (const ref of references((parse(k) ?? {}) as Record<string, unknown>)) await visit(posix.normalize(posix.join(rel, ref)));
  };
  for (const e of entries) await visit(e);
  return [...files].sort();
}

/** The changes that make base/vendor/<name>/<version> equal to the source (lock included). */
export async function planPrerequisiteVendor(root: string, name: string, version: string, sourceRoot: string): Promise<Change[]> {
  const dir = prerequisiteVendorDir(name, version);
  const wanted = new Map<string, string>();
  for (const rel of await closure(sourceRoot, VENDORED[name]!.entries)) wanted.set(rel, await readFile(join(sourceRoot, rel), 'utf8'));
  const license = await readOptional(join(sourceRoot, 'LICENSE'));
  if (license !== undefined) wanted.set('LICENSE', license);
  const lock: PrerequisiteLock = { prerequisite: name, version, files: Object.fromEntries([...wanted].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, t]) => [p, sha256(t)])) };
  wanted.set(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
  return vendorChanges(root, dir, wanted);
}

/** Bigger than any lock of a vendored prerequisite could be (one sha256 per file). */
const LOCK_CAP = 4 << 20;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The lock at `rel`, or the Issue that says why it cannot be trusted: it is committed input, so
 * a link, an oversized, truncated or hand-edited file, another prerequisite's lock, or an entry
 * that is not `path: sha256` is reported — never thrown.
 */
export async function readPrerequisiteLock(root: string, rel: string, name: string, version: string, fix: string): Promise<{ lock?: PrerequisiteLock; issue?: Issue }> {
  const bad = (message: string) => ({ issue: { file: rel, message: `${message} — ${fix}`, severity: 'error' as const } });
  const linked = await new PathInspector(root).problem(rel);
  if (linked) return { issue: { ...linked, message: `${linked.message} — ${fix}` } };
  if ((await kindOf(root, rel)) === 'missing') return {};
  if ((await lstat(join(root, rel))).size > LOCK_CAP) return bad(`is over ${LOCK_CAP >> 20} MiB, far more than a vendor lock`);
  const text = await readOptional(join(root, rel));
  if (text === undefined) return {};
  let lock: unknown;
  try {
    lock = JSON.parse(text);
  } catch (e) {
    return bad(`is not valid JSON (${(e as Error).message}); it may be truncated or hand-edited`);
  }
  const l = lock as Partial<PrerequisiteLock> | null;
  const files = l && typeof l === 'object' && !Array.isArray(l) ? l.files : undefined;
  if (!files || typeof files !== 'object' || Array.isArray(files)) return bad('is not a vendor lock ({prerequisite, version, files: {path: sha256}})');
  const wrong = Object.entries(files).find(([p, sum]) => !isPlainRelative(p) || typeof sum !== 'string' || !SHA256.test(sum));
  if (wrong) return bad(`entry ${JSON.stringify(wrong[0]).slice(0, 200)} is not a relative path with a sha256 sum`);
  if (l!.prerequisite !== name || l!.version !== version) return bad(`is the lock of ${JSON.stringify(l!.prerequisite)} ${JSON.stringify(l!.version)}, not of ${name} ${version}`);
  return { lock: l as PrerequisiteLock };
}

/** `check`: every file vendored for a prerequisite matches its lock, and the lock exists when the tree points at the copy. */
export async function verifyPrerequisiteVendor(root: string, name: string, version: string): Promise<Issue[]> {
  // A chart's copy is base/vendor/<name>/<version> (the chart unit names it); a release manifest's sits in its unit's folder.
  const chart = VENDORED_CHARTS[name] !== undefined;
  const dir = chart ? chartVendorDir(name, version) : prerequisiteVendorDir(name, version);
  const pointer = chart ? `the ${name} unit` : `base/prerequisites/${name}/${version}`;
  const fix = `run \`llm-gitops vendor --prerequisite ${name} --version ${version} --from <checkout>\` (or restore the files from git)`;
  const { lock, issue } = await readPrerequisiteLock(root, `${dir}/${LOCK}`, name, version, fix);
  if (issue) return [issue];
  if (!lock) return [{ file: `${dir}/${LOCK}`, message: `is missing, but ${pointer} points at the vendored copy — ${fix}`, severity: 'error' }];
  return lockDrift(root, dir, lock.files, fix);
}
