/**
 * `commit --push` against real remotes: a push from elsewhere in between is rebased over and
 * retried (regenerating when the remote changed a catalog); a password-protected remote and
 * a remote that never answers fail in seconds instead of waiting on a prompt.
 */
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { commit } from '../generator/src/commands/commit.js';
import { UserError } from '../generator/src/errors.js';
import { CLI, cli } from './helpers/repo.js';
import { fingerprint, git, gitopsRepo, otherClone, PROD, read, write, type GitopsRepo } from './helpers/gitops-repo.js';

let repo: GitopsRepo;
let server: Server | ReturnType<typeof createTcpServer> | undefined;
afterEach(async () => {
  repo?.cleanup();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

const scaleQwen = (r: GitopsRepo, n: number) => write(r.work, 'environments/prod/catalog.yaml', PROD.replace('replicas: 3', `replicas: ${n}`));

describe('commit --push', () => {
  it('pushes; after a push from elsewhere (an unrelated file) it fetches, rebases, rebuilds and retries', async () => {
    repo = await gitopsRepo();
    const other = otherClone(repo);
    write(other, 'docs/runbook.md', '# runbook\n');
    git(other, 'add', '-A');
    git(other, 'commit', '--quiet', '-m', 'docs: runbook');
    git(other, 'push', '--quiet', 'origin', 'main');
    const theirs = git(other, 'rev-parse', 'HEAD').trim();
    scaleQwen(repo, 5);

    const progress: string[] = [];
    const r = await commit({ root: repo.work, push: true, retryDelayMs: 10, tmpRoot: repo.tmp, onProgress: (m) => progress.push(m) });
    expect(r.pushed).toBe(true);
    expect(r.attempts).toBe(2);
    expect(progress.join('\n')).toContain('push rejected: the remote has new commits — rebuilding on the remote tip, retry 1/3');
    expect(git(repo.remote, 'rev-parse', 'main').trim()).toBe(r.commit);
    expect(git(repo.remote, 'rev-parse', 'main~1').trim()).toBe(theirs);
    expect(git(repo.remote, 'log', '-1', '--format=%s', 'main').trim()).toBe('llm-gitops: prod: qwen2-7b-instruct replicas 3 → 5');
    expect(git(repo.remote, 'show', 'main:environments/prod/models/qwen2-7b-instruct.yaml')).toMatch(/replicas: 5/);
    // The local branch was not moved over commits the working tree does not have; the user is told.
    expect(r.notes.join()).toContain('your branch main was not moved');
    expect(git(repo.work, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  });

  it('regenerates when the remote changed a catalog meanwhile, so the pushed tree matches every catalog', async () => {
    repo = await gitopsRepo();
    const other = otherClone(repo);
    // Someone edits the dev catalog and pushes without generating.
    write(other, 'environments/dev/catalog.yaml', read(other, 'environments/dev/catalog.yaml').replace('namespace: llm-dev', 'namespace: llm-dev-2'));
    git(other, 'commit', '--quiet', '-am', 'dev: rename namespace (not generated)');
    git(other, 'push', '--quiet', 'origin', 'main');
    scaleQwen(repo, 5);

    const r = await commit({ root: repo.work, push: true, retryDelayMs: 10, tmpRoot: repo.tmp });
    expect(r.attempts).toBe(2);
    const fresh = otherClone(repo, 'fresh');
    expect(read(fresh, 'environments/dev/namespace.yaml')).toContain('name: llm-dev-2');
    expect(read(fresh, 'environments/prod/catalog.yaml')).toContain('replicas: 5');
    const check = await cli(['check'], fresh);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
  });

  it('fails cleanly when the remote changed the same catalog lines', async () => {
    repo = await gitopsRepo();
    const other = otherClone(repo);
    write(other, 'environments/prod/catalog.yaml', PROD.replace('replicas: 3', 'replicas: 4'));
    git(other, 'commit', '--quiet', '-am', 'prod: 4 replicas');
    git(other, 'push', '--quiet', 'origin', 'main');
    scaleQwen(repo, 5);
    const remoteBefore = git(repo.remote, 'rev-parse', 'main');
    const before = fingerprint(repo);
    const e = await commit({ root: repo.work, push: true, retryDelayMs: 10, tmpRoot: repo.tmp }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).message).toContain('environments/prod/catalog.yaml: was changed on the target branch too, in the same lines as your edit');
    expect(git(repo.remote, 'rev-parse', 'main')).toBe(remoteBefore);
    expect(fingerprint(repo)).toEqual(before);
  });

  it('fails cleanly when the user’s unpushed commit conflicts with a push from elsewhere, the rebase undone', async () => {
    repo = await gitopsRepo();
    const other = otherClone(repo);
    write(other, 'docs/runbook.md', '# runbook (theirs)\n');
    git(other, 'add', '-A');
    git(other, 'commit', '--quiet', '-m', 'docs: their runbook');
    git(other, 'push', '--quiet', 'origin', 'main');
    // The user committed the same file differently and has not pushed it.
    write(repo.work, 'docs/runbook.md', '# runbook (mine)\n');
    git(repo.work, 'add', '-A');
    git(repo.work, 'commit', '--quiet', '-m', 'docs: my runbook');
    scaleQwen(repo, 5);
    const remoteBefore = git(repo.remote, 'rev-parse', 'main');
    const before = fingerprint(repo);
    const e = await commit({ root: repo.work, push: true, retryDelayMs: 10, tmpRoot: repo.tmp }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).message).toMatch(/^origin\/main: your unpushed commits conflict with new commits there \(.+\) — pull and resolve, then run commit again$/);
    expect(git(repo.remote, 'rev-parse', 'main')).toBe(remoteBefore);
    expect(fingerprint(repo)).toEqual(before);
  });

  it('a password-protected remote fails in seconds with an authentication message, leaving no trace', async () => {
    repo = await gitopsRepo();
    const http = createHttpServer((_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      res.end();
    });
    server = http;
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const url = `http://bot:s3cret-token@127.0.0.1:${(http.address() as AddressInfo).port}/models.git`;
    git(repo.work, 'remote', 'add', 'locked', url);
    scaleQwen(repo, 5);
    const before = fingerprint(repo);

    const started = Date.now();
    const r = await cli(['commit', '--push', '--remote', 'locked'], repo.work, { TMPDIR: repo.tmp });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('push refused: authentication failed');
    expect(r.stderr).not.toContain('s3cret-token');
    expect(fingerprint(repo)).toEqual(before);

    const clone = await cli(['commit', '--push', '--repo', url], repo.work, { TMPDIR: repo.tmp });
    expect(clone.code).toBe(1);
    expect(clone.stderr).toContain('authentication failed');
    expect(clone.stderr).not.toContain('s3cret-token');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('a remote that accepts and never answers is given up at the --timeout deadline', async () => {
    repo = await gitopsRepo();
    const sockets: Socket[] = [];
    const tcp = createTcpServer((s) => sockets.push(s)); // accepts, never answers
    server = tcp;
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    git(repo.work, 'remote', 'add', 'silent', `http://127.0.0.1:${(tcp.address() as AddressInfo).port}/models.git`);
    scaleQwen(repo, 5);
    const before = fingerprint(repo);
    const started = Date.now();
    const r = await cli(['commit', '--push', '--remote', 'silent', '--timeout', '3'], repo.work, { TMPDIR: repo.tmp });
    sockets.forEach((s) => s.destroy());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('gave up after 3 s');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fingerprint(repo)).toEqual(before);

    // Ctrl-C while git waits on that remote: cleaned up and out, like the deadline. A terminal
    // signals the whole foreground process group (git and its transport helper too): so do we.
    // A second silent remote of its own, so that only this run's git can be the connection awaited
    // below (never a late reconnect of the first run's transport helper).
    const quiet: Socket[] = [];
    const tcp2 = createTcpServer((s) => quiet.push(s));
    await new Promise<void>((r) => tcp2.listen(0, '127.0.0.1', () => r()));
    git(repo.work, 'remote', 'add', 'silent2', `http://127.0.0.1:${(tcp2.address() as AddressInfo).port}/models.git`);
    const child = spawn(process.execPath, [CLI, 'commit', '--push', '--remote', 'silent2'], { cwd: repo.work, env: { ...process.env, TMPDIR: repo.tmp }, detached: true });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number>((res) => child.on('close', (code) => res(code ?? -1)));
    // Interrupt once git is connected to the remote (so the CLI is past its start-up and its
    // handler is in place), not after a fixed sleep that a loaded machine outruns.
    for (let waited = 0; quiet.length === 0 && waited < 30_000; waited += 50) await new Promise((res) => setTimeout(res, 50));
    expect(quiet.length, 'git never reached the silent remote').toBeGreaterThan(0);
    const interruptedAt = Date.now();
    process.kill(-child.pid!, 'SIGINT');
    const code = await exited;
    quiet.forEach((s) => s.destroy());
    await new Promise<void>((r) => tcp2.close(() => r()));
    expect(code, stderr).toBe(1);
    expect(Date.now() - interruptedAt).toBeLessThan(5_000);
    expect(stderr).toContain('interrupted');
    git(repo.work, 'remote', 'remove', 'silent2');
    expect(fingerprint(repo)).toEqual(before);
  });
});
