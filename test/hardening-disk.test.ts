/**
 * Attacks on the tool's writes, as a hostile pull request would make them: a committed or
 * hand-made recovery journal, symbolic links where generated output goes (in the user's tree
 * and in commit's scratch worktree). Each asserts that nothing outside the repository changed
 * (a snapshot of a folder beside it), that the tree is exactly as before, and that the run
 * ends with a clear Issue — never an internal error, never a wedge of later runs.
 */
import { existsSync, mkdirSync, readlinkSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generate } from '../generator/src/commands/generate.js';
import { check } from '../generator/src/commands/check.js';
import { commit } from '../generator/src/commands/commit.js';
import { UserError } from '../generator/src/errors.js';
import { cli, snapshot, tempDir } from './helpers/repo.js';
import { DEV, git, gitopsRepo, type GitopsRepo } from './helpers/gitops-repo.js';

const JOURNAL = '.llm-gitops-journal.json';
let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

/** A temp folder with `repo/` (one generated environment) and `outside/` (files that must never change). */
async function setup(): Promise<{ repo: string; outside: string }> {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const [repo, outside] = [join(t.dir, 'repo'), join(t.dir, 'outside')];
  mkdirSync(join(repo, 'environments', 'dev'), { recursive: true });
  writeFileSync(join(repo, 'environments', 'dev', 'catalog.yaml'), DEV);
  mkdirSync(join(outside, 'deep'), { recursive: true });
  writeFileSync(join(outside, 'victim.txt'), 'hand-written, outside the repository\n');
  writeFileSync(join(outside, 'deep', 'kustomization.yaml'), 'not yours\n');
  await generate({ root: repo, envs: [], dryRun: false });
  return { repo, outside };
}

const entry = (target: string) => ({ target, op: 'update' });
const v3 = (entries: unknown[], dirs: unknown[] = []) => JSON.stringify({ version: 3, id: '0123abcd', committed: false, entries, dirs });

/** Journals a hostile tester planted; none may be obeyed. */
const HOSTILE: Record<string, string> = {
  'the old format with ../ paths': JSON.stringify({ entries: [{ target: '../outside/victim.txt', backup: 'environments/dev/catalog.yaml' }], createdDirs: ['../outside/deep'] }),
  'a target with 30 ../': v3([entry(`${'../'.repeat(30)}tmp/victim.txt`)]),
  'a target up and back in': v3([entry('environments/../../outside/victim.txt')]),
  'an absolute target': v3([entry('/tmp/victim.txt')]),
  'a git hook': v3([entry('.git/hooks/pre-commit')]),
  'a hook below an owned folder': v3([entry('environments/.git/hooks/pre-commit')]),
  'a file outside the owned folders': v3([entry('Makefile')]),
  'a folder it does not own': v3([entry('environments/dev/models/x.yaml')], ['../outside/deep']),
  'a backslash path': v3([entry('environments\\..\\..\\outside\\victim.txt')]),
  'an unknown key (tmp of its own)': JSON.stringify({ version: 3, id: '0123abcd', committed: false, entries: [{ target: 'base/x.yaml', op: 'update', tmp: '../outside/victim.txt' }], dirs: [] }),
  'an id that is a path': JSON.stringify({ version: 3, id: '../../x', committed: false, entries: [entry('base/x.yaml')], dirs: [] }),
  empty: '',
  truncated: v3([entry('base/x.yaml')]).slice(0, 40),
  'JSON null': 'null',
  'a list': '[]',
};

describe('a recovery journal is untrusted input', () => {
  for (const [name, text] of Object.entries(HOSTILE)) {
    it(`refuses ${name}: nothing outside or inside changes, and removing it unblocks generate`, async () => {
      const { repo, outside } = await setup();
      writeFileSync(join(repo, JOURNAL), text);
      const [inside, out] = [snapshot(repo), snapshot(outside)];
      const err = await generate({ root: repo, envs: [], dryRun: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).issues[0]!.message).toMatch(/nothing was changed/);
      expect(snapshot(repo)).toEqual(inside);
      expect(snapshot(outside)).toEqual(out);
      const c = await check(repo, []);
      expect(c.stale.map((i) => i.file)).toContain(JOURNAL);
      rmSync(join(repo, JOURNAL));
      await generate({ root: repo, envs: [], dryRun: false });
      expect((await check(repo, [])).stale).toEqual([]);
    });
  }

  it('refuses a journal whose target passes through a symlink out of the root', async () => {
    const { repo, outside } = await setup();
    symlinkSync(outside, join(repo, 'environments', 'dev', 'linked'));
    writeFileSync(join(outside, '.victim.txt.llm-gitops-0123abcd.bak'), 'attacker content\n');
    writeFileSync(join(repo, JOURNAL), v3([entry('environments/dev/linked/victim.txt')]));
    const out = snapshot(outside);
    const r = await cli(['generate'], repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('environments/dev/linked: is named by .llm-gitops-journal.json, but it is a symbolic link');
    expect(r.stderr).not.toContain('internal error');
    expect(snapshot(outside)).toEqual(out);
  });

  it('a committed journal is never obeyed: generate and check say to remove it from git', async () => {
    const { repo, outside } = await setup();
    git(repo, 'init', '--quiet');
    // Well-formed and inside the root, but committed: still refused (it came from someone else).
    writeFileSync(join(repo, JOURNAL), v3([{ target: 'environments/dev/kustomization.yaml', op: 'create' }]));
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'evil');
    const [inside, out] = [snapshot(repo), snapshot(outside)];
    const g = await cli(['generate'], repo);
    expect(g.code).toBe(1);
    expect(g.stderr).toContain(`${JOURNAL}: is committed to git`);
    const c = await cli(['check'], repo);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain(`${JOURNAL}: is committed to git`);
    expect(c.stderr).not.toContain('run `llm-gitops generate` to');
    expect(snapshot(repo)).toEqual(inside);
    expect(snapshot(outside)).toEqual(out);
  });
});

