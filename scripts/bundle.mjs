#!/usr/bin/env node
/**
 * Builds dist/commands/validate-run.bundle.cjs (validate's full run, the miss path of its run
 * manifest), dist/commands/generate-run.bundle.cjs (generate's, likewise) and
 * dist/commands/health.bundle.cjs: each with our modules and the ES-module dependencies it loads
 * (yaml in its build without per-token process.env reads, zod, @bufbuild/cel and protobuf; for
 * health @kubernetes/client-node), and the tool's Handlebars templates precompiled (Handlebars'
 * runtime stays outside, loaded on first use), in one CommonJS file, so
 * bundle/load.ts can compile it with V8's code cache (Node 20 has no module compile cache). Run
 * after tsc (npm run build does both).
 *
 * The first line names the tool fingerprint (manifest/fingerprint.ts) of the dist it was built
 * from: a bundle from another build is never loaded; the rest is the code wrapped as the function
 * bundle/load.ts compiles (BUNDLE_WRAPPER), so the file is the very source V8 gets. It holds no import(): V8 runs a script
 * compiled from a code cache without a dynamic-import callback. Kept outside: the packages
 * BUNDLES names (bundle/load.ts), and two modules of ours the loader hands in (HANDED_IN) —
 * errors.js (its classes decide exit codes: the instance cli.ts uses) and validate/import-model.js
 * (the import() by computed name of client-node's model files, which the bundle cannot run).
 *
 * It also builds dist/cli.bundle.cjs, which the bin entry (bin.cts) runs: cli.js with the option
 * parsers it imports statically and commander, so `--help` needs no ES-module loader. Its actions'
 * import()s of the commands stay import()s of dist's ES modules, except validate's front (FRONT
 * below), and errors.js stays outside
 * (require() of that ES module: the classes the commands throw). Its first line is its key
 * (bundle/cli-key.cts): the bytes of the modules inside and the inlined packages' versions.
 *
 * Usage: node scripts/bundle.mjs [dist folder]
 */
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const dist = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
const { fingerprintOf } = await import(pathToFileURL(join(dist, 'manifest', 'fingerprint.js')).href);
const { BUNDLES, BUNDLE_WRAPPER, bundleHeader, HANDED_IN } = await import(pathToFileURL(join(dist, 'bundle', 'load.js')).href);

/** A file's path from dist/, with '/'. */
const relOf = (file) => relative(dist, file).split('\\').join('/');

const handedIn = {
  name: 'handed-in',
  setup(b) {
    b.onResolve({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith('.')) return undefined;
      const rel = relOf(resolve(args.resolveDir, args.path));
      return HANDED_IN.includes(rel) ? { path: `llm-gitops:${rel}`, external: true } : undefined;
    });
  },
};

// @kubernetes-models/validate imports all 23 locales of ajv-i18n (157 kB in the bundle, code-cached and
// evaluated at every start) and uses only `localize.en` (dist/validate.mjs: generateErrorMessage):
// its import gets an object with just that, the very function the package's index exports as `en`.
const onlyEnglish = {
  name: 'ajv-i18n-en',
  setup(b) {
    b.onResolve({ filter: /^ajv-i18n$/ }, (args) => (/[\\/]@kubernetes-models[\\/]validate[\\/]/.test(args.importer) ? { path: 'ajv-i18n-en', namespace: 'ajv-i18n-en', pluginData: args.resolveDir } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'ajv-i18n-en' }, (args) => ({ contents: 'module.exports = { en: require("ajv-i18n/localize/en") };', loader: 'js', resolveDir: args.pluginData }));
  },
};

// yaml's Node build reads process.env.LOG_TOKENS for every lexical token its parser takes and
// process.env.LOG_STREAM for every token its composer takes (debug switches; a process.env read is
// a call into C++, ~0.25 µs): a third of its CST parse of a 1,000-model catalog. The bundles take
// the package's own other build (its `default` export, browser/index.js: the same source without
// those two reads, and with console.warn where the Node build calls process.emitWarning for a
// warning of yaml's own, e.g. a collection as a key: the catalog parse sets logLevel 'error', so
// there the two builds print the same; elsewhere only that rare warning's prefix differs).
const yamlBrowserBuild = join(dirname(createRequire(import.meta.url).resolve('yaml/package.json')), 'browser', 'index.js');
const yamlWithoutEnvReads = {
  name: 'yaml-without-env-reads',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: yamlBrowserBuild }));
  },
};

