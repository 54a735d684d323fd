/**
 * CRD files → the schemas they define, converted once and cached by the file's sha256: parsing
 * a 2.2 MB CRD YAML takes 0.5–0.9 s, reading its cached conversion a few milliseconds.
 */
import { parseAllDocuments } from 'yaml';
import { DiskCache, sha256 } from './cache.js';
import type { AdmissionNode } from '../admission/schema.js';
import { CONVERTER_VERSION, crdVersionSchemas, isCrd, type JsonSchema } from './crd-schema.js';

/** One served version of one CRD, found in `source`. */
export interface CrdEntry {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly schema: JsonSchema;
  /** sha256 of the converted schema's JSON: the compiled-validator cache key. */
  readonly key: string;
  readonly warnings: readonly string[];
  /** CEL rules and defaults (see admission/), and the sha256 of their JSON. */
  readonly admission?: AdmissionNode;
  readonly admissionKey?: string;
  /** File path or URL it came from. */
  readonly source: string;
}

type Stored = Omit<CrdEntry, 'source'>;

/** Cheap test before parsing: could this text hold a CustomResourceDefinition at all? */
export function mayHoldCrd(text: string): boolean {
  return /\bkind["']?\s*:\s*["']?CustomResourceDefinition\b/.test(text);
}

/** Each `kind: <token>` (quotes, JSON and flow style allowed): `\bkind` without consuming the value, so none is skipped. */
const KIND_TOKEN = /\bkind(?=["']?\s*:\s*["']?([^"'\s,}]+))/g;

/**
 * Cheap test before parsing, made once per file: a CRD for a kind names it as `kind: <Kind>`
 * (spec.names.kind), so the kinds a file may define are among the values its `kind:` keys have.
 * Only rules files out; a file whose set has the kind is parsed and checked for real. One scan
 * per file instead of one regex per file and kind looked up (~35 ms over the 7.4 MB of the
 * bench's locations for 14 kinds; the set: ~3 ms).
 */
export function kindTokens(text: string): ReadonlySet<string> {
  const kinds = new Set<string>();
  for (const m of text.matchAll(KIND_TOKEN)) kinds.add(m[1]!);
  return kinds;
}

/** Every served version of every CRD in `text` (YAML, several documents allowed, or JSON). */
export async function indexCrdText(text: string, source: string, cache: DiskCache): Promise<CrdEntry[]> {
  const file = `crd/${sha256(`${CONVERTER_VERSION}\0${text}`)}.json`;
  const cached = await cache.read(file);
  if (cached !== undefined) {
    try {
      return (JSON.parse(cached) as Stored[]).map((e) => ({ ...e, source }));
    } catch {
      /* a damaged cache entry: convert again */
    }
  }
  const stored: Stored[] = [];
  for (const doc of readDocuments(text, source)) {
    if (!isCrd(doc)) continue;
    for (const v of crdVersionSchemas(doc)) stored.push({ ...v, key: sha256(JSON.stringify(v.schema)), ...(v.admission ? { admissionKey: sha256(JSON.stringify(v.admission)) } : {}) });
  }
  await cache.write(file, JSON.stringify(stored));
  return stored.map((e) => ({ ...e, source }));
}

function readDocuments(text: string, source: string): unknown[] {
  if (/^\s*[{[]/.test(text)) {
    try {
      return [JSON.parse(text)];
    } catch {
      /* YAML that starts with a flow collection */
    }
  }
  // YAML 1.1, as the API server reads CRDs. A broken file is an error, not an empty index.
  return parseAllDocuments(text, { version: '1.1' }).flatMap((d) => {
    if (d.errors.length) throw new Error(`${source}: cannot read YAML: ${d.errors[0]!.message.split('\n')[0]}`);
    return [d.toJS({ maxAliasCount: 10_000 }) as unknown];
  });
}

