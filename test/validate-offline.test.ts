/**
 * `validate` with no flags on a machine without network (issue 8 item 6): `vendor --crds` puts
 * the pinned CRDs the default locations would download into the cache, from a local folder
 * (../shared/upstream here); `LLM_GITOPS_OFFLINE=1` makes any download an error, so a pass
 * proves none happened. Extra `--schema-location` values add to the defaults
 * (`--no-default-locations` drops them).
 */
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256 } from '../generator/src/validate/cache.js';
import { cli, repoWith, tempDir, UPSTREAM } from './helpers/repo.js';

const ARGO_APP = 'https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/crds/application-crd.yaml';
const ARGO_DIR = join(UPSTREAM, 'argo-cd', 'v3.5.1', 'manifests', 'crds');
/** No KServe install and no models: Argo CD Applications (and Flux objects) only, so the runs stay fast. */
const catalog = (engine: 'argocd' | 'flux') => `namespace: llm-mini\nplatform:\n  mode: none\ndelivery:\n  engine: ${engine}\n  repoURL: https://git.example.com/org/models.git\nmodels: {}\n`;

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

async function setup(engine: 'argocd' | 'flux') {
  const repo = repoWith({ mini: catalog(engine) });
  const cache = tempDir('llm-gitops-cache-');
  cleanups.push(repo.cleanup, cache.cleanup);
  expect((await cli(['generate'], repo.dir)).code).toBe(0);
  return { repo: repo.dir, cache: cache.dir, env: { LLM_GITOPS_CACHE: cache.dir, LLM_GITOPS_OFFLINE: '1' } };
}

