/**
 * A failure at any step of `commit` leaves the repository as it was: HEAD, branches, refs,
 * worktrees, index, working tree, the remote and the scratch folder. Faults are injected
 * through the pipeline's step hook, between real git operations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commit, type CommitStep } from '../generator/src/commands/commit.js';
import { fingerprint, gitopsRepo, PROD, write, type GitopsRepo } from './helpers/gitops-repo.js';

class Injected extends Error {}

const PIPELINE: CommitStep[] = ['lock', 'worktree', 'catalogs', 'generate', 'check', 'stage', 'commit'];

let repo: GitopsRepo;
beforeAll(async () => {
  repo = await gitopsRepo();
  write(repo.work, 'environments/prod/catalog.yaml', PROD.replace('replicas: 3', 'replicas: 5'));
  write(repo.work, 'README.md', '# models\nlocal notes\n');
});
afterAll(() => repo?.cleanup());

async function failAt(step: CommitStep, extra: { branch?: string; push?: boolean } = {}): Promise<void> {
  const seen: CommitStep[] = [];
  const run = commit({
    root: repo.work,
    tmpRoot: repo.tmp,
    ...extra,
    afterStep: (s) => {
      seen.push(s);
      if (s === step) throw new Injected(`injected after ${s}`);
    },
  });
  await expect(run).rejects.toBeInstanceOf(Injected);
  expect(seen.at(-1)).toBe(step);
}

describe('commit: a failure between steps leaves no trace', () => {
  it.each([...PIPELINE, 'branch'] as CommitStep[])('on the current branch, after %s', async (step) => {
    const before = fingerprint(repo);
    await failAt(step);
    expect(fingerprint(repo)).toEqual(before);
  });

  it.each(['commit', 'branch'] as CommitStep[])('on a new --branch, after %s', async (step) => {
    const before = fingerprint(repo);
    await failAt(step, { branch: 'llm/injected' });
    expect(fingerprint(repo)).toEqual(before);
  });

  it.each(['stage', 'commit'] as CommitStep[])('with --push, after %s (before the push): the remote is untouched too', async (step) => {
    const before = fingerprint(repo);
    await failAt(step, { push: true });
    expect(fingerprint(repo)).toEqual(before);
  });

  it('and the same run without a fault then succeeds', async () => {
    const r = await commit({ root: repo.work, tmpRoot: repo.tmp });
    expect(r.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(r.subject).toBe('llm-gitops: prod: qwen2-7b-instruct replicas 3 → 5');
  });
});
