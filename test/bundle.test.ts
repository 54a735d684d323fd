/**
 * validate's full run from its V8-code-cached bundle (scripts/bundle.mjs, bundle/load.ts): the
 * same bytes out as the unbundled modules, used only when its header names this very build, and
 * a damaged code cache costs only speed. Proven on a copy of the build (a temp folder beside
 * node_modules), so the project's own dist is not touched; which path ran is read off the
 * modules the process resolved (a bundled run never loads validate/schema-store.js).
 */
import { isAscii } from 'node:buffer';
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT, repoWith, tempDir } from './helpers/repo.js';
import { write } from './helpers/gitops-repo.js';
import { llmisvcCrd } from './helpers/tiny-crd.js';

const run = promisify(execFile);
const TRACE = join(PROJECT, 'test', 'helpers', 'module-trace.mjs');
const work = tempDir('llm-gitops-bundle-');
afterAll(() => work.cleanup());

const CRD = llmisvcCrd({ type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, required: ['absent'] } } });
const CATALOG = 'namespace: llm-dev\nplatform: { mode: none }\nmodels:\n  opt: { uri: hf://facebook/opt-125m, accelerator: cpu, router: none }\n';

let n = 0;
/** `validate --timings` (never replayed) with the CLI of `dist`; its output without the timings line, and whether the bundle ran. */
async function validateWith(dist: string, repo: string, cache: string) {
  const trace = join(work.dir, `trace-${n++}.txt`);
  const args = ['--import', TRACE, join(dist, 'cli.js'), 'validate', '--timings', '--no-default-locations', '--schema-location', 'crds', '--output', 'json'];
  const r = await run(process.execPath, args, { cwd: repo, env: { ...process.env, LLM_GITOPS_CACHE: cache, MODULE_TRACE_FILE: trace } }).catch((e: { code?: number; stdout: string; stderr: string }) => e);
  const modules = readFileSync(trace, 'utf8');
  return { code: (r as { code?: number }).code ?? 0, stdout: r.stdout, stderr: r.stderr.replace(/^timings: .*\n/m, ''), bundled: !modules.includes('/validate/schema-store.js') };
}

