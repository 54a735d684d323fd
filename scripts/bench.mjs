#!/usr/bin/env node
/**
 * `npm run bench`: wall time and peak memory of the CLI on 1,000 models in 10 environments
 * (scripts/bench-catalogs.mjs), median of several runs, each a fresh process as a user runs it.
 * Writes the table between the bench markers in README.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchRepo } from './bench-catalogs.mjs';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(PROJECT, 'dist', 'cli.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** Runs the CLI under /usr/bin/time; returns [seconds, peak RSS MiB]. */
function timed(args, cwd, env = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  const [sec, kb] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return [sec, kb / 1024];
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(label, setup, args, env) {
  const secs = [];
  const mems = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = setup();
    try {
      const [s, m] = timed(args, dir, env);
      secs.push(s);
      mems.push(m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const row = { label, seconds: median(secs), rssMiB: Math.round(median(mems)) };
  console.log(`${label}: ${row.seconds.toFixed(2)} s, ${row.rssMiB} MiB (median of ${RUNS})`);
  return row;
}

const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'llm-gitops-bench-'));
  writeBenchRepo(dir, { envs: 10, models: 100 });
  return dir;
};
let generated;
const prepared = () => {
  if (!generated) {
    generated = fresh();
    timed(['generate'], generated);
  }
  const dir = mkdtempSync(join(tmpdir(), 'llm-gitops-bench-'));
  cpSync(generated, dir, { recursive: true });
  return dir;
};

const rows = [
  measure('generate, 1,000 models / 10 envs, empty tree', fresh, ['generate']),
  measure('generate, same catalogs again (nothing to write)', prepared, ['generate']),
  measure('check, 1,000 models / 10 envs', prepared, ['check']),
];
for (const extra of (await import('./bench-extra.mjs').catch(() => ({ benches: [] }))).benches) {
  rows.push(...(await extra({ measure, prepared, fresh, timed, PROJECT })));
}
if (generated) rmSync(generated, { recursive: true, force: true });

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const node = process.version;
const table = [
  `Measured by \`npm run bench\` on ${cpus().length} × ${cpu}, Node ${node} (median of ${RUNS} fresh processes):`,
  '',
  '| what | wall | peak RSS |',
  '| --- | --- | --- |',
  ...rows.map((r) => `| ${r.label} | ${r.seconds.toFixed(2)} s | ${r.rssMiB === undefined ? '–' : `${r.rssMiB} MiB`} |`),
].join('\n');
const readme = join(PROJECT, 'README.md');
const text = readFileSync(readme, 'utf8');
const start = '<!-- bench:start -->';
const end = '<!-- bench:end -->';
if (text.includes(start) && text.includes(end)) {
  writeFileSync(readme, `${text.slice(0, text.indexOf(start) + start.length)}\n${table}\n${text.slice(text.indexOf(end))}`);
  console.log('README.md updated');
}
void execFileSync;
