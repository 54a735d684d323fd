/**
 * The bin entry (dist/bin.cjs) and the command table's CommonJS bundle (dist/cli.bundle.cjs,
 * scripts/bundle.mjs): the same exit code, stdout and stderr as `node dist/cli.js` for help,
 * every subcommand's help, usage errors and a command's own errors; the bundle runs only while
 * its key matches every module and package it holds, else cli.js does. Proven on a copy of the
 * build (the project's dist is not touched); which path ran is read off the modules the process
 * resolved through the ES-module loader (a bundled run never resolves cli.js).
 */
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT, tempDir } from './helpers/repo.js';
import { write } from './helpers/gitops-repo.js';
import { llmisvcCrd } from './helpers/tiny-crd.js';

const run = promisify(execFile);
const TRACE = join(PROJECT, 'test', 'helpers', 'module-trace.mjs');
const work = tempDir('llm-gitops-cli-bundle-');
afterAll(() => work.cleanup());

let n = 0;
/** `node <entry> ...args` in `cwd`: exit code, stdout, stderr, and whether cli.js ran as a module. */
async function runWith(entry: string, args: readonly string[], cwd = work.dir, env: Record<string, string> = {}) {
  const trace = join(work.dir, `trace-${n++}.txt`);
  const r = await run(process.execPath, ['--import', TRACE, entry, ...args], { cwd, env: { ...process.env, ...env, MODULE_TRACE_FILE: trace } }).catch((e: { code?: number; stdout: string; stderr: string }) => e);
  const modules = readFileSync(trace, 'utf8').split('\n');
  return { code: (r as { code?: number }).code ?? 0, stdout: r.stdout, stderr: r.stderr, modules: modules.some((m) => m.endsWith('/dist/cli.js')) };
}