describe('validate bundle', () => {
  it("holds ajv-i18n's English messages only, the one locale @kubernetes-models/validate uses", () => {
    // The package calls localize.en and nothing else of ajv-i18n (scripts/bundle.mjs hands it just that).
    const pkg = join(PROJECT, 'node_modules', '@kubernetes-models', 'validate', 'dist');
    const uses = readdirSync(pkg, { recursive: true, encoding: 'utf8' }).filter((f) => /\.m?js$/.test(f)).flatMap((f) => {
      const text = readFileSync(join(pkg, f), 'utf8');
      return /ajv-i18n/.test(text) ? [...text.matchAll(/\blocalize\b(\.\w+)?/g)].map((m) => m[0]) : [];
    });
    expect(new Set(uses)).toEqual(new Set(['localize', 'localize.en']));
    const bundle = readFileSync(join(PROJECT, 'dist', 'commands', 'validate-run.bundle.cjs'), 'utf8');
    const locales = [...bundle.matchAll(/^\/\/ node_modules\/ajv-i18n\/localize\/([^/]+)\//gm)].map((m) => m[1]);
    expect(locales).toEqual(['en']);
  });

  it('every bundle is ASCII (bundle/load.ts then reads it as Latin-1), and an escaped regular expression matches what the written one did', async () => {
    const bundles = readdirSync(join(PROJECT, 'dist', 'commands')).filter((f) => f.endsWith('.bundle.cjs'));
    expect(bundles.sort()).toEqual(['generate-run.bundle.cjs', 'health.bundle.cjs', 'validate-run.bundle.cjs']);
    for (const f of [...bundles.map((b) => join('commands', b)), 'cli.bundle.cjs']) expect(isAscii(readFileSync(join(PROJECT, 'dist', f))), f).toBe(true);
    // Go durations in validate/formats.ts, written with µ (U+00B5) and μ (U+03BC) under /u: the bundle holds \u escapes.
    const bundled = /GO_DURATION = (\/.*\/u);/.exec(readFileSync(join(PROJECT, 'dist', 'commands', 'validate-run.bundle.cjs'), 'latin1'))![1]!;
    expect(bundled).toContain('\\u00b5s|\\u03bcs');
    const source = /GO_DURATION = (\/.*\/u);/.exec(readFileSync(join(PROJECT, 'generator', 'src', 'validate', 'formats.ts'), 'utf8'))![1]!;
    const [escaped, written] = [bundled, source].map((literal) => new Function(`return ${literal};`)() as RegExp);
    for (const d of ['1µs', '1μs', '1h2m3.5s', '-0', '1us', '1 s', 'µs', '1ss']) expect(escaped.test(d), d).toBe(written.test(d));
    expect(escaped.test('1µs') && escaped.test('1μs') && !escaped.test('1ss')).toBe(true);
  });

  it('gives the same bytes as the modules, only for the build it names, and survives a damaged code cache', async () => {
    // A copy of the build with its bundle, resolving packages from the project's node_modules.
    const tool = join(work.dir, 'tool');
    cpSync(join(PROJECT, 'dist'), join(tool, 'dist'), { recursive: true });
    cpSync(join(PROJECT, 'package.json'), join(tool, 'package.json'));
    symlinkSync(join(PROJECT, 'node_modules'), join(tool, 'node_modules'));
    await run(process.execPath, [join(PROJECT, 'scripts', 'bundle.mjs'), join(tool, 'dist')]);
    const plain = join(work.dir, 'plain');
    cpSync(join(tool, 'dist'), join(plain, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.bundle.cjs') });
    cpSync(join(PROJECT, 'package.json'), join(plain, 'package.json'));
    symlinkSync(join(PROJECT, 'node_modules'), join(plain, 'node_modules'));

    const repo = repoWith({ dev: CATALOG });
    try {
      write(repo.dir, 'crds/llmisvc.yaml', CRD);
      const reference = await validateWith(join(plain, 'dist'), repo.dir, join(work.dir, 'cache-plain'));
      const cache = join(work.dir, 'cache'); // empty: the bundled run compiles the validator (Ajv inside the bundle)
      expect(reference.bundled).toBe(false);
      expect(reference.code).toBe(1); // an invalid object
      expect(reference.stdout).toContain('missing required field');
      const cold = await validateWith(join(tool, 'dist'), repo.dir, cache); // compiles the validator and the bundle, writes both caches
      const warm = await validateWith(join(tool, 'dist'), repo.dir, cache); // from the code cache
      for (const r of [cold, warm]) {
        expect(r.bundled).toBe(true);
        expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toStrictEqual({ code: reference.code, stdout: reference.stdout, stderr: reference.stderr });
      }
      // A catalog error thrown inside the bundle is the same UserError cli.ts reports (exit 1, file:line), not an internal error.
      write(repo.dir, 'environments/dev/catalog.yaml', `${CATALOG}  opt2: { uri: 7 }\n`);
      const [bundledError, plainError] = [await validateWith(join(tool, 'dist'), repo.dir, cache), await validateWith(join(plain, 'dist'), repo.dir, cache)];
      expect(bundledError.stderr).toContain('environments/dev/catalog.yaml:');
      expect({ code: bundledError.code, stderr: bundledError.stderr }).toStrictEqual({ code: plainError.code, stderr: plainError.stderr });
      write(repo.dir, 'environments/dev/catalog.yaml', CATALOG);
      // Damaged code cache: rejected by V8, rewritten, same bytes.
      const code = join(cache, 'code');
      for (const f of readdirSync(code)) writeFileSync(join(code, f), 'garbage');
      const damaged = await validateWith(join(tool, 'dist'), repo.dir, cache);
      expect(damaged.bundled).toBe(true);
      expect(damaged.stdout).toBe(reference.stdout);
      expect(readdirSync(code).map((f) => readFileSync(join(code, f), 'utf8') === 'garbage')).toEqual([false]);
      // Another build (one module changed): the bundle names the old one, so the modules run.
      appendFileSync(join(tool, 'dist', 'errors.js'), '\n// another build\n');
      const stale = await validateWith(join(tool, 'dist'), repo.dir, cache);
      expect(stale.bundled).toBe(false);
      expect(stale.stdout).toBe(reference.stdout);
    } finally {
      repo.cleanup();
    }
  });
});
