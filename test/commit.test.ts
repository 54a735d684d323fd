/**
 * `llm-gitops commit` against real git: a bare remote, the user's clone, the built CLI.
 * One commit with the expected files and message, none the second time; the user's checkout
 * untouched; staged unrelated work refused; two runs at once serialised.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commit } from '../generator/src/commands/commit.js';
import { UsageError, UserError } from '../generator/src/errors.js';
import { CLI, cli } from './helpers/repo.js';
import { changedFiles, fingerprint, git, gitopsRepo, PROD, read, write, type GitopsRepo } from './helpers/gitops-repo.js';

let repo: GitopsRepo;
afterEach(() => repo?.cleanup());

const run = (args: string[], r = repo) => cli(args, r.work, { TMPDIR: r.tmp });

/** prod: qwen 3 → 5 replicas; dev: one model more. */
function editCatalogs(r: GitopsRepo): void {
  write(r.work, 'environments/prod/catalog.yaml', PROD.replace('replicas: 3', 'replicas: 5'));
  write(r.work, 'environments/dev/catalog.yaml', `${read(r.work, 'environments/dev/catalog.yaml')}  opt-125m:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n    router: direct\n`);
}

describe('commit', () => {
  it('makes exactly one commit with the catalogs, the generated files and a message from the change; a second run makes none', async () => {
    repo = await gitopsRepo();
    editCatalogs(repo);
    const planned = await run(['generate']);
    expect(planned.code).toBe(0);
    write(repo.work, 'README.md', '# models\nlocal notes\n'); // unrelated, modified, not staged
    write(repo.work, 'scratch.txt', 'untracked\n');
    const generated = planned.stdout.split('\n').flatMap((l) => /^\s+(?:created|updated|removed)\s+(\S+)/.exec(l)?.[1] ?? []);
    const before = git(repo.work, 'rev-parse', 'HEAD').trim();

    const r = await run(['commit']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(git(repo.work, 'rev-list', '--count', `${before}..HEAD`).trim()).toBe('1');
    expect(git(repo.work, 'rev-parse', 'HEAD~1').trim()).toBe(before);
    expect(changedFiles(repo.work)).toEqual(['environments/dev/catalog.yaml', 'environments/prod/catalog.yaml', ...generated].sort());
    expect(generated).toEqual(expect.arrayContaining(['environments/dev/models/opt-125m.yaml', 'environments/prod/models/qwen2-7b-instruct.yaml']));
    const message = git(repo.work, 'log', '-1', '--format=%B');
    expect(message.split('\n')[0]).toBe('llm-gitops: dev: opt-125m added; prod: qwen2-7b-instruct replicas 3 → 5');
    expect(message).toContain('prod:\n- qwen2-7b-instruct replicas 3 → 5');
    expect(r.stdout).toContain('committed');
    // The user's checkout: committed paths clean (as after `git commit -- <paths>`), the rest as it was.
    expect(git(repo.work, 'status', '--porcelain=v1', '--untracked-files=all')).toBe(' M README.md\n?? scratch.txt\n');
    expect(read(repo.work, 'README.md')).toBe('# models\nlocal notes\n');
    expect(git(repo.work, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
    expect(readdirSync(repo.tmp)).toEqual([]);

    const again = await run(['commit']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to commit');
    expect(git(repo.work, 'rev-list', '--count', `${before}..HEAD`).trim()).toBe('1');
  });

  it('commits what generate would write even when the user did not run it, and says the working tree is behind', async () => {
    repo = await gitopsRepo();
    editCatalogs(repo);
    const r = await commit({ root: repo.work, tmpRoot: repo.tmp });
    expect(r.commit).toBeDefined();
    expect(changedFiles(repo.work)).toContain('environments/dev/models/opt-125m.yaml');
    expect(r.notes.join('\n')).toMatch(/^\d+ committed file\(s\) differ in your working tree — run `llm-gitops generate`/);
    // generate then brings the working tree exactly to the commit.
    expect((await run(['generate'])).code).toBe(0);
    expect(git(repo.work, 'status', '--porcelain=v1', '--untracked-files=all')).toBe('');
  });

  it('--branch NAME commits to a new branch and leaves HEAD, index and working tree exactly as they were', async () => {
    repo = await gitopsRepo();
    editCatalogs(repo);
    write(repo.work, 'README.md', '# models\nlocal notes\n');
    git(repo.work, 'add', 'environments/prod/catalog.yaml'); // a staged catalog is fine
    const before = fingerprint(repo);

    const r = await commit({ root: repo.work, tmpRoot: repo.tmp, branch: 'llm/scale-qwen' });
    expect(r.branch).toBe('llm/scale-qwen');
    const after = fingerprint(repo);
    expect({ ...after, refs: undefined }).toEqual({ ...before, refs: undefined });
    expect(git(repo.work, 'rev-parse', 'llm/scale-qwen~1').trim()).toBe(before.head.trim());
    expect(changedFiles(repo.work, 'llm/scale-qwen')).toContain('environments/prod/models/qwen2-7b-instruct.yaml');
  });

  it('refuses when unrelated changes are staged, and changes nothing', async () => {
    repo = await gitopsRepo();
    editCatalogs(repo);
    write(repo.work, 'README.md', '# models\nstaged\n');
    git(repo.work, 'add', 'README.md');
    const before = fingerprint(repo);
    const r = await run(['commit']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('README.md: is staged, but is neither a catalog nor a generated file');
    expect(fingerprint(repo)).toEqual(before);
  });

  it('two runs at once on one repository: one waits for the other, one commit, nothing corrupted', async () => {
    repo = await gitopsRepo();
    editCatalogs(repo);
    const before = git(repo.work, 'rev-parse', 'HEAD').trim();
    const start = () =>
      new Promise<{ code: number; out: string }>((resolve) => {
        const p = spawn(process.execPath, [CLI, 'commit'], { cwd: repo.work, env: { ...process.env, TMPDIR: repo.tmp } });
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        p.stderr.on('data', (d) => (out += d));
        p.on('close', (code) => resolve({ code: code ?? 1, out }));
      });
    const [a, b] = await Promise.all([start(), start()]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const outs = [a.out, b.out].join('\n---\n');
    expect(outs.match(/committed [0-9a-f]{12}/g)).toHaveLength(1);
    expect(outs.match(/nothing to commit/g)).toHaveLength(1);
    expect(git(repo.work, 'rev-list', '--count', `${before}..HEAD`).trim()).toBe('1');
    git(repo.work, 'fsck', '--no-dangling', '--no-progress');
    expect(git(repo.work, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
    expect(readdirSync(join(repo.work, '.git')).filter((f) => f.includes('lock'))).toEqual([]);
    expect(readdirSync(repo.tmp)).toEqual([]);
  });

  it('breaks a lock whose owner died, waits out a live one within its timeout, and removes worktrees a killed run left', async () => {
    repo = await gitopsRepo();
    editCatalogs(repo);
    const lock = join(repo.work, '.git', 'llm-gitops.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname() })); // alive: this test
    const waits: string[] = [];
    const busy = await commit({ root: repo.work, tmpRoot: repo.tmp, lockTimeoutMs: 300, onProgress: (m) => waits.push(m) }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(UserError);
    expect((busy as Error).message).toContain(`another llm-gitops run is running (pid ${process.pid} on ${hostname()}), holding ${lock}`);
    expect(waits[0]).toContain('waiting for another llm-gitops run');
    expect(existsSync(lock)).toBe(true); // never someone else's to remove

    const dead = spawnSync(process.execPath, ['-e', '']).pid; // exited by now
    writeFileSync(lock, JSON.stringify({ pid: dead, host: hostname() }));
    const left = join(repo.tmp, 'llm-gitops-killed', 'tree');
    mkdirSync(join(repo.tmp, 'llm-gitops-killed'));
    git(repo.work, 'worktree', 'add', '--detach', '--quiet', left, 'HEAD');
    const r = await commit({ root: repo.work, tmpRoot: repo.tmp, onProgress: (m) => waits.push(m) });
    expect(r.commit).toBeDefined();
    expect(existsSync(lock)).toBe(false);
    expect(waits.join('\n')).toContain(`removed the worktree an interrupted run left at ${left}`);
    expect(git(repo.work, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
    expect(readdirSync(repo.tmp)).toEqual([]);
  });

  it('uses --message-template and writes the --pr-body-out; a broken template fails before committing', async () => {
    repo = await gitopsRepo();
    editCatalogs(repo);
    write(repo.base, 'msg.hbs', '{{subject}}\n\n{{#each changes}}* {{text}}\n{{/each}}');
    const r = await run(['commit', '--message-template', join(repo.base, 'msg.hbs'), '--pr-body-out', join(repo.base, 'pr.md')]);
    expect(r.code).toBe(0);
    expect(git(repo.work, 'log', '-1', '--format=%B').trim()).toBe(
      'llm-gitops: dev: opt-125m added; prod: qwen2-7b-instruct replicas 3 → 5\n\n* dev: opt-125m added\n* prod: qwen2-7b-instruct replicas 3 → 5',
    );
    const body = read(repo.base, 'pr.md');
    expect(body).toContain('### prod\n\n- qwen2-7b-instruct replicas 3 → 5');
    expect(body).toContain('`environments/dev/models/opt-125m.yaml` created');

    write(repo.work, 'environments/prod/catalog.yaml', PROD.replace('replicas: 3', 'replicas: 7'));
    write(repo.base, 'bad.hbs', '{{subject}} {{#each changes}}{{nope}}{{/each}}');
    const before = fingerprint(repo);
    const bad = await run(['commit', '--message-template', join(repo.base, 'bad.hbs')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.hbs: cannot render the template: "nope" not defined/);
    expect(fingerprint(repo)).toEqual(before);
  });

  it('--repo PATH --push commits the catalogs and their tree to another repository, leaving the user\'s alone', async () => {
    repo = await gitopsRepo();
    const deploy = join(repo.base, 'deploy.git');
    git(repo.base, 'init', '--quiet', '--bare', '--initial-branch=main', deploy);
    const seed = join(repo.base, 'seed');
    git(repo.base, 'clone', '--quiet', deploy, seed);
    write(seed, 'README.md', '# deployment\n');
    git(seed, 'checkout', '--quiet', '-b', 'main');
    git(seed, 'add', '-A');
    git(seed, 'commit', '--quiet', '-m', 'seed');
    git(seed, 'push', '--quiet', 'origin', 'main');
    const first = await commit({ root: repo.work, tmpRoot: repo.tmp, repo: deploy, push: true });
    expect(first.pushed).toBe(true);
    expect(git(deploy, 'log', '-1', '--format=%s', 'main').trim()).toBe('llm-gitops: dev (new): 1 model added; prod (new): 2 models added');
    editCatalogs(repo);
    const before = fingerprint(repo);

    const r = await commit({ root: repo.work, tmpRoot: repo.tmp, repo: deploy, push: true });
    expect(r.pushed).toBe(true);
    expect(fingerprint(repo)).toEqual(before);
    const files = git(deploy, 'ls-tree', '-r', '--name-only', 'main').split('\n');
    expect(files).toEqual(expect.arrayContaining(['README.md', 'environments/prod/catalog.yaml', 'environments/dev/models/opt-125m.yaml', 'overlays/addons/v0.20.0/kustomization.yaml']));
    expect(git(deploy, 'show', 'main:environments/prod/catalog.yaml')).toContain('replicas: 5');
    expect(git(deploy, 'log', '-1', '--format=%s', 'main').trim()).toBe('llm-gitops: dev: opt-125m added; prod: qwen2-7b-instruct replicas 3 → 5');

    // Without --push the commit would be thrown away with the clone: a usage error (exit 2).
    await expect(commit({ root: repo.work, repo: deploy })).rejects.toBeInstanceOf(UsageError);
  });
});