/** A copy of the build with its bundles, its packages linked from the project's except `own` (copied). */
function copyTool(name: string, own: readonly string[] = []): string {
  const tool = join(work.dir, name);
  cpSync(join(PROJECT, 'dist'), join(tool, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
  cpSync(join(PROJECT, 'package.json'), join(tool, 'package.json'));
  mkdirSync(join(tool, 'node_modules'));
  for (const e of readdirSync(join(PROJECT, 'node_modules'))) {
    if (own.includes(e)) cpSync(join(PROJECT, 'node_modules', e), join(tool, 'node_modules', e), { recursive: true });
    else symlinkSync(join(PROJECT, 'node_modules', e), join(tool, 'node_modules', e));
  }
  return join(tool, 'dist');
}

let dist = '';
beforeAll(async () => {
  dist = copyTool('tool', ['commander']);
  await run(process.execPath, [join(PROJECT, 'scripts', 'bundle.mjs'), dist]);
}, 60_000);

describe('the bin entry and the command table bundle', () => {
  it('gives the bytes and exit codes of cli.js for help, every subcommand\'s help, usage errors and command errors', async () => {
    const help = await runWith(join(dist, 'cli.js'), ['--help']);
    const commands = [...help.stdout.split('Commands:\n')[1]!.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]!);
    expect(commands).toEqual(expect.arrayContaining(['generate', 'check', 'vendor', 'validate', 'commit', 'diff', 'init', 'health', 'preflight', 'schema', 'help']));
    const bad = join(work.dir, 'bad');
    write(bad, 'environments/dev/catalog.yaml', 'namespace: llm-dev\nmodels:\n  opt: { uri: 42 }\n');
    const cases: { args: string[]; cwd?: string }[] = [
      { args: [] }, { args: ['--help'] }, { args: ['--version'] },
      ...commands.map((c) => ({ args: [c, '--help'] })),
      { args: ['bogus'] }, { args: ['health', '--timeout', 'soon'] },
      // Thrown inside command modules: UsageError (exit 2) and UserError (exit 1) must be errors.js's own classes.
      { args: ['validate', '--schema-location', join(work.dir, 'nonexistent')] },
      { args: ['vendor'] },
      { args: ['generate', '--dry-run'], cwd: bad },
    ];
    const results = await Promise.all(cases.map(async ({ args, cwd }) => ({ args, plain: await runWith(join(dist, 'cli.js'), args, cwd), bin: await runWith(join(dist, 'bin.cjs'), args, cwd) })));
    for (const { args, plain, bin } of results) {
      expect(bin.modules, `bin ${args.join(' ')} ran the bundle`).toBe(false);
      expect(plain.modules).toBe(true);
      expect({ args, code: bin.code, stdout: bin.stdout, stderr: bin.stderr }).toStrictEqual({ args, code: plain.code, stdout: plain.stdout, stderr: plain.stderr });
    }
    const codes = new Set(results.map((r) => r.plain.code));
    expect([...codes].sort()).toEqual([0, 1, 2]); // the cases reach every exit code
    expect(results.find((r) => r.args.includes('--dry-run'))!.plain.stderr).toContain('environments/dev/catalog.yaml:3');
  }, 60_000);

  it('runs validate\'s front from the bundle (a full run, then its replay from the run manifest) with the bytes and exit codes of cli.js', async () => {
    const repo = join(work.dir, 'validate-repo');
    write(repo, 'environments/dev/catalog.yaml', 'namespace: llm-dev\nplatform: { mode: none }\nmodels:\n  opt:\n    uri: hf://facebook/opt-125m\n    accelerator: cpu\n    router: none\n');
    write(repo, 'crds/llmisvc.yaml', llmisvcCrd({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }));
    const args = ['validate', '--no-default-locations', '--schema-location', 'crds'];
    for (const output of ['text', 'json']) {
      // Each entry its own cache: the first run renders and validates, the second replays its run manifest.
      const env = (entry: string) => ({ LLM_GITOPS_CACHE: join(work.dir, `validate-cache-${entry}-${output}`), LLM_GITOPS_OFFLINE: '1' });
      for (const round of ['full run', 'replay']) {
        const plain = await runWith(join(dist, 'cli.js'), [...args, '--output', output], repo, env('plain'));
        const bin = await runWith(join(dist, 'bin.cjs'), [...args, '--output', output], repo, env('bin'));
        expect(bin.modules, `bin ${output} ${round} ran the bundle`).toBe(false);
        expect({ round, code: bin.code, stdout: bin.stdout, stderr: bin.stderr }).toStrictEqual({ round, code: plain.code, stdout: plain.stdout, stderr: plain.stderr });
        expect(plain.code).toBe(0);
        expect(plain.stdout).toContain(output === 'json' ? '"valid":' : ' valid, 0 invalid, 0 errors');
        // The full run recorded its run manifest in each cache, so the second round is a replay.
        for (const entry of ['plain', 'bin']) expect(readdirSync(join(env(entry).LLM_GITOPS_CACHE, 'manifest')).length, `${entry} ${output} ${round}`).toBe(1);
      }
    }
  }, 60_000);

  it('runs cli.js instead when a module or package the bundle holds changed, or its header is not one', async () => {
    const bundle = join(dist, 'cli.bundle.cjs');
    const original = readFileSync(bundle, 'utf8');
    const header = JSON.parse(original.slice(0, original.indexOf('\n')).replace(/^\/\/ llm-gitops cli bundle /, '')) as { inputs: string[]; packages: string[] };
    // cli.js, the option parsers it imports, and validate's front (scripts/bundle.mjs: FRONT) with what it imports.
    expect(header.inputs).toEqual([
      'bundle/load.js', 'cli.js', 'commands/validate.js', 'concurrency.js', 'disk/files.js', 'disk/paths.js', 'disk/plan.js', 'health/duration.js',
      'manifest/fingerprint.js', 'manifest/hashes.js', 'manifest/reuse.js', 'manifest/store.js', 'manifest/validate.js', 'model/names.js',
      'validate/cache.js', 'validate/import-model.js', 'validate/location.js', 'validate/messages.js', 'validate/output-formats.js', 'validate/report.js', 'validate/result.js',
    ]);
    expect(header.packages).toEqual(['commander']);
    const helpOf = async () => runWith(join(dist, 'bin.cjs'), ['--help']);
    const reference = await helpOf();
    expect(reference.modules).toBe(false);
    const edits: [string, () => void, () => void][] = [];
    for (const input of header.inputs) {
      const file = join(dist, input);
      const bytes = readFileSync(file);
      edits.push([input, () => appendFileSync(file, '// edited\n'), () => writeFileSync(file, bytes)]);
    }
    const pkg = join(dist, '..', 'node_modules', 'commander', 'package.json');
    const pkgText = readFileSync(pkg, 'utf8');
    edits.push(['commander version', () => writeFileSync(pkg, pkgText.replace(/"version": "[^"]+"/, '"version": "0.0.1"')), () => writeFileSync(pkg, pkgText)]);
    edits.push(['garbled header', () => writeFileSync(bundle, original.replace('"hash":', '"hash" ')), () => writeFileSync(bundle, original)]);
    edits.push(['an input gone from the header', () => writeFileSync(bundle, original.replace('"cli.js",', '')), () => writeFileSync(bundle, original)]);
    edits.push(['no bundle', () => writeFileSync(bundle, ''), () => writeFileSync(bundle, original)]);
    for (const [what, edit, undo] of edits) {
      edit();
      const r = await helpOf();
      undo();
      expect({ what, modules: r.modules, code: r.code, stdout: r.stdout }).toStrictEqual({ what, modules: true, code: 0, stdout: reference.stdout });
    }
    expect((await helpOf()).modules).toBe(false); // restored: the bundle again
  }, 60_000);
});
