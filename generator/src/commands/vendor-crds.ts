/**
 * `vendor --crds [folder]`: puts the pinned CRD files `validate`'s default locations would
 * download (Argo CD, Flux, External Secrets, and the KServe / Gateway API CRDs unless vendored
 * into the tree) into validate's cache, from a local folder or, without one, from the network —
 * only those some generated object needs. Afterwards `validate` with no flags needs no network.
 *
 * The files go into the cache under the key a download would use (sha256 of the URL), not into
 * the repository: they are only read to check objects, never delivered, so they do not belong in
 * the reviewed tree. Every file is checked (it holds a CRD of the expected API group, and does not
 * contradict a copy already cached) before any is written; then their validators are compiled
 * into the cache, so the first `validate` is warm as well as offline.
 */
import { basename, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import { UserError, type Issue } from '../errors.js';
import { findInFolder, indexFolder } from '../crds/folder.js';
import { neededCrds, type NeededCrd } from '../crds/needed.js';
import { DiskCache, defaultCacheDir } from '../validate/cache.js';
import { SchemaCompiler } from '../validate/compile.js';
import { schemaRules } from '../admission/index.js';
import { useParseStore } from '../admission/cel/compile.js';
import { celParseStore } from '../validate/cel-cache.js';
import { indexCrdText, mayHoldCrd } from '../validate/crd-index.js';
import { cacheKeyOf, fetchOptionsOf, fetchText } from '../validate/download.js';
import { renderWorkspace } from './workspace.js';

export interface VendorCrdsOptions {
  readonly root: string;
  /** A folder holding copies of the pinned files; undefined: download them. */
  readonly folder?: string;
  readonly cacheDir?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What happened to each needed file: `source` is the folder file, `network`, or `cache` (already there). */
export interface VendorCrdsResult {
  readonly cacheDir: string;
  readonly files: readonly { readonly url: string; readonly source: string }[];
}

export async function vendorCrds(opts: VendorCrdsOptions): Promise<VendorCrdsResult> {
  const env = opts.env ?? {};
  const cache = new DiskCache(opts.cacheDir ?? defaultCacheDir(env));
  const ws = await renderWorkspace(opts.root);
  const needed = await neededCrds(opts.root, ws.catalog, ws.files);
  const folder = opts.folder === undefined ? undefined : resolve(opts.folder);
  if (folder !== undefined && !(await stat(folder).then((s) => s.isDirectory(), () => false))) throw UserError.of(opts.folder!, 'vendor --crds: no such folder', 2);
  const index = folder === undefined ? undefined : await indexFolder(folder);

  const issues: Issue[] = [];
  const writes: { url: string; text: string; source: string }[] = [];
  const files: { url: string; source: string }[] = [];
  for (const crd of needed) {
    const cached = await cache.read(cacheKeyOf(crd.url));
    if (!index && cached !== undefined) {
      files.push({ url: crd.url, source: 'cache' });
      continue;
    }
    const found = index ? await findInFolder(crd.url, index) : await download(crd.url, env);
    if (!found) {
      issues.push({ file: folder!, message: `no ${basename(new URL(crd.url).pathname)} (the ${what(crd)} CRD, ${crd.url}) in this folder — add a copy of that file at that tag, or run \`llm-gitops vendor --crds\` with network`, severity: 'error' });
      continue;
    }
    if ('error' in found) {
      issues.push({ file: folder ?? crd.url, message: found.error, severity: 'error' });
      continue;
    }
    const problem = await checkCrd(found, crd, cache);
    if (problem) issues.push({ file: found.path, message: problem, severity: 'error' });
    else if (cached !== undefined && cached !== found.text) issues.push({ file: found.path, message: `differs from the copy of ${crd.url} already in the cache (${cache.dir}) — not the pinned file? (delete the cached copy to replace it)`, severity: 'error' });
    else if (cached !== undefined) files.push({ url: crd.url, source: 'cache' });
    else writes.push({ url: crd.url, text: found.text, source: index ? found.path : 'network' });
  }
  if (issues.length) throw new UserError(issues);
  for (const w of writes) {
    if (!(await cache.write(cacheKeyOf(w.url), w.text))) throw UserError.of(cache.dir ?? '(no cache)', `cannot write the cache folder — set LLM_GITOPS_CACHE to a writable folder`);
    files.push({ url: w.url, source: w.source });
  }
  await warm(needed, cache);
  return { cacheDir: cache.dir ?? '', files: files.sort((a, b) => (a.url < b.url ? -1 : 1)) };
}

/** `url` from the network (or `LLM_GITOPS_CRD_MIRROR`), not stored yet: it is checked like a folder's file first. */
async function download(url: string, env: Readonly<Record<string, string | undefined>>): Promise<{ path: string; text: string } | { error: string }> {
  const got = await fetchText(url, new DiskCache(undefined), fetchOptionsOf(env));
  return got.ok ? { path: url, text: got.text } : { error: got.reason };
}

/** Compiles the validators of the needed kinds and parses their CEL rules now (as `vendor --from` does), so the first `validate` is warm too. */
async function warm(needed: readonly NeededCrd[], cache: DiskCache): Promise<void> {
  const compiler = new SchemaCompiler(cache);
  useParseStore(celParseStore(cache.dir));
  for (const crd of needed) {
    const text = await cache.read(cacheKeyOf(crd.url));
    if (text === undefined) continue;
    for (const e of await indexCrdText(text, crd.url, cache)) {
      if (!crd.groups.includes(e.group) || !crd.kinds.includes(e.kind)) continue;
      await compiler.get(e.schema, e.key);
      if (e.admission && e.admissionKey) schemaRules(e.admission, e.admissionKey);
    }
  }
  await compiler.persist();
}

const what = (crd: NeededCrd) => `${crd.kinds.join('/')} ${crd.groups.join('/')}`;

/** Why `file` is not the CRD `crd` names, if it is not: it must define one of its kinds in its group. */
async function checkCrd(file: { path: string; text: string }, crd: NeededCrd, cache: DiskCache): Promise<string | undefined> {
  if (!mayHoldCrd(file.text)) return `not a CustomResourceDefinition (wanted the copy of ${crd.url})`;
  try {
    const entries = await indexCrdText(file.text, file.path, cache);
    if (!entries.some((e) => crd.groups.includes(e.group) && crd.kinds.includes(e.kind))) return `defines no ${what(crd)} CRD (wanted the copy of ${crd.url})`;
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}
