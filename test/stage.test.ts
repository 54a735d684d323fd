/**
 * The stage (disk/stage.ts): generate writes each environment's temps while it still renders,
 * in a worker thread. A run that fails after staging started leaves the tree exactly as it was
 * and no stage behind; the worker writes the exact bytes and reports errors as the thread would.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generate } from '../generator/src/commands/generate.js';
import { Stage, stageDir } from '../generator/src/disk/stage.js';
import { inWorker } from '../generator/src/disk/stage-writer.js';
import { realFs } from '../generator/src/disk/transaction.js';
import { CLI, repoWith, snapshot, tempDir } from './helpers/repo.js';
import { DEV, PROD } from './helpers/gitops-repo.js';

let cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});

const left = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.llm-gitops-journal'));

/**
 * dev and prod generated once; then dev edited (files to write) and prod broken by `breakProd`.
 * The failing run is the CLI: a stage not discarded would also leave its writer thread running,
 * and the process would not end (killed after 20 s).
 */
async function failingRun(breakProd: (dir: string) => void, says: string): Promise<void> {
  const t = repoWith({ dev: DEV, prod: PROD });
  cleanups.push(t.cleanup);
  await generate({ root: t.dir, envs: [], dryRun: false });
  writeFileSync(join(t.dir, 'environments/dev/catalog.yaml'), DEV.replace('tiny:', 'small:'));
  breakProd(t.dir);
  const before = snapshot(t.dir);
  const r = spawnSync(process.execPath, [CLI, 'generate'], { cwd: t.dir, encoding: 'utf8', timeout: 20_000 });
  expect(r.signal).toBeNull();
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(says);
  expect(snapshot(t.dir)).toEqual(before);
  expect(left(t.dir)).toEqual([]);
}

describe('a run that fails after staging started leaves no stage', () => {
  // dev (loaded first) is rendered and staged before prod's problem is found.
  it('a conflict found when planning (a hand-written file where a generated one goes)', () =>
    failingRun((dir) => writeFileSync(join(dir, 'environments/prod/kustomization.yaml'), 'hand-written\n'), 'environments/prod/kustomization.yaml: is a hand-written file'));
  it('an error in a later catalog', () =>
    failingRun((dir) => writeFileSync(join(dir, 'environments/prod/catalog.yaml'), PROD.replace('namespace: llm-prod', 'namespace: Not_A_Label')), 'environments/prod/catalog.yaml'));
});

describe('the worker thread that writes temps', () => {
  it('writes the exact bytes, refuses an existing temp with its code, and the stage is removed on discard', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const stage = new Stage(t.dir, inWorker(realFs));
    const text = 'ünïcødé ✓ 🚀\n'.repeat(1000);
    stage.put('environments/a/x.yaml', text);
    stage.put('environments/a/y.yaml', 'y\n');
    await stage.settle();
    expect(readFileSync(join(t.dir, stage.temp('environments/a/x.yaml')), 'utf8')).toBe(text);
    expect(readdirSync(join(t.dir, stageDir(stage.id))).length).toBe(2);
    // A temp that is already there is never overwritten (opened exclusively): the error comes back.
    const again = new Stage(t.dir, inWorker(realFs));
    mkdirSync(join(t.dir, stageDir(again.id)));
    await expect(again.settle()).resolves.toBeUndefined();
    again.put('environments/a/z.yaml', 'z\n');
    await expect(again.settle()).rejects.toMatchObject({ code: 'EEXIST', syscall: 'mkdir' });
    await again.discard();
    await stage.discard();
    expect(readdirSync(t.dir)).toEqual([]);
  });
});
