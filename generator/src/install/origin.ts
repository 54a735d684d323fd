/**
 * Where the running llm-gitops came from, so `init` can write install steps that fetch the
 * same thing again (the default of `--tool`), in this order:
 *
 * 1. npm's record of the install: the hidden lockfile `node_modules/.package-lock.json` above
 *    the package (a local install, `npx --package=…`) holds its `resolved` source — a tarball,
 *    a git URL pinned to a commit, or the registry;
 * 2. a git checkout of the tool with an `origin` remote: that URL at the tag of HEAD (else HEAD's commit);
 * 3. package.json `repository` at the tag `v<version>`;
 * 4. else the package folder itself, with a warning that CI cannot reach it.
 */
import { realpath } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Issue } from '../errors.js';
import { readOptional } from '../disk/files.js';
import { git } from '../git/client.js';
import { openRepo, originUrl, tagAtHead } from '../git/repo.js';
import { localPath, type ToolSource } from './tool.js';

export const PACKAGE_NAME = 'kserve-llm-gitops';

interface Manifest {
  readonly name?: string;
  readonly version?: string;
  readonly repository?: string | { readonly url?: string };
}

/** The folder and package.json of this installed package (above dist/ or generator/src/). */
export async function packageRoot(): Promise<{ dir: string; manifest: Manifest }> {
  for (let up = '../'; up.length <= 4 * 3; up += '../') {
    const file = fileURLToPath(new URL(`${up}package.json`, import.meta.url));
    const text = await readOptional(file);
    const manifest = text === undefined ? undefined : (JSON.parse(text) as Manifest);
    if (manifest?.name === PACKAGE_NAME && manifest.version) return { dir: await realpath(dirname(file)), manifest };
  }
  throw new Error(`package.json of ${PACKAGE_NAME} not found above the installed module`);
}

/** 1: npm's hidden lockfile in the nearest node_modules above the package. */
async function fromLockfile(dir: string, repoDir: string, version: string): Promise<{ tool: ToolSource; warnings: Issue[] } | undefined> {
  for (let at = dirname(dir); at !== dirname(at); at = dirname(at)) {
    if (!at.endsWith(`${'/'}node_modules`) && !at.endsWith('\\node_modules')) continue;
    const text = await readOptional(join(at, '.package-lock.json'));
    if (text === undefined) continue;
    const project = dirname(at);
    const packages = (JSON.parse(text) as { packages?: Record<string, { resolved?: string; link?: boolean }> }).packages ?? {};
    const entry = Object.entries(packages).find(([key]) => resolve(project, key) === dir)?.[1];
    const resolved = entry?.resolved;
    if (!resolved || entry.link) return undefined;
    if (resolved.startsWith('file:')) return localPath(resolve(project, resolved.slice('file:'.length)), repoDir);
    if (/^git\+|^git:|^github:/.test(resolved)) return { tool: { kind: 'npm', spec: resolved }, warnings: [] };
    if (/\/-\/[^/]+\.tgz$/.test(resolved)) return { tool: { kind: 'npm', spec: `${PACKAGE_NAME}@${version}` }, warnings: [] };
    return { tool: { kind: 'npm', spec: resolved }, warnings: [] };
  }
  return undefined;
}

/** 2: a checkout with an origin remote: `git+<url>#<tag at HEAD, else commit>`. */
async function fromCheckout(dir: string): Promise<ToolSource | undefined> {
  const repo = await openRepo(dir);
  if (!repo?.head || (await realpath(repo.top)) !== dir) return undefined;
  const g = git(dir, { idleTimeoutMs: 10_000 });
  const url = await originUrl(g);
  if (!url || !/^(https?|ssh|git):\/\/|^[\w.-]+@[\w.-]+:/.test(url)) return undefined;
  const tag = await tagAtHead(g);
  const https = url.replace(/^git@([\w.-]+):/, 'ssh://git@$1/');
  return { kind: 'npm', spec: `${https.startsWith('git+') ? '' : 'git+'}${https}#${tag || repo.head}` };
}

/** The default of `init --tool`: see the file comment. */
export async function toolOrigin(repoDir: string): Promise<{ tool: ToolSource; warnings: Issue[] }> {
  const { dir, manifest } = await packageRoot();
  const locked = await fromLockfile(dir, repoDir, manifest.version!);
  if (locked) return locked;
  const checkout = await fromCheckout(dir);
  if (checkout) return { tool: checkout, warnings: [] };
  const repository = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
  if (repository) return { tool: { kind: 'npm', spec: `${repository.startsWith('git+') ? '' : 'git+'}${repository}#v${manifest.version}` }, warnings: [] };
  return localPath(dir, repoDir);
}
