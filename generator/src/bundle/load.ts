/**
 * Loads a module from its prebuilt CommonJS bundle (scripts/bundle.mjs) through V8's code cache,
 * the trick validate/compile.ts uses for validators: Node 20 compiles every ES module from
 * source on each start (it has no module compile cache), and for validate's full run that is
 * most of its start-up. The bundle is used only when its first line names this very build (the
 * tool fingerprint); else, or when anything about it fails, the caller imports the module as
 * usual, so a missing or stale bundle costs speed, never behaviour.
 *
 * The code cache lives in the validate cache (`code/<sha256 of the bundle>.v8-<V8 version>.bin`,
 * written once after a run that compiled cold). V8 checks it against the source and its own
 * version and rejects any other; a rejected one is rewritten. It is code, like the compiled
 * validators beside it: the same trust boundary (the cache belongs to the user running the tool).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { DiskCache, sha256, utf8Text } from '../validate/cache.js';
import { toolFingerprint, toolHashes } from '../manifest/fingerprint.js';
import * as errors from '../errors.js';
import * as importModel from '../validate/import-model.js';

/**
 * Modules scripts/bundle.mjs bundles (paths under dist/, without .js), each with the packages it
 * leaves outside: validate's full run keeps those it requires by computed name or runs generated
 * code against (ajv-formats' format functions, which import nothing, come inside: as a package
 * Node would compile them from source each run, ~3-5 ms); health bundles @kubernetes/client-node
 * (1,900 ES modules when imported as such); generate's render run (parser, zod's ~95 modules,
 * renderers, admission) leaves out what it never loads.
 */
export const BUNDLES = {
  'commands/validate-run': ['ajv', '@kubernetes/client-node'],
  'commands/health': [],
  'commands/generate-run': ['ajv', '@kubernetes/client-node'],
} as const satisfies Record<string, readonly string[]>;
export type BundleName = keyof typeof BUNDLES;
/**
 * Modules of ours a bundle gets from the caller, as `llm-gitops:<path>` (see scripts/bundle.mjs):
 * errors.js, whose classes decide exit codes, as the one instance cli.ts uses; import-model.js,
 * whose `import()` a script compiled from a code cache could not run. Imported here statically,
 * so handing them in costs nothing (an `import()` of each cost ~2-3.5 ms, even of a loaded one).
 */
const HANDED = { 'errors.js': errors, 'validate/import-model.js': importModel } as const;
export const HANDED_IN = Object.keys(HANDED) as (keyof typeof HANDED)[];

export const bundleHeader = (fingerprint: string) => `// llm-gitops bundle of ${fingerprint}`;
/**
 * What scripts/bundle.mjs writes around the bundled code, after the header line: the file is then
 * the very source V8 compiles (a function of the CommonJS arguments), so loading it builds no
 * 2.3 MB string around it (~2 ms of concatenating and flattening per run).
 */
export const BUNDLE_WRAPPER = ['(function (require, module, exports, __filename, __dirname, __bundle_meta_url) {', '\n})'] as const;

const DIST = dirname(dirname(fileURLToPath(import.meta.url)));
const nodeRequire = createRequire(import.meta.url);

/** A bundle's exports, and what writes its code cache when this run compiled it cold. */
export interface Bundled<T> {
  readonly exports: T;
  persist(): Promise<void>;
}

/** `name`'s exports from its bundle, or undefined (no bundle for this build, or it failed to load). */
export async function loadBundled<T>(name: BundleName, cache: DiskCache): Promise<Bundled<T> | undefined> {
  const file = join(DIST, `${name}.bundle.cjs`);
  // Read through the tool's stat index (manifest/hashes.ts): an unchanged bundle's sha256 is not computed again.
  const hashes = await toolHashes(cache);
  let read: ReturnType<typeof hashes.read>;
  try {
    read = hashes.read(file);
  } catch {
    return undefined;
  }
  const { bytes, hash } = read;
  const eol = bytes.indexOf(10);
  if (eol < 0 || bytes.toString('utf8', 0, eol) !== bundleHeader(await toolFingerprint(cache))) return undefined;
  // Keyed by sha256 of the source text (V8 itself checks only its length): for valid UTF-8 (the
  // bundle is ASCII, esbuild escapes the rest) that is the sha256 of the bytes; else the slow way.
  // Its 1.7 MB read starts now, so it overlaps the imports and the decoding below.
  const text = hash.utf8 ? undefined : utf8Text(bytes);
  const codeCache = `code/${text === undefined ? hash.sha : sha256(text)}.v8-${process.versions.v8}.bin`;
  const cached = cache.readBytes(codeCache);
  await hashes.save();
  try {
    const handed = new Map<string, unknown>(HANDED_IN.map((m) => [`llm-gitops:${m}`, HANDED[m]]));
    const source = text ?? utf8Text(bytes);
    if (!source.startsWith(BUNDLE_WRAPPER[0], eol + 1) || !source.endsWith(BUNDLE_WRAPPER[1])) return undefined; // not one this loader's bundle.mjs wrote
    const cachedData = await cached;
    const script = new Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
    const mod: { exports: unknown } = { exports: {} };
    const req = (id: string) => (handed.has(id) ? handed.get(id) : nodeRequire(id));
    // import.meta.url of every bundled module: the unbundled module's, so paths resolve as from dist/.
    (script.runInThisContext() as (...a: unknown[]) => void)(req, mod, mod.exports, file, dirname(file), pathToFileURL(join(DIST, `${name}.js`)).href);
    const warm = cachedData !== undefined && !script.cachedDataRejected;
    return { exports: mod.exports as T, persist: async () => void (warm || (await cache.writeBytes(codeCache, script.createCachedData()))) };
  } catch {
    return undefined;
  }
}

/** `name` from its bundle, else from `modules()` (the plain import); `persist` after the run. */
export async function loadOr<T>(name: BundleName, cache: DiskCache, modules: () => Promise<T>): Promise<Bundled<T>> {
  return (await loadBundled<T>(name, cache)) ?? { exports: await modules(), persist: async () => undefined };
}
