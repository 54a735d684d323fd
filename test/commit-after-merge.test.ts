/**
 * The flow after a merged `commit --branch` pull request: the user's working tree still holds the
 * edit and the generated files (commit never writes them), so a plain `git pull` stops; the steps
 * README.md gives (and commit --branch prints) pull the merged commit and leave a clean tree.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, PROJECT } from './helpers/repo.js';
import { git, gitopsRepo, otherClone, read, write, DEV, type GitopsRepo } from './helpers/gitops-repo.js';

let repo: GitopsRepo | undefined;
afterAll(() => repo?.cleanup());

/** The sh block under `<!-- after-merge -->` in README.md. */
function readmeSteps(): string {
  const m = /<!-- after-merge -->\n```sh\n([\s\S]*?)```/.exec(readFileSync(join(PROJECT, 'README.md'), 'utf8'));
  if (!m?.[1]) throw new Error('README.md has no <!-- after-merge --> sh block');
  return m[1];
}

describe('after a merged commit --branch pull request', () => {
  it('git pull stops at the uncommitted copies; the README steps pull the merge and leave a clean tree', async () => {
    repo = await gitopsRepo();
    write(repo.work, 'environments/dev/catalog.yaml', `${DEV}  opt-350m:\n    uri: hf://facebook/opt-350m\n    accelerator: cpu\n    router: direct\n`);
    expect((await cli(['generate'], repo.work)).code).toBe(0);
    write(repo.work, 'notes.txt', 'mine, not part of the pull request\n');
    const r = await cli(['commit', '--branch', 'llm/opt-350m', '--push'], repo.work);
    expect(r.code).toBe(0);
    const steps = readmeSteps();
    expect(r.stderr).toContain(`note: your working tree still holds what llm/opt-350m commits, uncommitted (commit never writes your files); once the pull request is merged, put it aside and pull: ${steps.trim()}\n`);

    // The pull request is merged on the remote (fast-forward, as GitHub's rebase merge).
    const other = otherClone(repo);
    git(other, 'merge', '--quiet', '--ff-only', 'origin/llm/opt-350m');
    git(other, 'push', '--quiet', 'origin', 'main');
    const merged = git(other, 'rev-parse', 'HEAD').trim();

    const plain = spawnSync('git', ['pull', '--quiet'], { cwd: repo.work, encoding: 'utf8' });
    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toContain('untracked working tree files would be overwritten by merge');

    const run = spawnSync('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', steps], { cwd: repo.work, encoding: 'utf8', env: { ...process.env, BASH_ENV: '' } });
    expect(run.stderr).not.toContain('error');
    expect(run.status).toBe(0);
    expect(git(repo.work, 'rev-parse', 'HEAD').trim()).toBe(merged);
    expect(git(repo.work, 'status', '--porcelain', '--untracked-files=all')).toBe('?? notes.txt\n');
    expect(read(repo.work, 'notes.txt')).toBe('mine, not part of the pull request\n');
    expect(git(repo.work, 'stash', 'list')).toBe('');
    expect((await cli(['check'], repo.work)).code).toBe(0);
  });
});
