#!/usr/bin/env node
/**
 * The scale figures of issue 12, each beside a floor measured in the same run on the same files:
 * - generate into an empty tree  vs  a plain durable write of the same files (temp file + fsync + rename, 64 at a time),
 *   run in alternation (each generate run beside a floor run on the same disk, the pairs taking turns at which
 *   runs first) and compared pair by pair
 * - generate / check on an unchanged tree  vs  reading that tree (a node process reading every file, 64 at a time)
 * - validate, warm cache (objects/s of the whole run), and its validate stage alone (the same runs'
 *   --timings: wall and CPU after rendering)  vs  the compiled Ajv validators alone on the same objects in memory
 * - the first validate after `vendor`; start-up (`--help`, validate and generate on a small tree)  vs  `node -e 0`
 * - 5,000 models in one environment: `kubectl kustomize` of every shard (default 32 shards)
 * at 1,000 and 10,000 models (10 environments). Wall time and peak RSS from /usr/bin/time, CPU
 * (user+sys) beside it because the machine may be shared; `uptime` is recorded with the table.
 *
 * Standalone: `node scripts/bench-scale.mjs` (after `npm run build`) prints the rows; BENCH_SIZES
 * (default "1000,10000"), BENCH_RUNS (default 3; 1 at 10k), BENCH_VALIDATE_RUNS (default 5: the validate rows' runs, never fewer than BENCH_RUNS), BENCH_COLD_RUNS (default 6: the cold-generate row's pairs of a floor run and a generate run, taking turns at going first, never fewer than BENCH_RUNS) and BENCH_SHARD_MODELS (default 5000; 0 leaves that row out).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchCatalog, writeBenchRepo } from './bench-catalogs.mjs';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(PROJECT, 'dist', 'cli.js');
/** What `llm-gitops` runs (package.json `bin`): the start-up rows measure it. */
const BIN = join(PROJECT, JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8')).bin['llm-gitops']);
const UPSTREAM = join(process.env.LLM_GITOPS_SHARED ?? resolve(PROJECT, '..', 'shared'), 'upstream');
const KSERVE_SRC = join(UPSTREAM, 'kserve', 'v0.20.0');
const DELIVERY_CRDS = [join(UPSTREAM, 'gateway-api', 'v1.5.1', 'config', 'crd', 'standard'), join(UPSTREAM, 'argo-cd', 'v3.5.1', 'manifests', 'crds'), join(UPSTREAM, 'kustomize-controller', 'v1.9.4', 'config', 'crd'), join(UPSTREAM, 'source-controller', 'v1.9.1', 'config', 'crd')];
const LOCATIONS = [join(KSERVE_SRC, 'config', 'crd', 'full', 'llmisvc'), ...DELIVERY_CRDS];
const locationArgs = (locs) => locs.flatMap((l) => ['--schema-location', l]);
const KUBECTL = join(PROJECT, 'node_modules', '.cache', 'kubectl-v34-2.2.2', 'kubectl');

/** Runs `argv` under /usr/bin/time: seconds, peak RSS MiB, CPU seconds, stdout, stderr. */
function run(argv, cwd, env = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', ...argv], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
  const lines = r.stderr.trim().split('\n');
  const [sec, kb, user, sys] = lines.pop().split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}):\n${r.stdout.slice(-1500)}${lines.join('\n').slice(-1500)}`);
  return { seconds: sec, rssMiB: Math.round(kb / 1024), cpu: user + sys, stdout: r.stdout, stderr: lines.join('\n') };
}
const cli = (args, cwd, env) => run([process.execPath, CLI, ...args], cwd, env);
const bin = (args, cwd, env) => run([process.execPath, BIN, ...args], cwd, env);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const tmp = (p) => mkdtempSync(join(tmpdir(), `llm-gitops-bench-${p}-`));

/** Median of `runs` measurements (each `fn()` → run result). */
function repeat(runs, fn) {
  const rs = Array.from({ length: runs }, fn);
  return { seconds: median(rs.map((r) => r.seconds)), rssMiB: median(rs.map((r) => r.rssMiB)), cpu: median(rs.map((r) => r.cpu)), last: rs[rs.length - 1], all: rs };
}

/** A node process that writes (durably) or reads every file of `dir`: the floors. */
const FLOOR = `
import { mkdir, open, readdir, readFile, rename } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
const [mode, from, to] = process.argv.slice(2);
const files = (await readdir(from, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));
const pool = async (items, fn) => { let i = 0; await Promise.all(Array.from({ length: 64 }, async () => { while (i < items.length) await fn(items[i++]); })); };
if (mode === 'read') { let n = 0; await pool(files, async (f) => { n += (await readFile(f, 'utf8')).length; }); }
else {
  const texts = await Promise.all(files.map((f) => readFile(f)));
  const t0 = performance.now();
  const dirs = [...new Set(files.map((f) => dirname(join(to, relative(from, f)))))];
  for (const d of dirs) await mkdir(d, { recursive: true });
  await pool(files.map((f, i) => [join(to, relative(from, f)), texts[i]]), async ([path, data]) => {
    const tmp = path + '.tmp'; const fh = await open(tmp, 'w'); await fh.writeFile(data); await fh.sync(); await fh.close(); await rename(tmp, path);
  });
  console.log(((performance.now() - t0) / 1000).toFixed(3));
}`;
const floorScript = join(tmpdir(), `llm-gitops-bench-floor-${process.pid}.mjs`);

/** Compiled Ajv validators alone on the rendered objects in memory: objects/s (the validate floor). */
async function ajvFloor(repoDir, cacheDir) {
  const dist = (p) => import(pathToFileURL(join(PROJECT, 'dist', p)).href);
  const [{ loadRepository }, { renderTree }, { DiskCache }, { SchemaCompiler }, { SchemaStore }] = await Promise.all([
    dist('catalog/repository.js'), dist('render/tree.js'), dist('validate/cache.js'), dist('validate/compile.js'), dist('validate/schema-store.js'),
  ]);
  const envs = readdirSync(join(repoDir, 'environments'));
  const loaded = loadRepository(envs.map((env) => ({ env, file: `environments/${env}/catalog.yaml`, text: readFileSync(join(repoDir, 'environments', env, 'catalog.yaml'), 'utf8') })));
  const objects = renderTree(loaded.value).flatMap((f) => f.objects ?? []).filter((o) => o && !String(o.apiVersion).startsWith('kustomize.config.k8s.io/'));
  const cache = new DiskCache(cacheDir);
  const store = new SchemaStore(LOCATIONS.map((path) => ({ type: 'path', path })), cache);
  const compiler = new SchemaCompiler(cache);
  const fns = new Map();
  const checked = [];
  for (const o of objects) {
    const id = `${o.apiVersion}|${o.kind}`;
    if (!fns.has(id)) {
      const hit = (await store.lookup(o.apiVersion, o.kind)).found;
      fns.set(id, hit ? await compiler.get(hit.schema, hit.key) : undefined);
    }
    if (fns.get(id)) checked.push([fns.get(id), o]);
  }
  for (const [fn, o] of checked.slice(0, 500)) fn(o); // JIT warm-up, as a long validate run has
  const t0 = performance.now();
  for (const [fn, o] of checked) fn(o);
  const s = (performance.now() - t0) / 1000;
  return { objects: checked.length, perSecond: checked.length / s };
}

const fmt = (s) => `${s.toFixed(2)} s`;
const k = (n) => (n >= 1000 ? `${(n / 1000).toFixed(n % 1000 ? 1 : 0)}k` : String(n));
const timingsOf = (stderr) => JSON.parse(/timings: (.*)/.exec(stderr)[1]);

export async function scaleBench() {
  writeFileSync(floorScript, FLOOR);
  const rows = [];
  const add = (label, r, floor, note = '') => {
    rows.push({ label, seconds: r.seconds, rssMiB: r.rssMiB, cpu: r.cpu, floor, note });
    console.log(`${label}: ${fmt(r.seconds)} (cpu ${r.cpu.toFixed(2)} s), ${r.rssMiB} MiB | floor: ${floor}${note ? ` | ${note}` : ''}`);
  };
  try {
    // Start-up.
    const empty = tmp('empty');
    const small = tmp('small');
    writeBenchRepo(small, { envs: 1, models: 10 });
    const smallCache = tmp('small-cache');
    try {
      const node0 = repeat(5, () => run([process.execPath, '-e', '0'], empty));
      add('`--help`', repeat(5, () => bin(['--help'], empty)), `\`node -e 0\` ${fmt(node0.seconds)}`);
      bin(['generate'], small);
      add('generate, unchanged small tree (10 models)', repeat(5, () => bin(['generate'], small)), `\`node -e 0\` ${fmt(node0.seconds)}`);
      bin(['validate', ...locationArgs(LOCATIONS)], small, { LLM_GITOPS_CACHE: smallCache });
      // A real catalog edit before each run (model-0000's replicas, a value no earlier run saw): the run manifest misses, every stage runs, as in a pull request's CI.
      const catalog = join(small, 'environments', 'env0', 'catalog.yaml');
      const original = readFileSync(catalog, 'utf8');
      let edits = 0;
      const v = repeat(7, () => {
        const edited = original.replace(/(model-0000: \{[^}\n]*replicas: )\d+/, (_, head) => `${head}${10 + ++edits}`);
        if (edited === original) throw new Error('bench: the small catalog has no model-0000 replicas to edit');
        writeFileSync(catalog, edited);
        return bin(['validate', ...locationArgs(LOCATIONS)], small, { LLM_GITOPS_CACHE: smallCache });
      });
      writeFileSync(catalog, original);
      if (!v.last.stdout.includes(' valid, 0 invalid, 0 errors')) throw new Error(`validate after an edit: ${v.last.stdout}`);
      const [, valid, skipped] = /(\d+) valid, 0 invalid, 0 errors(?:, (\d+) skipped)?/.exec(v.last.stdout) ?? [];
      const objects = Number(valid) + Number(skipped ?? 0);
      add(`validate, warm cache, small tree (${objects} objects), after a catalog edit`, v, `\`node -e 0\` ${fmt(node0.seconds)}`, 'a catalog edit before each run: the run manifest misses, every stage runs');
      // The same validate again without --timings: its run manifest replays the verdicts (a read and a hash).
      const hit = repeat(5, () => bin(['validate', ...locationArgs(LOCATIONS)], small, { LLM_GITOPS_CACHE: smallCache }));
      if (!hit.last.stdout.includes(' valid, 0 invalid, 0 errors')) throw new Error(`validate replay: ${hit.last.stdout}`);
      add('validate, unchanged small tree (run manifest)', hit, `\`node -e 0\` ${fmt(node0.seconds)}`);
    } finally {
      for (const d of [empty, small, smallCache]) rmSync(d, { recursive: true, force: true });
    }

    for (const size of (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number)) {
      const runs = Number(process.env.BENCH_RUNS ?? (size > 2000 ? 1 : 3));
      const label = `${k(size)} models / 10 envs`;
      const base = tmp('base');
      writeBenchRepo(base, { envs: 10, models: size / 10 });
      const generated = tmp('generated');
      cpSync(base, generated, { recursive: true });
      cli(['generate'], generated);
      const copy = (from) => {
        const d = tmp('copy');
        cpSync(from, d, { recursive: true });
        return d;
      };
      const within = (fn, from) => {
        const d = copy(from);
        try {
          return fn(d);
        } finally {
          rmSync(d, { recursive: true, force: true });
        }
      };
      const cache = tmp('cache');
      try {
        const files = readdirSync(generated, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.endsWith('catalog.yaml')).length;
        // The disk's fsync speed swings 3-5x within minutes on these shared machines, so the floor and
        // generate run in alternation (each pair sees the same disk) and the pairs' ratios are reported too.
        // The disk also slows as it is written to (a burst allowance spent within a second or two of
        // writing, then refilled while idle: a floor run after 30 s of rest took 0.68 s, the next
        // ones 1.6-1.8 s), so the second run of a pair sees a slower disk than the first: the pairs
        // take turns (floor first, then generate first, …) so that neither side always goes second.
        // An even number of pairs, so that each side goes first equally often.
        const coldRuns = Math.max(runs, Number(process.env.BENCH_COLD_RUNS ?? 6));
        const pairs = Array.from({ length: coldRuns }, (_, i) => {
          const floorRun = () =>
            within((d) => {
              const out = run([process.execPath, floorScript, 'write', join(generated), join(d, 'out')], d);
              return { ...out, seconds: Number(out.stdout.trim()) };
            }, base);
          const genRun = () => within((d) => cli(['generate'], d), base);
          const first = i % 2 ? 'generate' : 'floor';
          let floor, gen;
          if (first === 'floor') {
            floor = floorRun();
            gen = genRun();
          } else {
            gen = genRun();
            floor = floorRun();
          }
          return { floor, gen, ratio: gen.seconds / floor.seconds, first };
        });
        const floorSeconds = median(pairs.map((p) => p.floor.seconds));
        const ratios = pairs.map((p) => p.ratio);
        const cold = { seconds: median(pairs.map((p) => p.gen.seconds)), rssMiB: Math.round(median(pairs.map((p) => p.gen.rssMiB))), cpu: median(pairs.map((p) => p.gen.cpu)) };
        add(
          `generate, ${label}, empty tree (${files} files)`,
          cold,
          `durable write of the same files ${fmt(floorSeconds)} (median of ${coldRuns}, alternating with generate: ${pairs.map((p) => fmt(p.floor.seconds)).join(', ')})`,
          `each run beside a floor run, in turn first and second: ratio ${median(ratios).toFixed(1)}x median (in run order, F = floor first, G = generate first: ${pairs.map((p) => `${p.first === 'floor' ? 'F' : 'G'} ${p.ratio.toFixed(1)}`).join(', ')}); generate ${pairs.map((p) => fmt(p.gen.seconds)).join(', ')}`,
        );
        const read = repeat(runs, () => run([process.execPath, floorScript, 'read', generated], generated));
        // The first generate above recorded its run manifest (the default cache): these runs reuse it.
        add(`generate, ${label}, unchanged tree`, repeat(runs, () => cli(['generate'], generated)), `reading the tree ${fmt(read.seconds)}`, 'run manifest reused');
        add(`check, ${label}, unchanged tree`, (cli(['check'], generated), repeat(runs, () => cli(['check'], generated))), `reading the tree ${fmt(read.seconds)}`, 'run manifest reused');
        // diff after 10 replicas edits (5 models in each of 2 of the 10 environments), beside rendering both revisions in full.
        const reviewed = copy(base);
        try {
          const git = (...args) => spawnSync('git', args, { cwd: reviewed, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid' } });
          git('init', '--quiet');
          git('add', '-A');
          git('commit', '--quiet', '-m', 'base');
          for (const env of ['env2', 'env7']) {
            const file = join(reviewed, 'environments', env, 'catalog.yaml');
            writeFileSync(file, readFileSync(file, 'utf8').replace(/(model-00(?:0[05]|1[05]|20): \{[^}]*replicas: )(\d+)/g, (_, head, n) => `${head}${Number(n) + 5}`));
          }
          const shared = repeat(runs, () => cli(['diff', '--base', 'HEAD'], reviewed));
          const both = repeat(runs, () => cli(['diff', '--base', 'HEAD', '--render-all'], reviewed));
          if (shared.last.stdout !== both.last.stdout || (shared.last.stdout.match(/ replicas \d+ → \d+/g) ?? []).length !== 10) throw new Error(`diff: unexpected review:\n${shared.last.stdout.slice(0, 2000)}`);
          add(`diff, ${label}, 10 replicas edits in 2 environments`, shared, `rendering both revisions in full ${fmt(both.seconds)} (CPU ${both.cpu.toFixed(2)} s)`, 'renders only the edited models; the same review');
        } finally {
          rmSync(reviewed, { recursive: true, force: true });
        }
        const fullRender = repeat(runs, () => {
          const empty = tmp('no-manifest');
          try {
            return cli(['generate'], generated, { LLM_GITOPS_CACHE: empty });
          } finally {
            rmSync(empty, { recursive: true, force: true });
          }
        });
        add(`generate, ${label}, unchanged tree, empty cache`, fullRender, `reading the tree ${fmt(read.seconds)}`, 'no run manifest: parses and renders everything');
        cli(['validate', ...locationArgs(LOCATIONS)], generated, { LLM_GITOPS_CACHE: cache });
        // The validate rows are medians of at least five runs (one 10k stage run varies by ±15 % on a quiet host): a target is judged on the median, not a lucky run.
        const validateRuns = Math.max(runs, Number(process.env.BENCH_VALIDATE_RUNS ?? 5));
        const v = repeat(validateRuns, () => cli(['validate', '--timings', ...locationArgs(LOCATIONS)], generated, { LLM_GITOPS_CACHE: cache }));
        const t = timingsOf(v.last.stderr);
        const floor = await ajvFloor(generated, cache);
        const perSecond = (n) => Math.round(n).toLocaleString('en');
        add(
          `validate, ${label}, warm cache (${t.objects} objects, CEL and webhook rules on)`,
          v,
          `Ajv alone in memory: ${perSecond(floor.perSecond)} objects/s`,
          `${perSecond(t.objects / v.seconds)} objects/s end to end; validate stage ${perSecond(t.objects / (t.validateCpuMs / 1000))} objects/s of CPU (render ${(t.renderCpuMs / 1000).toFixed(2)} s CPU)`,
        );
        // The same runs' validate stage on its own (--timings splits it from reading and rendering).
        const stageOf = (all) => {
          const ts = all.map((r) => timingsOf(r.stderr));
          return { seconds: median(ts.map((s) => s.validateMs / 1000)), cpu: median(ts.map((s) => s.validateCpuMs / 1000)), threads: median(ts.map((s) => s.threads ?? 0)) };
        };
        const stage = stageOf(v.all);
        // Threads: the main one plus the validation workers (validate/pool.ts: opt-in, LLM_GITOPS_VALIDATE_THREADS; their CPU is in the figure).
        const threads = (n) => (n ? `${n + 1} threads: main + ${n} worker${n > 1 ? 's' : ''}` : '1 thread');
        add(
          `validate stage alone, ${label}, warm cache (the ${t.objects} objects of the row above: schema lookup, Ajv, ObjectMeta, defaults, CEL and webhook rules; ${threads(stage.threads)})`,
          stage,
          `Ajv alone in memory, JIT-warm, CRD kinds only (${perSecond(floor.objects)} objects): ${perSecond(floor.perSecond)} objects/s`,
          `${perSecond(t.objects / stage.seconds)} objects/s (wall), ${perSecond(t.objects / stage.cpu)} objects/s of CPU (all threads); includes loading the ${t.loaded} cached validators and indexing the CRDs`,
        );
        if (size >= 2000) {
          // The same stage with one validation worker (LLM_GITOPS_VALIDATE_THREADS=1; opt-in, started at 2,000 models), beside the row above.
          const pooled = repeat(validateRuns, () => cli(['validate', '--timings', ...locationArgs(LOCATIONS)], generated, { LLM_GITOPS_CACHE: cache, LLM_GITOPS_VALIDATE_THREADS: '1' }));
          const two = { ...stageOf(pooled.all), rssMiB: pooled.rssMiB };
          add(`validate stage alone, ${label}, warm cache, LLM_GITOPS_VALIDATE_THREADS=1 (${threads(two.threads)}; peak RSS of the whole run)`, two, `the row above (1 thread)`, `${perSecond(t.objects / two.seconds)} objects/s (wall), ${perSecond(t.objects / two.cpu)} objects/s of CPU (all threads)`);
        }
        if (size <= 2000) {
          // The first validate after vendor: a vendored copy of the same catalogs, an empty cache.
          const vendored = tmp('vendored');
          const fresh = tmp('fresh-cache');
          try {
            writeBenchRepo(vendored, { envs: 10, models: size / 10, source: 'vendored' });
            const ven = cli(['vendor', '--from', KSERVE_SRC], vendored, { LLM_GITOPS_CACHE: fresh });
            cli(['generate'], vendored);
            const first = cli(['validate', ...locationArgs(DELIVERY_CRDS), '--schema-location', 'default'], vendored, { LLM_GITOPS_CACHE: fresh });
            add(`validate, ${label}, first run after \`vendor\``, first, `–`, `vendor itself (copy + compile) ${fmt(ven.seconds)}; the Argo CD / Flux CRDs are compiled in this run`);
          } finally {
            rmSync(vendored, { recursive: true, force: true });
            rmSync(fresh, { recursive: true, force: true });
          }
        }
      } finally {
        for (const d of [base, generated, cache]) rmSync(d, { recursive: true, force: true });
      }
    }

    // One environment of 5,000 models, sharded (default 32 shards): every shard built by kustomize.
    const n = Number(process.env.BENCH_SHARD_MODELS ?? 5000);
    if (n > 0) {
      const one = tmp('shards');
      try {
        const text = benchCatalog('big2', n).replace('platform: { mode: addons', 'platform: { mode: none');
        const envDir = join(one, 'environments', 'big2');
        mkdirSync(envDir, { recursive: true });
        writeFileSync(join(envDir, 'catalog.yaml'), text);
        const gen = cli(['generate'], one);
        const shardDirs = readdirSync(join(envDir, 'shards')).sort();
        const builds = shardDirs.map((s) => run([KUBECTL, 'kustomize', join(envDir, 'shards', s)], one, { KUBECONFIG: '/dev/null' }));
        const common = run([KUBECTL, 'kustomize', envDir], one, { KUBECONFIG: '/dev/null' });
        const worst = builds.reduce((a, b) => (b.seconds > a.seconds ? b : a));
        add(
          `\`kubectl kustomize\` of each of the ${shardDirs.length} shards, ${k(n)} models in one environment`,
          { seconds: worst.seconds, rssMiB: worst.rssMiB, cpu: worst.cpu },
          `unsharded: 587 s (issue 12, same machines)`,
          `slowest shard; median ${fmt(median(builds.map((b) => b.seconds)))}, the shared \`<env>-models\` unit ${fmt(common.seconds)}; generate ${fmt(gen.seconds)}`,
        );
      } finally {
        rmSync(one, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(floorScript, { force: true });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await scaleBench();
