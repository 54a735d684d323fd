/**
 * What reaches git from the command line, and file-system errors: branch names git would
 * misread (HEAD, @, -b, invalid refs), a remote or --repo that git would take as an option
 * (`-oProxyCommand=…`, `--upload-pack=…`), init's --default-branch (refused before anything is
 * written), and EACCES / ENOTDIR reported as Issues naming the path, never "internal error".
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git as gitClient } from '../generator/src/git/client.js';
import { PushError, pushCommit } from '../generator/src/git/push.js';
import { cloneTemp } from '../generator/src/git/repo.js';
import { CLI, cli, snapshot, tempDir } from './helpers/repo.js';
import { DEV, fingerprint, git, gitopsRepo, write, type GitopsRepo } from './helpers/gitops-repo.js';

let repo: GitopsRepo | undefined;
let cleanups: (() => void)[] = [];
afterEach(() => {
  repo?.cleanup();
  repo = undefined;
  for (const c of cleanups) c();
  cleanups = [];
});

describe('git arguments', () => {
  it('--branch and --target-branch: HEAD, @, -b and invalid refs are usage errors; nothing changes', async () => {
    repo = await gitopsRepo({ dev: DEV });
    write(repo.work, 'environments/dev/catalog.yaml', DEV.replace('tiny:', 'small:'));
    const before = fingerprint(repo);
    const cases: [string, string, string][] = [
      ['--branch', 'HEAD', 'which git reads as the current commit'],
      ['--branch', '@', 'which git reads as the current commit'],
      ['--branch', '-b', 'starts with "-"'],
      ['--branch', 'a..b', 'holds ".."'],
      ['--branch', 'feature/x.lock', 'ends with ".lock"'],
      ['--branch', 'with space', 'holds a space'],
      ['--branch', 'x@{1}', 'holds "@{"'],
      ['--target-branch', '--force', 'starts with "-"'],
    ];
    const results = await Promise.all(cases.map(([flag, name]) => cli(['commit', '--push', `${flag}=${name}`], repo!.work, { TMPDIR: repo!.tmp })));
    for (const [i, [flag, name, why]] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, `${flag} ${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`${flag} ${JSON.stringify(name)}: `);
      expect(r.stderr).toContain(why);
    }
    expect(fingerprint(repo)).toEqual(before);
  });

  it('a remote or --repo that git would read as an option is refused, and git is never handed one', async () => {
    repo = await gitopsRepo({ dev: DEV });
    write(repo.work, 'environments/dev/catalog.yaml', DEV.replace('tiny:', 'small:'));
    const pwned = join(repo.base, 'PWNED');
    const before = fingerprint(repo);
    const remote = await cli(['commit', '--push', '--remote', `-oProxyCommand=touch ${pwned}`], repo.work, { TMPDIR: repo.tmp });
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('--remote "-oProxyCommand=');
    const other = await cli(['commit', '--push', `--repo=--upload-pack=touch ${pwned}`], repo.work, { TMPDIR: repo.tmp });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--repo "--upload-pack=');
    expect(fingerprint(repo)).toEqual(before);
    // Below the check too: git gets `--` before the remote, so it is a (strange) name, not an option.
    const head = git(repo.work, 'rev-parse', 'HEAD').trim();
    const pushed = await pushCommit(gitClient(repo.work), `-oProxyCommand=touch ${pwned}`, head, 'main').catch((e: unknown) => e);
    expect(pushed).toBeInstanceOf(PushError);
    const cloned = await cloneTemp(`--upload-pack=touch ${pwned}`, undefined, { tmpRoot: repo.tmp }).catch((e: unknown) => e);
    expect(cloned).toBeInstanceOf(Error);
    expect(existsSync(pwned)).toBe(false);
  });

  it('init --default-branch is checked before anything is written', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const bads = ['main\nevil', '-b', 'HEAD', 'a b'];
    const results = await Promise.all(bads.map((bad) => cli(['init', 'repo', '--default-branch', bad], t.dir)));
    for (const r of results) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('--default-branch ');
      expect(existsSync(join(t.dir, 'repo'))).toBe(false);
    }
    mkdirSync(join(t.dir, 'existing'));
    writeFileSync(join(t.dir, 'existing', 'notes.txt'), 'mine\n');
    const r = await cli(['init', 'existing', '--default-branch', 'bad..name'], t.dir);
    expect(r.code).toBe(2);
    expect(readdirSync(join(t.dir, 'existing'))).toEqual(['notes.txt']);
    const ok = await cli(['init', 'repo', '--default-branch', 'trunk'], t.dir);
    expect(ok.code, ok.stderr).toBe(0);
    expect(git(join(t.dir, 'repo'), 'symbolic-ref', '--short', 'HEAD').trim()).toBe('trunk');
  });
});

describe('file-system errors are Issues, not internal errors', () => {
  // Root may write anywhere: the run drops to nobody, as a CI user without write access would be.
  const asUser = (args: string[], cwd: string) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', ...(process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}) });
    return { code: r.status, stderr: r.stderr };
  };
  const tree = () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    chmodSync(t.dir, 0o755);
    write(t.dir, 'environments/dev/catalog.yaml', DEV);
    return t.dir;
  };

  it('EACCES on the tree: names the path and the fix; the tree is as it was', async () => {
    const dir = tree();
    chmodSync(join(dir, 'environments'), 0o555);
    chmodSync(join(dir, 'environments/dev'), 0o555);
    chmodSync(dir, 0o555);
    const before = snapshot(dir);
    const r = asUser(['generate'], dir);
    expect(snapshot(dir)).toEqual(before);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\.llm-gitops\.lock: EACCES: permission denied — make it \(and its folder\) writable/m);
    expect(r.stderr).not.toContain('internal error');
  });

  it('EACCES half-way (an output folder not writable): rolled back, reported with the path', async () => {
    const dir = tree();
    await cli(['generate'], dir);
    write(dir, 'environments/dev/catalog.yaml', DEV.replace('llm-dev', 'llm-dev2'));
    if (process.getuid?.() === 0) chownSync(dir, 65534, 65534); // the root folder is the user's
    chmodSync(join(dir, 'environments/dev'), 0o555); // this one is not
    chmodSync(join(dir, 'environments/dev/catalog.yaml'), 0o644);
    const before = snapshot(dir);
    const r = asUser(['generate'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/environments\/dev\/[^:]*: EACCES: permission denied/);
    expect(r.stderr).not.toContain('internal error');
    expect(snapshot(dir)).toEqual(before);
  });

  it('ENOTDIR and EISDIR (--pr-body-out into a file, onto a folder) name the path', async () => {
    repo = await gitopsRepo({ dev: DEV });
    writeFileSync(join(repo.base, 'afile'), 'x\n');
    for (const [out, code] of [[join(repo.base, 'afile', 'body.md'), 'ENOTDIR'], [repo.base, 'EISDIR']] as const) {
      write(repo.work, 'environments/dev/catalog.yaml', DEV.replace('tiny:', `m${code.toLowerCase()}:`));
      const r = await cli(['commit', '--pr-body-out', out], repo.work, { TMPDIR: repo.tmp });
      expect(r.stderr).toContain(`: ${code}: `);
      expect(r.stderr).not.toContain('internal error');
    }
  });
});