describe('a stage folder left at the root is untrusted input', () => {
  const STAGE = `${JOURNAL}.0123abcd.stage`;
  const TEMP = `${'ab'.repeat(16)}.tmp`;
  const HOSTILE_STAGES: Record<string, (repo: string, outside: string) => string> = {
    'a stage that is a symbolic link out of the root': (repo, outside) => (symlinkSync(join(outside, 'deep'), join(repo, STAGE)), STAGE),
    'a stage that is a file': (repo) => (writeFileSync(join(repo, STAGE), 'x\n'), STAGE),
    'a temp that is a symbolic link': (repo, outside) => (mkdirSync(join(repo, STAGE)), symlinkSync(join(outside, 'victim.txt'), join(repo, STAGE, TEMP)), `${STAGE}/${TEMP}`),
    'a folder in the stage': (repo) => (mkdirSync(join(repo, STAGE, TEMP), { recursive: true }), `${STAGE}/${TEMP}`),
    'a file not named like a temp': (repo) => (mkdirSync(join(repo, STAGE)), writeFileSync(join(repo, STAGE, 'notes.txt'), 'mine\n'), `${STAGE}/notes.txt`),
  };
  for (const [name, plant] of Object.entries(HOSTILE_STAGES)) {
    it(`refuses ${name}: nothing outside or inside changes, and removing it unblocks generate`, async () => {
      const { repo, outside } = await setup();
      writeFileSync(join(repo, 'environments/dev/catalog.yaml'), DEV.replace('tiny:', 'small:')); // a run with writes to do
      const named = plant(repo, outside);
      const [inside, out] = [snapshot(repo), snapshot(outside)];
      const err = await generate({ root: repo, envs: [], dryRun: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).issues.map((i) => i.file)).toEqual([named]);
      expect((err as UserError).issues[0]!.message).toMatch(/so it is not a stage llm-gitops left — nothing was changed/);
      expect(snapshot(repo)).toEqual(inside);
      expect(snapshot(outside)).toEqual(out);
      rmSync(join(repo, STAGE), { recursive: true });
      await generate({ root: repo, envs: [], dryRun: false });
      expect((await check(repo, [])).stale).toEqual([]);
      expect(existsSync(join(outside, 'victim.txt'))).toBe(true);
    });
  }
});