// The tool's own templates, precompiled (render/handlebars.ts): the bundles get them in place of
// render/handlebars-precompiled.js, so a bundled run loads Handlebars' runtime and compiles nothing.
// A template is declared when its module is imported, so every bundle's modules are imported first.
for (const name of Object.keys(BUNDLES)) await import(pathToFileURL(join(dist, `${name}.js`)).href);
const { declaredTemplates, templateKey } = await import(pathToFileURL(join(dist, 'render', 'handlebars.js')).href);
const handlebars = createRequire(import.meta.url)('handlebars/dist/handlebars.js');
const specs = new Map(declaredTemplates.map(({ input, options }) => [templateKey(input, options), handlebars.precompile(input, options)]));
const precompiledFile = join(dist, 'render', 'handlebars-precompiled.js');
const precompiled = {
  name: 'precompiled-templates',
  setup(b) {
    b.onLoad({ filter: /[\\/]render[\\/]handlebars-precompiled\.js$/ }, (args) =>
      resolve(args.path) === precompiledFile
        ? { contents: `export const PRECOMPILED = {\n${[...specs].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, spec]) => `${JSON.stringify(k)}: ${spec},\n`).join('')}};\n`, loader: 'js' }
        : undefined,
    );
  },
};

// Every bundle is ASCII, so bundle/load.ts reads it as Latin-1 (a copy: ~2.5 ms for validate's
// 3 MB) instead of decoding UTF-8 (~9 ms), and V8 gets a one-byte source. esbuild already escapes
// strings, template literals and identifiers; what it leaves as written are comments and regular
// expression literals, where \uXXXX stands for the very UTF-16 code unit it replaces (in both
// regular expression modes; a surrogate pair written as two escapes is one code point under /u).
const asciiOnly = (text) => text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

for (const [name, external] of Object.entries(BUNDLES)) {
  const out = await build({
    entryPoints: [join(dist, `${name}.js`)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    external: [...external],
    define: { 'import.meta.url': '__bundle_meta_url' },
    // A script compiled with a code cache has no dynamic-import callback: import() of the (CommonJS)
    // externals becomes require(); the one import() of an ES module by computed name is import-model.js's, handed in.
    supported: { 'dynamic-import': false },
    plugins: [handedIn, onlyEnglish, yamlWithoutEnvReads, precompiled],
    logLevel: 'error',
    legalComments: 'none',
  });
  const file = join(dist, `${name}.bundle.cjs`);
  // The header line, then the code as the function bundle/load.ts compiles (BUNDLE_WRAPPER).
  writeFileSync(file, `${bundleHeader(await fingerprintOf(dist))}\n${BUNDLE_WRAPPER[0]}${asciiOnly(out.outputFiles[0].text)}${BUNDLE_WRAPPER[1]}`);
  console.log(`bundled ${relative(process.cwd(), file)}`);
}

// The command table for the bin entry: everything cli.js imports statically except errors.js; the
// commands stay import()s of dist's ES modules, except validate's front (FRONT: its arguments,
// the run manifest and the bundle loader, ~20 ES modules that cost 20-30 ms to load as such and a
// few inside this file, where esbuild initialises each only when its import() runs). A module
// left outside is named by its path from dist/, where this bundle sits; a bundled module that
// reads import.meta.url gets its own module's URL.
const FRONT = new Set(['commands/validate.js', 'validate/report.js', 'manifest/validate.js', 'bundle/load.js', 'validate/cache.js']);
const cliKey = createRequire(import.meta.url)(join(dist, 'bundle', 'cli-key.cjs'));
const table = {
  name: 'table',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      const rel = relOf(resolve(args.resolveDir, args.path));
      return (args.kind === 'dynamic-import' && !FRONT.has(rel)) || rel === 'errors.js' ? { path: `./${rel}`, external: true } : undefined;
    });
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return { contents: text.replaceAll('import.meta.url', `__moduleUrl(${JSON.stringify(relOf(args.path))})`), loader: 'js' };
    });
  },
};
const cli = await build({
  entryPoints: [join(dist, 'cli.js')],
  absWorkingDir: dist,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  write: false,
  metafile: true,
  banner: { js: 'const __moduleUrl = (rel) => require("node:url").pathToFileURL(require("node:path").join(__dirname, rel)).href;' },
  plugins: [table],
  logLevel: 'error',
  legalComments: 'none',
});
const inputs = Object.keys(cli.metafile.inputs).map((p) => p.split('\\').join('/'));
const packages = [...new Set(inputs.flatMap((p) => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p)?.[1] ?? []))].sort();
const ours = inputs.filter((p) => !p.includes('node_modules/')).sort();
const header = { inputs: ours, packages, hash: cliKey.cliBundleKey(dist, ours, packages) };
const cliFile = join(dist, 'cli.bundle.cjs');
// The header is the first line (the shebang esbuild keeps goes: the bin entry has its own).
writeFileSync(cliFile, `${cliKey.CLI_BUNDLE_PREFIX}${JSON.stringify(header)}\n${cli.outputFiles[0].text.replace(/^#!.*\n/, '')}`);
console.log(`bundled ${relative(process.cwd(), cliFile)}`);