describe('validate offline', () => {
  it('without the CRDs on the machine, names the missing CRD and the vendor command; --schema-location adds to the defaults; after `vendor --crds <folder>`, passes with no flags and no download', async () => {
    const { repo, cache, env } = await setup('argocd');
    // The five runs below only read the tree (each a separate process; the one that compiles has its
    // own cache): run at once, each checked as before.
    const GATEWAY_DIR = join(UPSTREAM, 'gateway-api', 'v1.5.1', 'config', 'crd', 'standard');
    // (The last run's own cache, so that the validators compiled there do not make the run after vendor warm.)
    const aside = tempDir('llm-gitops-cache-');
    cleanups.push(aside.cleanup);
    const [before, other, only, defaultOnly, added] = await Promise.all([
      cli(['validate'], repo, env),
      cli(['validate', '--schema-location', GATEWAY_DIR], repo, env),
      cli(['validate', '--no-default-locations', '--schema-location', GATEWAY_DIR], repo, env),
      cli(['validate', '--no-default-locations', '--schema-location', 'default'], repo, env),
      cli(['validate', '--schema-location', ARGO_DIR], repo, { ...env, LLM_GITOPS_CACHE: aside.dir }),
    ]);
    expect(before!.code).toBe(1);
    expect(before!.stdout).toContain(`Application/mini-models: error: the CRD of Application argoproj.io/v1alpha1 is not on this machine: ${ARGO_APP} is not in the cache`);
    expect(before!.stdout).toContain('run `llm-gitops vendor --crds <folder>`');

    // --schema-location adds to the defaults, given ones first: a folder without the Application CRD
    // leaves the pinned URL to be tried after it (and say what is missing) ...
    expect(other!.code).toBe(1);
    expect(other!.stdout).toContain('the CRD of Application argoproj.io/v1alpha1 is not on this machine');
    // ... unless --no-default-locations drops the defaults.
    expect(only!.code).toBe(1);
    expect(only!.stdout).toMatch(/Application\/mini-models: error: no schema for Application argoproj\.io\/v1alpha1 in \S+standard or the built-in Kubernetes kinds/);
    expect(defaultOnly!.code).toBe(2);
    // A given folder with the Application CRD wins: nothing falls through to the (uncached) pinned URL.
    expect(added!.code, added!.stdout).toBe(0);
    expect(existsSync(join(aside.dir, 'http'))).toBe(false);

    const vendored = await cli(['vendor', '--crds', UPSTREAM], repo, env);
    expect(vendored.stderr).toBe('');
    expect(vendored.code).toBe(0);
    // Only what the tree needs: Applications, not ApplicationSets, AppProjects or Flux kinds.
    expect(vendored.stdout).toBe(`CRDs for validate in ${cache}: \n  ${ARGO_APP} (from ${join(ARGO_DIR, 'application-crd.yaml')})\n`);
    expect(readFileSync(join(cache, 'http', sha256(ARGO_APP)), 'utf8')).toBe(readFileSync(join(ARGO_DIR, 'application-crd.yaml'), 'utf8'));

    const after = await cli(['validate', '--timings'], repo, env);
    expect(after.code, after.stdout + after.stderr).toBe(0);
    expect(after.stdout).toMatch(/^[1-9]\d* valid, 0 invalid, 0 errors, \d+ skipped\n/);
    // vendor compiled the validators too: the first validate after it is warm.
    expect(after.stderr).toMatch(/"compiled":0,"loaded":[1-9]/);
    // A second vendor finds it cached and changes nothing.
    expect((await cli(['vendor', '--crds', UPSTREAM], repo, env)).stdout).toContain(`${ARGO_APP} (already cached)`);
  });

  it('vendor --crds from a folder lacking a needed CRD names it and writes nothing; without network and no folder it says why', async () => {
    const { repo, cache, env } = await setup('flux');
    const partial = tempDir();
    cleanups.push(partial.cleanup);
    cpSync(join(UPSTREAM, 'kustomize-controller'), join(partial.dir, 'kustomize-controller'), { recursive: true });
    const r = await cli(['vendor', '--crds', partial.dir], repo, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${partial.dir}: no source.toolkit.fluxcd.io_gitrepositories.yaml (the GitRepository source.toolkit.fluxcd.io CRD, https://raw.githubusercontent.com/fluxcd/source-controller/v1.9.1/config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml) in this folder`);
    expect(existsSync(join(cache, 'http'))).toBe(false);

    // A file of the right name that is not the CRD is refused too.
    mkdirSync(join(partial.dir, 'source-controller'));
    cpSync(join(ARGO_DIR, 'application-crd.yaml'), join(partial.dir, 'source-controller', 'source.toolkit.fluxcd.io_gitrepositories.yaml'));
    const wrong = await cli(['vendor', '--crds', partial.dir], repo, env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('source.toolkit.fluxcd.io_gitrepositories.yaml: defines no GitRepository source.toolkit.fluxcd.io CRD');
    expect(existsSync(join(cache, 'http'))).toBe(false);

    // Two different files matching equally well: which is meant would be a guess.
    const GIT_REPOS = 'source.toolkit.fluxcd.io_gitrepositories.yaml';
    mkdirSync(join(partial.dir, 'other'));
    cpSync(join(UPSTREAM, 'source-controller', 'v1.9.1', 'config', 'crd', 'bases', GIT_REPOS), join(partial.dir, 'other', GIT_REPOS));
    const tied = await cli(['vendor', '--crds', partial.dir], repo, env);
    expect(tied.code).toBe(1);
    expect(tied.stderr).toContain(`${join(partial.dir, 'other', GIT_REPOS)} and ${join(partial.dir, 'source-controller', GIT_REPOS)} differ and match`);
    expect(existsSync(join(cache, 'http'))).toBe(false);

    const online = await cli(['vendor', '--crds'], repo, env);
    expect(online.code).toBe(1);
    expect(online.stderr).toContain('LLM_GITOPS_OFFLINE forbids downloading it');
    expect((await cli(['vendor'], repo, env)).code).toBe(2);
  });
  it('vendor --crds without a folder downloads them (here from LLM_GITOPS_CRD_MIRROR, a local server), checked before they are stored', async () => {
    const { repo, cache, env } = await setup('flux');
    // Serves ../shared/upstream as raw.githubusercontent.com would: /<owner>/<project>/<tag>/<path> → <project>/<tag>/<path>.
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(req.url!);
      const file = join(UPSTREAM, ...req.url!.split('/').filter(Boolean).slice(1));
      if (!req.url!.includes('..') && existsSync(file)) res.end(readFileSync(file));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const online = { LLM_GITOPS_CACHE: cache, LLM_GITOPS_CRD_MIRROR: mirror };
      const r = await cli(['vendor', '--crds'], repo, online);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('https://raw.githubusercontent.com/fluxcd/kustomize-controller/v1.9.4/config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml (downloaded)');
      expect(r.stdout).toContain('https://raw.githubusercontent.com/fluxcd/source-controller/v1.9.1/config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml (downloaded)');
      expect(asked).toContain('/fluxcd/kustomize-controller/v1.9.4/config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml');
      const validated = await cli(['validate'], repo, env);
      expect(validated.code, validated.stdout + validated.stderr).toBe(0);

      // A mirror without the file: nothing stored, the cause named.
      const empty = tempDir('llm-gitops-cache-');
      cleanups.push(empty.cleanup);
      const missing = await cli(['vendor', '--crds'], repo, { ...online, LLM_GITOPS_CACHE: empty.dir, LLM_GITOPS_CRD_MIRROR: `${mirror}/nowhere` });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(`source.toolkit.fluxcd.io_gitrepositories.yaml (from the mirror: ${mirror}/nowhere/fluxcd/source-controller/v1.9.1/config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml): 404 Not Found`);
      expect(existsSync(join(empty.dir, 'http'))).toBe(false);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
