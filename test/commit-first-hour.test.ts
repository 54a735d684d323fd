/**
 * `commit` where a new user first trips: after `vendor` (the vendored files are carried like the
 * catalogs), `--push` after committing by hand (the unpushed commits are pushed, and it says so),
 * `--repo` whose HEAD names a branch without commits (the error names both), and the success
 * lines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cli, KSERVE_SRC } from './helpers/repo.js';
import { DEV, git, gitopsRepo, PROD, write, type GitopsRepo } from './helpers/gitops-repo.js';

let repo: GitopsRepo;
afterEach(() => repo?.cleanup());

describe('commit, the first hour', () => {
  it('after vendor: commits base/vendor with the catalog that needs it, and a clone of the result passes check', async () => {
    repo = await gitopsRepo();
    // Prerequisites installed by hand: this test is about KServe's vendored files only.
    const vendoredSource = 'source: vendored, prerequisites: { cert-manager: external, gateway-api: external, inference-extension: external, gateway: external }';
    write(repo.work, 'environments/dev/catalog.yaml', DEV.replace('source: remote', vendoredSource));
    write(repo.work, 'environments/prod/catalog.yaml', PROD.replace('source: remote', vendoredSource));
    const vendored = await cli(['vendor', '--from', KSERVE_SRC], repo.work);
    expect(vendored.code, vendored.stderr).toBe(0);
    expect((await cli(['generate'], repo.work)).code).toBe(0);

    const r = await cli(['commit'], repo.work);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^committed [0-9a-f]{12} on branch main\n/);
    const files = git(repo.work, 'show', '--name-only', '--format=', 'HEAD').split('\n');
    expect(files).toEqual(expect.arrayContaining(['base/vendor/kserve/v0.20.0/vendor.lock.json', 'base/vendor/kserve/v0.20.0/config/llmisvc/kustomization.yaml', 'environments/dev/catalog.yaml']));
    // The index followed: nothing is left for the user to add by hand.
    expect(git(repo.work, 'status', '--porcelain', '--', 'base/vendor')).toBe('');

    git(repo.base, 'clone', '--quiet', repo.work, 'fresh');
    expect(await cli(['check'], `${repo.base}/fresh`)).toMatchObject({ code: 0, stdout: 'up to date\n' });
  });

  it('--push after a commit made by hand pushes what is committed and not yet pushed, and says so', async () => {
    repo = await gitopsRepo();
    write(repo.work, 'environments/prod/catalog.yaml', PROD.replace('replicas: 3', 'replicas: 4'));
    expect((await cli(['generate'], repo.work)).code).toBe(0);
    git(repo.work, 'commit', '--quiet', '-am', 'qwen: 4 replicas');
    const local = git(repo.work, 'rev-parse', 'HEAD').trim();

    const r = await cli(['commit', '--push'], repo.work);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`nothing new to commit; pushed 1 local commit not yet on the remote (up to ${local.slice(0, 12)}) to origin/main\n`);
    expect(git(repo.remote, 'rev-parse', 'main').trim()).toBe(local);
    expect((await cli(['commit', '--push'], repo.work)).stdout).toBe('nothing to commit: the catalogs and their generated tree are already committed\n');

    // A catalog edit committed by hand without generate: the new commit carries it along.
    write(repo.work, 'environments/prod/catalog.yaml', PROD.replace('replicas: 3', 'replicas: 6'));
    git(repo.work, 'commit', '--quiet', '-am', 'qwen: 6 replicas');
    const both = await cli(['commit', '--push'], repo.work);
    expect(both.stdout).toMatch(/^pushed [0-9a-f]{12} to origin\/main, with 1 local commit that was not pushed yet\n/);
    expect(git(repo.remote, 'show', 'main:environments/prod/models/qwen2-7b-instruct.yaml')).toMatch(/replicas: 6/);
    expect(git(repo.remote, 'rev-parse', 'main').trim()).toBe(git(repo.work, 'rev-parse', 'HEAD').trim());
  });

  it('--repo: a bare repository whose HEAD is master (branches: main) is named with the fix; the success line names branch and repository', async () => {
    repo = await gitopsRepo();
    git(repo.remote, 'symbolic-ref', 'HEAD', 'refs/heads/master');
    write(repo.work, 'environments/prod/catalog.yaml', PROD.replace('replicas: 3', 'replicas: 5'));
    const before = git(repo.remote, 'rev-parse', 'main').trim();

    const r = await cli(['commit', '--repo', repo.remote, '--push'], repo.work);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${repo.remote}: its default branch (HEAD) master has no commits; it has main — pass --target-branch main (or point its HEAD there: git symbolic-ref HEAD refs/heads/main in the bare repository)\n`);
    expect(git(repo.remote, 'rev-parse', 'main').trim()).toBe(before);

    const ok = await cli(['commit', '--repo', repo.remote, '--push', '--target-branch', 'main'], repo.work);
    expect(ok.stdout).toMatch(new RegExp(`^pushed [0-9a-f]{12} to branch main of ${repo.remote.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n`));
  });
});
