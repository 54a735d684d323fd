/**
 * Real git fixtures for the git-facing commands: a bare "remote", a clone holding generated
 * catalogs, a second clone to race it, and a fingerprint of everything a failed run must not
 * change (HEAD, refs, worktrees, index, status, files, the remote's refs).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { generate } from '../../generator/src/commands/generate.js';
import { tempDir } from './repo.js';

export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.invalid',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.invalid',
};

/** Runs git synchronously in `cwd`; returns stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV, GIT_TERMINAL_PROMPT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export const DEV = `namespace: llm-dev
platform: { mode: standalone, kserve: v0.20.0, source: remote }
defaults: { resources: { cpu: "1", memory: 4Gi } }
models:
  tiny:
    uri: hf://facebook/opt-125m
    accelerator: cpu
    router: direct
`;

export const PROD = `namespace: llm-prod
platform: { mode: addons, kserve: v0.20.0, source: remote }
defaults: { resources: { cpu: "4", memory: 32Gi } }
models:
  qwen2-7b-instruct:
    uri: hf://Qwen/Qwen2.5-7B-Instruct
    gpus: 1
    replicas: 3
  llama:
    uri: hf://meta-llama/Llama-3.1-8B-Instruct
    gpus: 1
`;

export function write(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

export function read(dir: string, path: string): string {
  return readFileSync(join(dir, path), 'utf8');
}

export interface GitopsRepo {
  /** The temp folder holding everything. */
  readonly base: string;
  /** The bare remote. */
  readonly remote: string;
  /** The user's clone: catalogs, generated tree and a README, committed and pushed. */
  readonly work: string;
  /** A private TMPDIR for the tool, to prove it leaves no scratch folder behind. */
  readonly tmp: string;
  cleanup(): void;
}

/** A bare remote and a clone of it with dev + prod catalogs, generated, committed, pushed. */
export async function gitopsRepo(catalogs: Record<string, string> = { dev: DEV, prod: PROD }): Promise<GitopsRepo> {
  const t = tempDir('llm-gitops-git-');
  const [remote, work, tmp] = ['remote.git', 'work', 'tmp'].map((d) => join(t.dir, d)) as [string, string, string];
  mkdirSync(tmp);
  git(t.dir, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
  git(t.dir, 'clone', '--quiet', remote, work);
  git(work, 'checkout', '--quiet', '-b', 'main');
  for (const [env, text] of Object.entries(catalogs)) write(work, `environments/${env}/catalog.yaml`, text);
  write(work, 'README.md', '# models\n');
  await generate({ root: work, envs: [], dryRun: false });
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', 'init');
  git(work, 'push', '--quiet', '-u', 'origin', 'main');
  return { base: t.dir, remote, work, tmp, cleanup: t.cleanup };
}

/** Another clone of the remote (someone else pushing). */
export function otherClone(r: GitopsRepo, name = 'other'): string {
  const dir = join(r.base, name);
  git(r.base, 'clone', '--quiet', r.remote, dir);
  return dir;
}

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name === '.git') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p).split(sep).join('/')] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** Everything a run that fails must leave exactly as it was. */
export function fingerprint(r: GitopsRepo): Record<string, unknown> {
  return {
    head: git(r.work, 'rev-parse', 'HEAD'),
    symbolic: git(r.work, 'symbolic-ref', 'HEAD'),
    refs: git(r.work, 'for-each-ref', '--format=%(refname) %(objectname)'),
    worktrees: git(r.work, 'worktree', 'list', '--porcelain'),
    index: git(r.work, 'ls-files', '--stage'),
    status: git(r.work, 'status', '--porcelain=v1', '--untracked-files=all'),
    files: files(r.work),
    remote: git(r.remote, 'for-each-ref', '--format=%(refname) %(objectname)'),
    lock: readdirSync(join(r.work, '.git')).filter((f) => f.includes('lock')),
    worktreeAdmin: readdirSync(join(r.work, '.git')).includes('worktrees') ? readdirSync(join(r.work, '.git', 'worktrees')) : [],
    tmp: readdirSync(r.tmp),
  };
}

/** Files changed by a commit. */
export function changedFiles(dir: string, rev = 'HEAD'): string[] {
  return git(dir, 'diff-tree', '--no-commit-id', '--name-only', '-r', rev).split('\n').filter(Boolean).sort();
}
