/**
 * Finds the schema of an apiVersion + kind in the schema locations, in order; the first location
 * that has it wins (kubeconform's rule). A location is
 * - a folder (walked recursively) or a file: every served version of every CRD in its YAML/JSON
 *   files, indexed by group/version/kind;
 * - an http(s) URL of a CRD file, downloaded once into the cache;
 * - a kubeconform-style template (a URL or path containing `{{ .ResourceKind }}` etc.) naming a
 *   ready-made JSON Schema per kind; a 404 or missing file means "not here".
 * Two different definitions of one kind inside a single location are an error (which one would
 * be meant is a guess), never a silent pick.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AdmissionNode } from '../admission/schema.js';
import { DiskCache, sha256, utf8Text } from './cache.js';
import { fromJsonSchema, type JsonSchema } from './crd-schema.js';
import { crdFileKey, crdKeyOfSha, indexCrdFile, indexCrdText, type CrdEntry } from './crd-index.js';
import { crdFileKinds, knownCrdFileKinds } from './crd-kinds.js';
import { LOCATIONS, sharedHashes, type FileHashes } from '../manifest/hashes.js';
import { fetchText, type FetchOptions } from './download.js';
import { renderTemplate } from './template.js';
import { isUrl, type Location } from './location.js';

export { describeLocation, parseLocation, type Location } from './location.js';

/** A schema found for an apiVersion + kind. */
export interface SchemaHit {
  readonly schema: JsonSchema;
  /** sha256 of the schema's JSON. */
  readonly key: string;
  /** File or URL it came from. */
  readonly source: string;
  readonly warnings: readonly string[];
  /** The CRD version's CEL rules and defaults (CRD locations only), and their hash. */
  readonly admission?: AdmissionNode;
  readonly admissionKey?: string;
}

/** `found`, or an `error` (the object is in error), or neither: no location has it (`note` says more). */
export interface Lookup {
  readonly found?: SchemaHit;
  readonly error?: string;
  readonly note?: string;
}

/** A file of a folder location that may hold a CRD: its CRD-index key, the `kind:` values in it, and its text (read when first asked). */
interface CrdFile {
  readonly path: string;
  readonly key: string;
  readonly kinds: ReadonlySet<string>;
  text(): string;
}

/** The schema locations of a run, searched lazily and memoised. */
export class SchemaStore {
  private readonly lookups = new Map<string, Promise<Lookup>>();
  private readonly crdFiles = new Map<string, Promise<CrdFile[]>>();
  private readonly indexes = new Map<string, Promise<CrdEntry[]>>();
  private readonly downloads = new Map<string, ReturnType<typeof fetchText>>();

  constructor(
    readonly locations: readonly Location[],
    private readonly cache: DiskCache,
    /** Whether and where to download (`LLM_GITOPS_OFFLINE`, `LLM_GITOPS_CRD_MIRROR`). */
    private readonly fetchOptions: FetchOptions = {},
    /** The stat index files are keyed through (tests give their own; else the process's, shared with the run manifest). */
    private readonly hashes: () => Promise<FileHashes> = () => sharedHashes(cache, LOCATIONS),
  ) {}

  /** The schema of `apiVersion`/`kind`; memoised, so concurrent callers share one search. */
  lookup(apiVersion: string, kind: string): Promise<Lookup> {
    const id = `${apiVersion}|${kind}`;
    let p = this.lookups.get(id);
    if (!p) {
      p = this.search(apiVersion, kind).catch((e: Error) => ({ error: e.message }));
      this.lookups.set(id, p);
    }
    return p;
  }

  private async search(apiVersion: string, kind: string): Promise<Lookup> {
    const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/', 2) as [string, string]) : ['', apiVersion];
    const served: string[] = [];
    for (const loc of this.locations) {
      if (loc.type === 'template') {
        const hit = await this.fromTemplate(loc.template, group, version, kind);
        if (hit) return hit;
        continue;
      }
      if (loc.type === 'url' && ((loc.groups && !loc.groups.includes(group)) || (loc.kinds && !loc.kinds.includes(kind)))) continue;
      const entries = (await this.entries(loc, kind, apiVersion)).filter((e) => e.group === group && e.kind === kind);
      const matches = entries.filter((e) => e.version === version);
      // Identical definitions (e.g. the same CRD in two folders) are one; the first file in path order names it.
      const distinct = [...matches.reduce((m, e) => (m.has(e.key) ? m : m.set(e.key, e)), new Map<string, CrdEntry>()).values()];
      if (distinct.length > 1) {
        return { error: `${kind} ${apiVersion} is defined differently in ${distinct.map((d) => d.source).join(' and ')} — pass a --schema-location that holds only one of them` };
      }
      if (distinct[0]) return { found: distinct[0] };
      served.push(...entries.map((e) => `${e.version} (${e.source})`));
    }
    return served.length ? { note: `the CRD found serves only ${[...new Set(served)].join(', ')}` } : {};
  }

