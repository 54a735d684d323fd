/**
 * Several `generate` on one tree at once: the tree lock serialises them, so every round ends
 * byte-equal to a single full generate and no run dies. A busy lock with --lock-timeout 0
 * fails at once naming the holder; a stale lock (its process is dead) is taken over.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../generator/src/commands/generate.js';
import { CLI, cli, snapshot, tempDir } from './helpers/repo.js';
import { DEV } from './helpers/gitops-repo.js';

const models = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `  m${i + from}:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n    router: direct\n`).join('');
const CATALOGS = [
  { dev: `${DEV}${models(15)}`, prod: `${DEV.replace('llm-dev', 'llm-prod')}${models(15, 100)}` },
  { dev: `${DEV}${models(8, 50)}`, prod: `${DEV.replace('llm-dev', 'llm-prod')}${models(20, 200)}` },
];

let t: { dir: string; cleanup: () => void };
const expected: Map<string, string>[] = [];

function writeCatalogs(dir: string, v: number): void {
  for (const [env, text] of Object.entries(CATALOGS[v]!)) {
    mkdirSync(join(dir, 'environments', env), { recursive: true });
    writeFileSync(join(dir, 'environments', env, 'catalog.yaml'), text);
  }
}

beforeAll(async () => {
  t = tempDir();
  for (const v of [0, 1]) {
    const d = join(t.dir, `ref${v}`);
    writeCatalogs(d, v);
    await generate({ root: d, envs: [], dryRun: false });
    expected.push(snapshot(d));
  }
});
afterAll(() => t?.cleanup());

function run(dir: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, 'generate'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code, stderr }));
  });
}

describe('generate runs at once on one tree', () => {
  it('three at once, round after round, end byte-equal to one full generate', async () => {
    const dir = join(t.dir, 'race');
    cpSync(join(t.dir, 'ref0'), dir, { recursive: true });
    for (let round = 0; round < 6; round++) {
      const v = (round + 1) % 2;
      writeCatalogs(dir, v); // each round switches catalogs: many creates, updates, deletes to race on
      const runs = await Promise.all([run(dir), run(dir), run(dir)]);
      for (const r of runs) {
        expect(r.stderr).not.toContain('internal error');
        expect(r.code, r.stderr).toBe(0);
      }
      expect(snapshot(dir)).toEqual(expected[v]);
    }
  });

  it('with --lock-timeout 0 a busy tree fails at once naming the holder; a dead holder is taken over', async () => {
    const dir = join(t.dir, 'busy');
    cpSync(join(t.dir, 'ref0'), dir, { recursive: true });
    const lock = join(dir, '.llm-gitops.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), command: 'generate' })); // alive: this test
    const busy = await cli(['generate', '--lock-timeout', '0'], dir);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`another llm-gitops generate is running (pid ${process.pid} on ${hostname()})`);
    expect(existsSync(lock)).toBe(true); // never someone else's to remove

    const dead = spawnSync(process.execPath, ['-e', '']).pid; // exited by now
    writeFileSync(lock, JSON.stringify({ pid: dead, host: hostname(), command: 'generate' }));
    writeCatalogs(dir, 1);
    const ok = await cli(['generate', '--lock-timeout', '0'], dir);
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
    rmSync(lock, { force: true });
    expect(snapshot(dir)).toEqual(expected[1]);
  });

  it('a lock committed to git is refused at once, not waited for', async () => {
    const dir = join(t.dir, 'committed');
    cpSync(join(t.dir, 'ref0'), dir, { recursive: true });
    writeFileSync(join(dir, '.llm-gitops.lock'), JSON.stringify({ pid: process.pid, host: hostname(), command: 'generate' }));
    spawnSync('git', ['init', '--quiet'], { cwd: dir });
    spawnSync('git', ['add', '-A'], { cwd: dir });
    const started = Date.now();
    const r = await cli(['generate'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('.llm-gitops.lock: is committed to git, but a lock is never committed');
    expect(Date.now() - started).toBeLessThan(30_000); // not the 60 s lock timeout
  });
});
