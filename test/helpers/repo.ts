/**
 * Test helpers that build real things: temp repositories with catalogs, the built CLI run as a
 * child process, real kubectl kustomize, and the pinned upstream data in ../shared.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { kubectlPath } from '../setup/kubectl-path.js';

const run = promisify(execFile);

export const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = process.env.LLM_GITOPS_SHARED ?? resolve(PROJECT, '..', 'shared');
export const UPSTREAM = join(SHARED, 'upstream');
export const KSERVE_SRC = join(UPSTREAM, 'kserve', 'v0.20.0');
export const CLI = join(PROJECT, 'dist', 'cli.js');
export { kubectlPath };

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `llm-gitops` with `args` in `cwd`. Never throws on a non-zero exit. */
export async function cli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** A fresh temp folder; removed by the returned function. */
export function tempDir(prefix = 'llm-gitops-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A repository folder holding the given catalogs (env name → YAML text). */
export function repoWith(catalogs: Record<string, string>): { dir: string; cleanup: () => void } {
  const t = tempDir();
  for (const [env, text] of Object.entries(catalogs)) {
    mkdirSync(join(t.dir, 'environments', env), { recursive: true });
    writeFileSync(join(t.dir, 'environments', env, 'catalog.yaml'), text);
  }
  return t;
}

/** The project's example catalogs, switched to vendored mode (the only mode a build without network can use). */
export function exampleCatalogs(vendored = true): Record<string, string> {
  const out: Record<string, string> = {};
  for (const env of readdirSync(join(PROJECT, 'environments'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    const text = readFileSync(join(PROJECT, 'environments', env, 'catalog.yaml'), 'utf8');
    out[env] = vendored ? text.replace(/source: remote/, 'source: vendored') : text;
  }
  return out;
}

/** Every file under `dir` → content (relative forward-slash paths). */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p).split(sep).join('/'), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

export function copyTree(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

/** `kubectl kustomize DIR` with the real binary; resolves to the YAML stream. */
export async function kustomize(dir: string): Promise<string> {
  const { stdout } = await run(kubectlPath, ['kustomize', dir], { maxBuffer: 256 << 20, env: { ...process.env, KUBECONFIG: '/dev/null' } });
  return stdout;
}

/** Every kustomization folder the tool generated (vendored upstream excluded), sorted. */
export function kustomizationDirs(root: string): string[] {
  return [...snapshot(root).keys()]
    .filter((p) => p.endsWith('/kustomization.yaml') && !p.startsWith('base/vendor/'))
    .map((p) => p.slice(0, -'/kustomization.yaml'.length))
    .sort();
}

/** A repository with `catalogs`, vendored from ../shared and generated — the state a CI job builds. */
/** The release-manifest prerequisites at the versions KServe v0.20.0 pins, vendored from ../shared. */
export const PREREQUISITE_SOURCES: Record<string, string> = {
  'gateway-api': join(UPSTREAM, 'gateway-api', 'v1.5.1'),
  'inference-extension': join(UPSTREAM, 'gateway-api-inference-extension', 'v1.5.0'),
  leaderworkerset: join(UPSTREAM, 'lws', 'v0.8.0'),
};
export const PREREQUISITE_VENDOR_ARGS = Object.entries(PREREQUISITE_SOURCES).map(([name, from]) => ['vendor', '--prerequisite', name, '--from', from]);

export async function vendoredRepo(catalogs: Record<string, string>): Promise<{ dir: string; cleanup: () => void }> {
  const repo = repoWith(catalogs);
  for (const args of [['vendor', '--from', KSERVE_SRC], ...PREREQUISITE_VENDOR_ARGS, ['generate']]) {
    const r = await cli(args, repo.dir);
    if (r.code !== 0) {
      repo.cleanup();
      throw new Error(`llm-gitops ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
    }
  }
  return repo;
}
