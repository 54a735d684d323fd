/**
 * Lazy command loading: `cli.ts` imports a command's modules only when that command runs, so
 * `--help` loads commander and nothing heavy, and only `health` loads @kubernetes/client-node.
 * Proven by tracing every module the real CLI process resolves (test/helpers/module-trace*.mjs).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, CLI, PROJECT, repoWith, tempDir } from './helpers/repo.js';

const run = promisify(execFile);
const TRACE = join(PROJECT, 'test', 'helpers', 'module-trace.mjs');
const work = tempDir('llm-gitops-startup-');
afterAll(() => work.cleanup());

let n = 0;
/** The packages (node_modules/<name>) the CLI resolved while running `args` in `cwd`. */
async function packagesLoaded(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Set<string>> {
  const file = join(work.dir, `trace-${n++}.txt`);
  await run(process.execPath, ['--import', TRACE, CLI, ...args], { cwd, env: { ...process.env, ...env, MODULE_TRACE_FILE: file } }).catch((e: { code?: number }) => {
    if (typeof e.code !== 'number') throw e; // a non-zero exit is fine here: only the loading is asserted
  });
  const urls = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const pkgs = urls.flatMap((u) => {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
    return m ? [m[1]!] : [];
  });
  return new Set(pkgs);
}

const CATALOG = 'namespace: llm-dev\nplatform: { mode: none }\nmodels:\n  opt:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n    router: none\n';

describe('lazy command loading', () => {
  it('--help loads commander only', async () => {
    const pkgs = await packagesLoaded(['--help'], work.dir);
    expect([...pkgs]).toEqual(['commander']);
  });

  it('generate loads neither the Kubernetes client nor Ajv; health loads the client', async () => {
    const repo = repoWith({ dev: CATALOG });
    try {
      const generate = await packagesLoaded(['generate'], repo.dir);
      expect(generate.has('yaml') || generate.has('zod')).toBe(true);
      expect(generate.has('@kubernetes/client-node')).toBe(false);
      expect(generate.has('ajv')).toBe(false);
      const health = await packagesLoaded(['health', '--once', '--kubeconfig', join(repo.dir, 'missing-kubeconfig'), '--timeout', '1s'], repo.dir);
      expect(health.has('@kubernetes/client-node')).toBe(true);
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
});
