/**
 * Crash at every step: `generate` is SIGKILLed right after its 1st, 2nd, … N-th file-system
 * change (the LLM_GITOPS_CRASH_AT hook), and after recovery the tree must be byte-equal to the
 * old tree or to the new one — old before the commit record, new after it, never a mix.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../generator/src/commands/generate.js';
import { recover } from '../generator/src/disk/transaction.js';
import { CLI, snapshot, tempDir } from './helpers/repo.js';
import { DEV } from './helpers/gitops-repo.js';

const CATALOG = 'environments/dev/catalog.yaml';
// The new catalog drops a model (deletes) and adds two (creates); the files listing the models
// change (updates). Kept small: one process per step.
const NEW = `${DEV.replace('tiny:', 'small:')}  other:\n    uri: hf://facebook/opt-350m\n    accelerator: cpu\n    router: direct\n`;

let t: { dir: string; cleanup: () => void };
let oldTree: Map<string, string>;
let newTree: Map<string, string>;

beforeAll(async () => {
  t = tempDir();
  const old = join(t.dir, 'old');
  mkdirSync(join(old, 'environments', 'dev'), { recursive: true });
  writeFileSync(join(old, CATALOG), DEV);
  await generate({ root: old, envs: [], dryRun: false });
  writeFileSync(join(old, CATALOG), NEW); // the run to crash starts here
  oldTree = snapshot(old);
  const fresh = join(t.dir, 'new');
  cpSync(old, fresh, { recursive: true });
  await generate({ root: fresh, envs: [], dryRun: false });
  newTree = snapshot(fresh);
});
afterAll(() => t?.cleanup());

/** Runs generate in a copy of the old tree, killed after step `k`; resolves to whether it was killed. */
function crashAt(k: number): Promise<{ dir: string; killed: boolean }> {
  const dir = join(t.dir, `k${k}`);
  cpSync(join(t.dir, 'old'), dir, { recursive: true });
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [CLI, 'generate'], { cwd: dir, env: { ...process.env, LLM_GITOPS_CRASH_AT: String(k) }, stdio: 'ignore' });
    child.on('error', rej);
    child.on('close', (code, signal) => (signal === 'SIGKILL' ? res({ dir, killed: true }) : code === 0 ? res({ dir, killed: false }) : rej(new Error(`step ${k}: exit ${code}`))));
  });
}

describe('a crash at every step of the transaction', () => {
  it('recovers to exactly the old tree before the commit record and exactly the new one after it', async () => {
    expect(newTree).not.toEqual(oldTree);
    const outcomes: ('old' | 'new')[] = [];
    let steps = 0;
    for (let k = 1, done = false; !done; k += 2) {
      // Two at a time (each is its own process and folder).
      for (const r of await Promise.all([crashAt(k), crashAt(k + 1)])) {
        if (!r.killed) {
          done = true;
          expect(snapshot(r.dir)).toEqual(newTree); // past the last step: a normal run
          continue;
        }
        expect(snapshot(r.dir)).not.toEqual(snapshot(join(t.dir, 'old'))); // it did something
        // The killed run's lock is stale (its pid is dead): the next run would break it.
        expect(existsSync(join(r.dir, '.llm-gitops.lock'))).toBe(true);
        rmSync(join(r.dir, '.llm-gitops.lock'));
        await recover(r.dir);
        expect(readdirSync(r.dir).filter((n) => n.startsWith('.llm-gitops-journal'))).toEqual([]); // no journal, staged journal or stage folder
        const after = snapshot(r.dir);
        const which = JSON.stringify([...after]) === JSON.stringify([...oldTree]) ? 'old' : 'new';
        expect(after).toEqual(which === 'old' ? oldTree : newTree);
        if (!done) outcomes.push(which);
        steps = k;
      }
      expect(k).toBeLessThan(400);
    }
    // Old up to the commit record, new from there on: one switch, never back.
    const firstNew = outcomes.indexOf('new');
    expect(firstNew).toBeGreaterThan(5);
    expect(outcomes.slice(0, firstNew).every((o) => o === 'old')).toBe(true);
    expect(outcomes.slice(firstNew).every((o) => o === 'new')).toBe(true);
    expect(outcomes.length - firstNew).toBeGreaterThan(2); // cleanup steps after the commit point were killed too
    expect(steps).toBeGreaterThan(10);
  });
});
