/**
 * generate's render run from its V8-code-cached bundle (commands/generate-run, scripts/bundle.mjs,
 * bundle/load.ts): the same tree, stdout, stderr and exit code as the unbundled modules, with an
 * empty cache (no code cache yet), a warm one and a damaged one; a catalog error thrown inside
 * the bundle is the UserError cli.ts reports; a bundle of another build is never run. Proven on
 * copies of the build beside the project's node_modules (its own dist is not touched); which path
 * ran is read off the modules the process resolved (a bundled run never loads catalog/document.js),
 * and which Handlebars build it loaded off require()'s cache at exit (test/helpers/require-trace.cjs).
 */
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { writeBenchRepo } from '../scripts/bench-catalogs.mjs';
import { PROJECT, snapshot, tempDir } from './helpers/repo.js';

const run = promisify(execFile);
const TRACE = join(PROJECT, 'test', 'helpers', 'module-trace.mjs');
const REQUIRE_TRACE = join(PROJECT, 'test', 'helpers', 'require-trace.cjs');
const work = tempDir('llm-gitops-generate-bundle-');
afterAll(() => work.cleanup());

/** A copy of the build (with or without its bundles) resolving packages from the project's node_modules. */
function build(name: string, bundles: boolean): string {
  const tool = join(work.dir, name);
  cpSync(join(PROJECT, 'dist'), join(tool, 'dist'), { recursive: true, filter: (src) => bundles || !src.endsWith('.bundle.cjs') });
  cpSync(join(PROJECT, 'package.json'), join(tool, 'package.json'));
  symlinkSync(join(PROJECT, 'node_modules'), join(tool, 'node_modules'));
  return join(tool, 'dist');
}

let n = 0;
/** `generate` with the CLI of `dist` in a fresh copy of `repo`: exit code, output, the tree it wrote, whether the bundle ran, and the Handlebars builds it loaded. */
async function generateWith(dist: string, repo: string, cache: string) {
  const dir = join(work.dir, `run-${n}`);
  const trace = join(work.dir, `trace-${n}.txt`);
  const required = join(work.dir, `required-${n++}.txt`);
  cpSync(repo, dir, { recursive: true });
  const env = { ...process.env, LLM_GITOPS_CACHE: cache, MODULE_TRACE_FILE: trace, REQUIRE_TRACE_FILE: required };
  const r = await run(process.execPath, ['--import', TRACE, '-r', REQUIRE_TRACE, join(dist, 'cli.js'), 'generate'], { cwd: dir, env }).catch((e: { code?: number; stdout: string; stderr: string }) => e);
  const bundled = !readFileSync(trace, 'utf8').includes('/catalog/document.js');
  const handlebars = readFileSync(required, 'utf8').split('\n').flatMap((f) => /node_modules\/handlebars\/(.*)$/.exec(f)?.[1] ?? []);
  const tree = snapshot(dir);
  rmSync(dir, { recursive: true, force: true });
  return { bundled, handlebars, result: { code: (r as { code?: number }).code ?? 0, stdout: r.stdout, stderr: r.stderr.replaceAll(dir, '<repo>'), tree } };
}

