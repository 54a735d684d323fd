/**
 * `commit` carries the organisation library (environments/library.yaml) with the catalogs and
 * the tree generated from both, against real git (a bare remote, the user's clone, a second
 * clone pushing meanwhile): a new library file is committed and pushed with the models that use
 * it; a library edited on the remote in other lines is merged three-way; in the same lines it is
 * refused with the fix, and nothing of the user's is lost.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commit } from '../generator/src/commands/commit.js';
import { generate } from '../generator/src/commands/generate.js';
import { UserError } from '../generator/src/errors.js';
import { changedFiles, fingerprint, git, gitopsRepo, otherClone, PROD, read, write, type GitopsRepo } from './helpers/gitops-repo.js';

let repo: GitopsRepo;
afterEach(() => repo?.cleanup());

const LIB = 'environments/library.yaml';
const entry = (id: string, maxLen: string) => `  ${id}:
    source: https://huggingface.co/example-org/${id}
    uri: hf://example-org/${id}
    params: 7
    dtype: bf16
    maxContext: 32768
    args: [--max-model-len, "${maxLen}"]
    gpus: { h100: 1 }
`;
const library = (a: string, b: string) => `models:\n${entry('house-a', a)}${entry('house-b', b)}`;
/** prod with a model on each org entry (h100 profile: the count comes from the entry). */
const prodUsing = `${PROD.replace('models:\n', 'profiles:\n  h100: { accelerator: nvidia }\nmodels:\n')}  a: { use: house-a, profile: h100 }\n  b: { use: house-b, profile: h100 }\n`;

const args = (dir: string, rev: string, model: string) => /"--max-model-len"\n\s+- "(\d+)"/.exec(git(dir, 'show', `${rev}:environments/prod/models/${model}.yaml`))?.[1];

describe('commit carries environments/library.yaml', () => {
  it('commits and pushes a new library file with the catalog using it and the tree built from both', async () => {
    repo = await gitopsRepo();
    write(repo.work, LIB, library('8192', '8192'));
    write(repo.work, 'environments/prod/catalog.yaml', prodUsing);

    const r = await commit({ root: repo.work, push: true, retryDelayMs: 10, tmpRoot: repo.tmp });
    expect(r.pushed).toBe(true);
    expect(changedFiles(repo.remote, 'main')).toEqual(expect.arrayContaining([LIB, 'environments/prod/catalog.yaml', 'environments/prod/models/a.yaml', 'environments/prod/models/b.yaml']));
    expect(git(repo.remote, 'show', `main:${LIB}`)).toBe(library('8192', '8192'));
    expect(args(repo.remote, 'main', 'a')).toBe('8192');
    // The user's checkout: the library is committed like the catalogs (clean), a second run has nothing to do.
    expect(git(repo.work, 'status', '--porcelain=v1', '--', LIB)).toBe('');
    const again = await commit({ root: repo.work, push: true, retryDelayMs: 10, tmpRoot: repo.tmp });
    expect(again.commit).toBeUndefined();
  });

  it('merges a library edited on the remote in other lines; refuses the same lines with the fix, changing nothing', async () => {
    repo = await gitopsRepo();
    write(repo.work, LIB, library('8192', '8192'));
    write(repo.work, 'environments/prod/catalog.yaml', prodUsing);
    await generate({ root: repo.work, envs: [], dryRun: false });
    git(repo.work, 'add', '-A');
    git(repo.work, 'commit', '--quiet', '-m', 'org library');
    git(repo.work, 'push', '--quiet', 'origin', 'main');

    // Someone else raises house-b's context and pushes (library only, no generate).
    const other = otherClone(repo);
    write(other, LIB, library('8192', '16384'));
    git(other, 'commit', '--quiet', '-am', 'house-b: 16k');
    git(other, 'push', '--quiet', 'origin', 'main');
    // The user raises house-a's, uncommitted.
    write(repo.work, LIB, library('4096', '8192'));

    const r = await commit({ root: repo.work, push: true, retryDelayMs: 10, tmpRoot: repo.tmp });
    expect(r.pushed).toBe(true);
    expect(r.attempts).toBe(2);
    expect(git(repo.remote, 'show', `main:${LIB}`)).toBe(library('4096', '16384'));
    // The pushed tree is generated from the merged library: both edits are in it.
    expect([args(repo.remote, 'main', 'a'), args(repo.remote, 'main', 'b')]).toEqual(['4096', '16384']);

    // Now both edit house-a's line: a conflict, at the library file, and nothing changed.
    git(repo.work, 'fetch', '--quiet');
    git(repo.work, 'reset', '--quiet', '--hard', 'origin/main');
    git(other, 'pull', '--quiet', '--ff-only');
    write(other, LIB, library('2048', '16384'));
    git(other, 'commit', '--quiet', '-am', 'house-a: 2k');
    git(other, 'push', '--quiet', 'origin', 'main');
    write(repo.work, LIB, library('1024', '16384'));
    const before = fingerprint(repo);
    const err = await commit({ root: repo.work, push: true, retryDelayMs: 10, tmpRoot: repo.tmp }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).issues.map((i) => `${i.file}: ${i.message}`)).toEqual([`${LIB}: was changed on the target branch too, in the same lines as your edit — pull, resolve, and run commit again`]);
    expect(fingerprint(repo)).toEqual(before);
    expect(read(repo.work, LIB)).toBe(library('1024', '16384'));
  });

  it('--repo PATH --push: the user’s library replaces the other repository’s, and its tree is built from it', async () => {
    repo = await gitopsRepo();
    const deploy = join(repo.base, 'deploy.git');
    git(repo.base, 'init', '--quiet', '--bare', '--initial-branch=main', deploy);
    const seed = join(repo.base, 'seed');
    git(repo.base, 'clone', '--quiet', deploy, seed);
    git(seed, 'checkout', '--quiet', '-b', 'main');
    write(seed, LIB, library('8192', '8192'));
    git(seed, 'add', '-A');
    git(seed, 'commit', '--quiet', '-m', 'their library');
    git(seed, 'push', '--quiet', 'origin', 'main');
    write(repo.work, LIB, library('4096', '8192'));
    write(repo.work, 'environments/prod/catalog.yaml', prodUsing);

    const r = await commit({ root: repo.work, tmpRoot: repo.tmp, repo: deploy, push: true });
    expect(r.pushed).toBe(true);
    expect(git(deploy, 'show', `main:${LIB}`)).toBe(library('4096', '8192'));
    expect(args(deploy, 'main', 'a')).toBe('4096');
  });
});