describe('commit never recovers a journal in its scratch worktree', () => {
  let r: GitopsRepo;
  afterEach(() => r?.cleanup());

  it('a committed journal "restoring" a git hook is refused, no hook runs, nothing is pushed', async () => {
    r = await gitopsRepo({ dev: DEV });
    const helper = 'environments/dev/.pre-commit.llm-gitops-0123abcd.bak';
    writeFileSync(join(r.work, helper), `#!/bin/sh\ntouch ${join(r.base, 'PWNED')}\n`, { mode: 0o755 });
    writeFileSync(join(r.work, JOURNAL), v3([{ target: '.git/hooks/pre-commit', op: 'update' }]));
    git(r.work, 'add', '-A');
    git(r.work, 'commit', '--quiet', '-m', 'evil journal');
    git(r.work, 'push', '--quiet');
    writeFileSync(join(r.work, 'environments/dev/catalog.yaml'), DEV.replace('tiny:', 'small:'));
    const remoteBefore = git(r.remote, 'rev-parse', 'main');
    const err = await commit({ root: r.work, push: true, tmpRoot: r.tmp }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/\.llm-gitops-journal\.json: is here: an interrupted run/);
    expect(existsSync(join(r.base, 'PWNED'))).toBe(false);
    expect(git(r.remote, 'rev-parse', 'main')).toBe(remoteBefore);
  });

  it('a committed symlink where output goes is a conflict in the scratch worktree; nothing outside is written', async () => {
    r = await gitopsRepo({ dev: DEV });
    const outside = join(r.base, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep.txt'), 'mine\n');
    rmSync(join(r.work, 'environments/dev/models'), { recursive: true });
    symlinkSync(outside, join(r.work, 'environments/dev/models'));
    git(r.work, 'add', '-A');
    git(r.work, 'commit', '--quiet', '-m', 'link models out');
    writeFileSync(join(r.work, 'environments/dev/catalog.yaml'), DEV.replace('tiny:', 'small:'));
    const out = snapshot(outside);
    const err = await commit({ root: r.work, tmpRoot: r.tmp }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain('environments/dev/models: is a symbolic link where llm-gitops writes generated files');
    expect(snapshot(outside)).toEqual(out);
  });
});

describe('symbolic links where generated output goes', () => {
  it('a linked output folder is a conflict: generate writes nothing, outside or in', async () => {
    const { repo, outside } = await setup();
    rmSync(join(repo, 'environments/dev/models'), { recursive: true });
    symlinkSync(outside, join(repo, 'environments/dev/models'));
    const [inside, out] = [snapshot(repo), snapshot(outside)];
    const r = await cli(['generate'], repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('environments/dev/models: is a symbolic link where llm-gitops writes generated files — replace it with a real folder');
    expect(r.stdout).not.toContain('created');
    expect(snapshot(repo)).toEqual(inside);
    expect(snapshot(outside)).toEqual(out);
    const c = await cli(['check'], repo);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('environments/dev/models: is a symbolic link');
  });

  it('a linked owned top folder (base/) is a conflict too', async () => {
    const { repo, outside } = await setup();
    rmSync(join(repo, 'base'), { recursive: true });
    symlinkSync(outside, join(repo, 'base'));
    const out = snapshot(outside);
    const r = await cli(['generate'], repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('base: is a symbolic link');
    expect(snapshot(outside)).toEqual(out);
  });

  it('a generated file replaced by a link is a conflict, the link and its target stay', async () => {
    const { repo, outside } = await setup();
    const file = join(repo, 'environments/dev/kustomization.yaml');
    rmSync(file);
    symlinkSync(join(outside, 'deep', 'kustomization.yaml'), file);
    const out = snapshot(outside);
    const r = await cli(['generate'], repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('environments/dev/kustomization.yaml: is a symbolic link where llm-gitops writes a generated file');
    expect(readlinkSync(file)).toBe(join(outside, 'deep', 'kustomization.yaml'));
    expect(snapshot(outside)).toEqual(out);
  });

  it('a linked catalog is refused, not read', async () => {
    const { repo } = await setup();
    const cat = join(repo, 'environments/dev/catalog.yaml');
    rmSync(cat);
    writeFileSync(join(repo, '..', 'outside', 'catalog.yaml'), DEV);
    symlinkSync(join(repo, '..', 'outside', 'catalog.yaml'), cat);
    const r = await cli(['generate'], repo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('environments/dev/catalog.yaml: is a symbolic link or not a regular file');
  });
});

describe('big files in owned folders are never read whole', () => {
  const BIG = 600 << 20; // sparse: instant to make, and over V8's largest string
  const big = (path: string, head = '') => {
    writeFileSync(path, head);
    truncateSync(path, BIG);
  };

  it('a 600 MB hand-written file beside generated ones is left alone; on a generated path it is a conflict', async () => {
    const { repo } = await setup();
    big(join(repo, 'environments/dev/models/dataset.bin'));
    const g = await cli(['generate'], repo);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout).toContain('up to date');
    expect((await cli(['check'], repo)).code).toBe(0);
    expect(statSync(join(repo, 'environments/dev/models/dataset.bin')).size).toBe(BIG);

    big(join(repo, 'environments/dev/kustomization.yaml'));
    const c = await cli(['generate'], repo);
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('environments/dev/kustomization.yaml: is a hand-written file');
    expect(c.stderr).not.toContain('internal error');
  });

  it('a 600 MB file with the generated header is replaced (on a rendered path) or removed (elsewhere)', async () => {
    const { repo } = await setup();
    const header = '# Generated by llm-gitops from the catalogs. DO NOT EDIT.\n';
    big(join(repo, 'environments/dev/kustomization.yaml'), header);
    big(join(repo, 'environments/dev/models/old.yaml'), header);
    const g = await cli(['generate'], repo);
    expect(g.code, g.stderr).toBe(0);
    expect(g.stdout).toMatch(/updated\s+environments\/dev\/kustomization\.yaml/);
    expect(g.stdout).toMatch(/removed\s+environments\/dev\/models\/old\.yaml/);
    expect(statSync(join(repo, 'environments/dev/kustomization.yaml')).size).toBeLessThan(10_000);
    expect((await cli(['check'], repo)).code).toBe(0);
  });
});