describe('generate bundle', () => {
  it('writes the same tree and messages as the modules, only for the build it names, and survives a damaged code cache', async () => {
    await run(process.execPath, [join(PROJECT, 'scripts', 'bundle.mjs'), build('tool', true)]);
    const tool = join(work.dir, 'tool', 'dist');
    const plain = build('plain', false);
    // Every router, profiles, prefill/decode, downloads, Argo CD and Flux; warnings on stderr.
    const repo = join(work.dir, 'repo');
    writeBenchRepo(repo, { envs: 2, models: 10 });

    const reference = await generateWith(plain, repo, join(work.dir, 'cache-plain'));
    expect(reference.bundled).toBe(false);
    expect(reference.result.code).toBe(0);
    expect(reference.result.stderr).toContain('warning:');
    expect(reference.result.tree.size).toBeGreaterThan(40);
    const cache = join(work.dir, 'cache'); // empty: the first bundled run compiles the bundle and writes its code cache
    const cold = await generateWith(tool, repo, cache);
    expect(readdirSync(join(cache, 'code'))).toHaveLength(1);
    const warm = await generateWith(tool, repo, cache);
    for (const r of [cold, warm]) {
      expect(r.bundled).toBe(true);
      expect(r.result).toStrictEqual(reference.result);
    }
    // The READMEs (environment, delivery, prerequisites) are the same bytes: the modules compile
    // their templates with the full library, the bundle runs the specs scripts/bundle.mjs
    // precompiled, with Handlebars' runtime build only.
    const readmes = [...reference.result.tree.keys()].filter((p) => p.endsWith('README.md'));
    expect(readmes.filter((p) => /^environments\/env0\/(README\.md|delivery\/|prerequisites\/)/.test(p)).length, readmes.join(' ')).toBeGreaterThanOrEqual(3);
    expect(reference.handlebars).toEqual(['dist/handlebars.js']);
    for (const r of [cold, warm]) expect(r.handlebars).toEqual(['dist/handlebars.runtime.js']);

    // The bundles take yaml's other build (scripts/bundle.mjs: no process.env read per token); a
    // catalog using what YAML has beyond flow maps (block scalars, quoting, comments, explicit keys;
    // then anchors and aliases, refused) gives the same tree and messages as the modules, which take its Node build.
    for (const name of ['generate-run', 'validate-run']) {
      const text = readFileSync(join(tool, 'commands', `${name}.bundle.cjs`), 'utf8');
      expect(text, name).toMatch(/^\/\/ node_modules\/yaml\/browser\/dist\/parse\/parser\.js$/m);
      expect(text, name).not.toMatch(/^\/\/ node_modules\/yaml\/dist\//m);
      expect(text, name).not.toContain('LOG_TOKENS');
    }
    const rich = join(work.dir, 'rich');
    writeBenchRepo(rich, { envs: 1, models: 2 });
    const richCatalog = join(rich, 'environments', 'env0', 'catalog.yaml');
    writeFileSync(
      richCatalog,
      [
        '# two models, written with what YAML has beyond flow maps',
        'namespace: "llm-rich"',
        'platform: { mode: none }',
        'profiles:',
        '  cpu: { accelerator: cpu, resources: { cpu: "2", memory: 8Gi } }',
        'models:',
        '  ? opt',
        '  : uri: hf://facebook/opt-125m',
        '    profile: cpu',
        "    env: { NOTE: 'it''s quoted', MULTI: \"a\\tb\" }",
        '    args:',
        '      - --max-model-len',
        '      - "4096"',
        '  second:',
        '    uri: hf://facebook/opt-350m',
        '    profile: cpu',
        '    labels: { team: search }',
        '    annotations: { owner: "search team" }',
        '    command:',
        '      - sh',
        '      - -c',
        '      - |',
        '        echo two lines',
        '        exec vllm serve',
        '',
      ].join('\n'),
    );
    const [richBundled, richPlain] = [await generateWith(tool, rich, cache), await generateWith(plain, rich, cache)];
    expect(richBundled.bundled).toBe(true);
    expect(richPlain.result.code, richPlain.result.stderr).toBe(0);
    expect([...richPlain.result.tree.values()].join('\n')).toContain("it's quoted");
    expect(richBundled.result).toStrictEqual(richPlain.result);
    // Anchors and aliases are refused at their lines, the same way by both builds.
    writeFileSync(richCatalog, readFileSync(richCatalog, 'utf8').replace('labels: {', 'labels: &team {').replace('annotations: { owner: "search team" }', 'annotations: *team'));
    const [anchorBundled, anchorPlain] = [await generateWith(tool, rich, cache), await generateWith(plain, rich, cache)];
    expect(anchorPlain.result.code).toBe(1);
    expect(anchorPlain.result.stderr).toMatch(/catalog\.yaml:\d+:\d+: alias \*team is not allowed/);
    expect(anchorBundled.result).toStrictEqual(anchorPlain.result);

    // A catalog error thrown inside the bundle is the same UserError cli.ts reports (exit 1, file:line), nothing written.
    const catalog = join(repo, 'environments', 'env1', 'catalog.yaml');
    const good = readFileSync(catalog, 'utf8');
    writeFileSync(catalog, `${good}  broken: { uri: 7 }\n`);
    const [bundledError, plainError] = [await generateWith(tool, repo, cache), await generateWith(plain, repo, cache)];
    expect(bundledError.bundled).toBe(true);
    expect(bundledError.result.code).toBe(1);
    expect(bundledError.result.stderr).toContain('environments/env1/catalog.yaml:');
    expect(bundledError.result).toStrictEqual(plainError.result);
    writeFileSync(catalog, good);

    // Damaged code cache: rejected by V8, rewritten, same bytes.
    const code = join(cache, 'code');
    for (const f of readdirSync(code)) writeFileSync(join(code, f), 'garbage');
    const damaged = await generateWith(tool, repo, cache);
    expect(damaged.bundled).toBe(true);
    expect(damaged.result).toStrictEqual(reference.result);
    expect(readdirSync(code).map((f) => readFileSync(join(code, f), 'utf8') === 'garbage')).toEqual([false]);

    // Another build (one module changed): the bundle names the old one, so the modules run.
    appendFileSync(join(tool, 'errors.js'), '\n// another build\n');
    const stale = await generateWith(tool, repo, cache);
    expect(stale.bundled).toBe(false);
    expect(stale.result).toStrictEqual(reference.result);
  });
});
