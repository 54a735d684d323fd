/**
 * Lazy command loading: `cli.ts` imports a command's modules only when that command runs, so
 * `--help` loads commander and nothing heavy, and only `health` loads @kubernetes/client-node.
 * Proven by tracing every module the real CLI process resolves (test/helpers/module-trace*.mjs).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, CLI, PROJECT, repoWith, tempDir } from './helpers/repo.js';
import { write } from './helpers/gitops-repo.js';
import { llmisvcCrd } from './helpers/tiny-crd.js';

const run = promisify(execFile);
const TRACE = join(PROJECT, 'test', 'helpers', 'module-trace.mjs');
const work = tempDir('llm-gitops-startup-');
afterAll(() => work.cleanup());

let n = 0;
/** Every module URL the CLI resolved while running `args` in `cwd`. */
async function modulesLoaded(args: string[], cwd: string, env: Record<string, string> = {}): Promise<string[]> {
  const file = join(work.dir, `trace-${n++}.txt`);
  await run(process.execPath, ['--import', TRACE, CLI, ...args], { cwd, env: { ...process.env, ...env, MODULE_TRACE_FILE: file } }).catch((e: { code?: number }) => {
    if (typeof e.code !== 'number') throw e; // a non-zero exit is fine here: only the loading is asserted
  });
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

/** The packages (node_modules/<name>) the CLI resolved while running `args` in `cwd`. */
async function packagesLoaded(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Set<string>> {
  const urls = await modulesLoaded(args, cwd, env);
  const pkgs = urls.flatMap((u) => {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
    return m ? [m[1]!] : [];
  });
  return new Set(pkgs);
}

/** Does dist hold `name`'s bundle of this very build (npm run build), which the CLI then runs instead of the modules? */
async function bundleOfThisBuild(name: string): Promise<boolean> {
  const bundle = join(PROJECT, 'dist', `${name}.bundle.cjs`);
  const header = existsSync(bundle) ? readFileSync(bundle, 'utf8').split('\n', 1)[0] : '';
  const { fingerprintOf } = await import(pathToFileURL(join(PROJECT, 'dist', 'manifest', 'fingerprint.js')).href);
  const { bundleHeader } = await import(pathToFileURL(join(PROJECT, 'dist', 'bundle', 'load.js')).href);
  return header === bundleHeader(await fingerprintOf(join(PROJECT, 'dist')));
}

/** A CRD of our own for the one custom kind the catalog renders (so validate needs no download). */
const LLMISVC_CRD = llmisvcCrd({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });

const CATALOG = 'namespace: llm-dev\nplatform: { mode: none }\nmodels:\n  opt:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n    router: none\n';

describe('lazy command loading', () => {
  it('--help loads commander only, and of our modules only the option parsers cli.ts names', async () => {
    const urls = await modulesLoaded(['--help'], work.dir);
    const pkgs = new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
    expect([...pkgs]).toEqual(['commander']);
    const dist = `${pathToFileURL(join(PROJECT, 'dist')).href}/`;
    const ours = urls.filter((u) => u.startsWith(dist)).map((u) => u.slice(dist.length));
    expect([...new Set(ours)].sort()).toEqual(['cli.js', 'errors.js', 'health/duration.js', 'validate/output-formats.js']);
  });

  it('generate loads neither the Kubernetes client nor Ajv; health loads the client', async () => {
    const repo = repoWith({ dev: CATALOG });
    try {
      // A fresh cache: no CRDs on this machine, so the admission gate has no CEL rules to load.
      const generate = await packagesLoaded(['generate'], repo.dir, { LLM_GITOPS_CACHE: join(work.dir, 'cold-cache') });
      // The parser and schema come as modules, or inside generate's bundle when it names this build.
      expect(generate.has('yaml') || generate.has('zod')).toBe(!(await bundleOfThisBuild('commands/generate-run')));
      expect(generate.has('@kubernetes/client-node')).toBe(false);
      expect(generate.has('ajv')).toBe(false);
      expect(generate.has('@bufbuild/cel')).toBe(false);
      const health = await packagesLoaded(['health', '--once', '--kubeconfig', join(repo.dir, 'missing-kubeconfig'), '--timeout', '1s'], repo.dir);
      // With a bundle of this very build (npm run build), client-node comes inside it, not as modules.
      expect(health.has('@kubernetes/client-node')).toBe(!(await bundleOfThisBuild('commands/health')));
    } finally {
      repo.cleanup();
    }
  });

  it('an unchanged generate or check (its run manifest in the cache) loads commander only: no parser, renderer or rule', async () => {
    const repo = repoWith({ dev: CATALOG });
    try {
      const cache = { LLM_GITOPS_CACHE: join(work.dir, 'cache') };
      for (const c of ['generate', 'check']) expect((await cli([c], repo.dir, cache)).code).toBe(0); // records the manifests
      expect([...(await packagesLoaded(['generate'], repo.dir, cache))]).toEqual(['commander']);
      expect([...(await packagesLoaded(['check'], repo.dir, cache))]).toEqual(['commander']);
    } finally {
      repo.cleanup();
    }
  });

  it('an unchanged validate (its run manifest in the cache) loads commander only, and a wrong --schema-location fails before anything is read or loaded', async () => {
    const repo = repoWith({ dev: CATALOG });
    try {
      const cache = { LLM_GITOPS_CACHE: join(work.dir, 'cache-validate'), LLM_GITOPS_OFFLINE: '1' };
      write(repo.dir, 'crds/llmisvc.yaml', LLMISVC_CRD);
      const args = ['validate', '--no-default-locations', '--schema-location', 'crds'];
      const first = await cli(args, repo.dir, cache); // records the manifest
      expect(first.stdout).toContain('0 errors');
      expect([...(await packagesLoaded(args, repo.dir, cache))]).toEqual(['commander']);
      const urls = await modulesLoaded(['validate', '--schema-location', 'nowhere'], repo.dir, cache);
      expect(new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []))).toEqual(new Set(['commander']));
      const dist = `${pathToFileURL(join(PROJECT, 'dist')).href}/`;
      expect(urls.filter((u) => u.startsWith(`${dist}manifest/`) || u.startsWith(`${dist}disk/`))).toEqual([]);
    } finally {
      repo.cleanup();
    }
  });
});