  private async entries(loc: Location, kind: string, apiVersion: string): Promise<CrdEntry[]> {
    if (loc.type === 'url') {
      const fetched = await this.fetch(loc.url);
      // A pinned default CRD (kind-scoped URL) neither cached nor downloadable: name it (the reason says how to get it here).
      if (!fetched.ok) throw new Error(loc.kinds ? `the CRD of ${kind} ${apiVersion} is not on this machine: ${fetched.reason}` : fetched.reason);
      return this.index(loc.url, () => indexCrdText(fetched.text, loc.url, this.cache, fetched.bytes));
    }
    if (loc.type !== 'path') return [];
    const files = await this.listCrdFiles(loc.path);
    const nested = await Promise.all(files.filter((f) => f.kinds.has(kind)).map((f) => this.index(f.path, () => indexCrdFile(f.key, f.text, f.path, this.cache))));
    return nested.flat();
  }

  /** One download per URL and run, however many lookups need it at once. */
  private fetch(url: string): ReturnType<typeof fetchText> {
    let p = this.downloads.get(url);
    if (!p) {
      p = fetchText(url, this.cache, this.fetchOptions);
      this.downloads.set(url, p);
    }
    return p;
  }

  /** `source`'s CRD index, made once per run. */
  private index(source: string, make: () => Promise<CrdEntry[]>): Promise<CrdEntry[]> {
    let p = this.indexes.get(source);
    if (!p) {
      p = make();
      this.indexes.set(source, p);
    }
    return p;
  }

  /**
   * The YAML/JSON files under `path` that may hold a CRD (listed once per run). Unchanged files
   * are known by their stat (manifest/hashes.ts, the index the run manifest's dependencies were
   * hashed through): with the kinds of exactly these contents in the cache (crd-kinds.ts), none
   * is read. Else every file is read and hashed, and scanned when the cache has no kinds for them.
   */
  private listCrdFiles(path: string): Promise<CrdFile[]> {
    let p = this.crdFiles.get(path);
    if (!p) {
      p = walk(path).then(async (files) => {
        if (!files.length) throw new Error(`schema location ${path}: no such file or folder, or no YAML/JSON files in it`);
        const hashes = await this.hashes();
        const known = files.map((f) => hashes.hash(f));
        const keys = known.every((h) => h?.utf8) ? known.map((h) => crdKeyOfSha(h!.sha)) : undefined;
        const kinds = keys && (await knownCrdFileKinds(keys, this.cache));
        if (keys && kinds) return files.flatMap((f, i) => (kinds[i] ? [{ path: f, key: keys[i]!, kinds: kinds[i], text: () => textOfKey(hashes, f, keys[i]!) }] : []));
        const read = files.map((f) => {
          const { bytes } = hashes.read(f);
          return { path: f, bytes, key: crdFileKey(bytes) };
        });
        await hashes.save();
        const scanned = await crdFileKinds(read, this.cache);
        return read.flatMap((f, i) => (scanned[i] ? [{ path: f.path, key: f.key, kinds: scanned[i], text: () => utf8Text(f.bytes) }] : []));
      });
      this.crdFiles.set(path, p);
    }
    return p;
  }

  private async fromTemplate(template: string, group: string, version: string, kind: string): Promise<Lookup | undefined> {
    const where = renderTemplate(template, { group, version, kind });
    let text: string;
    if (isUrl(where)) {
      const fetched = await this.fetch(where);
      if (!fetched.ok) {
        if (fetched.notFound) return undefined;
        return { error: fetched.reason };
      }
      text = fetched.text;
    } else {
      try {
        text = await readFile(where, 'utf8');
      } catch {
        return undefined;
      }
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      return { error: `${where}: not a JSON schema (${(e as Error).message})` };
    }
    const warnings: string[] = [];
    const schema = fromJsonSchema(raw as JsonSchema, warnings);
    return { found: { schema, key: sha256(JSON.stringify(schema)), source: where, warnings } };
  }
}

/**
 * The text of a file known by its key only, read when its CRD index must be converted: it must
 * still be the content that key names (else the entry written under the key would describe
 * another file) — a file changed during the run is an error of this run, not a silent mix.
 */
function textOfKey(hashes: FileHashes, path: string, key: string): string {
  const { bytes } = hashes.read(path);
  if (crdFileKey(bytes) !== key) throw new Error(`schema location file ${path} changed while validate was running: run it again`);
  return utf8Text(bytes);
}

const SKIP_DIRS = new Set(['node_modules', '.git']);

/** YAML/JSON files at or below `path`, sorted (so "first" is stable). */
async function walk(path: string): Promise<string[]> {
  let st;
  try {
    st = await stat(path);
  } catch {
    return [];
  }
  if (st.isFile()) return [path];
  const out: string[] = [];
  const entries = await readdir(path, { withFileTypes: true });
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = join(path, e.name);
    if (e.isDirectory() && !SKIP_DIRS.has(e.name)) out.push(...(await walk(child)));
    else if (e.isFile() && /\.(ya?ml|json)$/i.test(e.name)) out.push(child);
  }
  return out;
}
