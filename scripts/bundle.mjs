#!/usr/bin/env node
/**
 * Builds dist/commands/validate-run.bundle.cjs (validate's full run, the miss path of its run
 * manifest) and dist/commands/health.bundle.cjs: each with our modules and the ES-module
 * dependencies it loads (yaml, zod, handlebars, @bufbuild/cel and protobuf; for health
 * @kubernetes/client-node) in one CommonJS file, so bundle/load.ts can compile it with V8's code
 * cache (Node 20 has no module compile cache). Run after tsc (npm run build does both).
 *
 * The first line names the tool fingerprint (manifest/fingerprint.ts) of the dist it was built
 * from: a bundle from another build is never loaded. It holds no import(): V8 runs a script
 * compiled from a code cache without a dynamic-import callback. Kept outside: the packages
 * BUNDLES names (bundle/load.ts), and two modules of ours whose identity must be the one cli.ts sees —
 * errors.js (its classes decide exit codes) and validate/known-fields.js (it imports client-node
 * models by computed name, which only a real ES module can) — which the loader hands in.
 *
 * Usage: node scripts/bundle.mjs [dist folder]
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const dist = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
const { fingerprintOf } = await import(pathToFileURL(join(dist, 'manifest', 'fingerprint.js')).href);
const { BUNDLES, bundleHeader, HANDED_IN } = await import(pathToFileURL(join(dist, 'bundle', 'load.js')).href);

const handedIn = {
  name: 'handed-in',
  setup(b) {
    b.onResolve({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith('.')) return undefined;
      const rel = relative(dist, resolve(args.resolveDir, args.path)).split('\\').join('/');
      return HANDED_IN.includes(rel) ? { path: `llm-gitops:${rel}`, external: true } : undefined;
    });
  },
};

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
    // externals becomes require(); the one import() of an ES module by computed name stays in known-fields.js.
    supported: { 'dynamic-import': false },
    plugins: [handedIn],
    logLevel: 'error',
    legalComments: 'none',
  });
  const file = join(dist, `${name}.bundle.cjs`);
  writeFileSync(file, `${bundleHeader(await fingerprintOf(dist))}\n${out.outputFiles[0].text}`);
  console.log(`bundled ${relative(process.cwd(), file)}`);
}
