/**
 * CRD files → the schemas they define, converted once and cached by the file's sha256: parsing
 * a 2.2 MB CRD YAML takes 0.5–0.9 s, reading its cached conversion a few milliseconds.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { parseAllDocuments } from 'yaml';
import { DiskCache, sha256, utf8Text } from './cache.js';
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

/**
 * The cache entry's layout (`crd-index-3`): one JSON line naming each version (group, version,
 * kind, key, warnings, admissionKey) and where its schema's and CEL tree's JSON text sit in the
 * rest of the entry. A run parses only what it uses: a version's schema when its validator must be
 * compiled, its CEL tree when an object of it is admitted — the LLMInferenceService CRDs' entries
 * are 1.1 MB each, two versions of ~340 kB schema and ~220 kB tree, of which a warm run needs one
 * tree. Each text is checked against its key (the sha256 of that very JSON) when the entry is
 * read, so a damaged entry is converted again, never half-used.
 */
const INDEX_FORMAT = 'crd-index-3';

interface Head {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly key: string;
  readonly warnings: readonly string[];
  readonly admissionKey?: string;
  /** [start, end) of the schema's and the CEL tree's JSON in the text after the first line. */
  readonly schemaAt: readonly [number, number];
  readonly admissionAt?: readonly [number, number];
}

function serialize(stored: readonly Stored[]): string {
  const parts: string[] = [];
  let at = 0;
  const place = (text: string): [number, number] => {
    parts.push(text);
    at += text.length;
    return [at - text.length, at];
  };
  const heads: Head[] = stored.map((e) => ({
    group: e.group,
    version: e.version,
    kind: e.kind,
    key: e.key,
    warnings: e.warnings,
    schemaAt: place(JSON.stringify(e.schema)),
    ...(e.admission && e.admissionKey ? { admissionKey: e.admissionKey, admissionAt: place(JSON.stringify(e.admission)) } : {}),
  }));
  return `${JSON.stringify(heads)}\n${parts.join('')}`;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isRange = (v: unknown, length: number): v is [number, number] =>
  Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1]) && 0 <= v[0] && v[0] <= v[1] && v[1] <= length;

/**
 * A cached entry's text after its first line, read without decoding what the run does not use:
 * an entry that is all ASCII (JSON.stringify keeps other characters as they are, so a CRD with
 * any in its schema is not) has one byte per character, so the ranges of the head are byte ranges,
 * each text is verified by hashing its bytes (which are its UTF-8 encoding) and decoded only when
 * parsed. Any other entry is decoded whole and sliced, as a string.
 */
interface Body {
  readonly length: number;
  sha(at: readonly [number, number]): string;
  text(at: readonly [number, number]): string;
}

function bodyOf(cached: Buffer, eol: number): Body {
  if (isAscii(cached)) {
    const bytes = cached.subarray(eol + 1);
    return { length: bytes.length, sha: ([a, b]) => sha256(bytes.subarray(a, b)), text: ([a, b]) => bytes.toString('latin1', a, b) };
  }
  const text = cached.toString('utf8');
  const body = text.slice(text.indexOf('\n') + 1);
  return { length: body.length, sha: ([a, b]) => sha256(body.slice(a, b)), text: ([a, b]) => body.slice(a, b) };
}

/** The entries of a cached index, or undefined when it is not exactly one of ours (any damage, any other shape). */
function deserialize(cached: Buffer, source: string): CrdEntry[] | undefined {
  const eol = cached.indexOf(10);
  if (eol < 0) return undefined;
  let heads: unknown;
  try {
    heads = JSON.parse(cached.toString('utf8', 0, eol));
  } catch {
    return undefined;
  }
  if (!Array.isArray(heads)) return undefined;
  const body = bodyOf(cached, eol);
  const out: CrdEntry[] = [];
  for (const h of heads as Record<string, unknown>[]) {
    if (typeof h !== 'object' || h === null || !isString(h.group) || !isString(h.version) || !isString(h.kind) || !isString(h.key)) return undefined;
    if (!Array.isArray(h.warnings) || !h.warnings.every(isString) || !isRange(h.schemaAt, body.length)) return undefined;
    const schemaAt = h.schemaAt;
    if (body.sha(schemaAt) !== h.key) return undefined;
    let admissionAt: [number, number] | undefined;
    if (h.admissionKey !== undefined || h.admissionAt !== undefined) {
      if (!isString(h.admissionKey) || !isRange(h.admissionAt, body.length)) return undefined;
      admissionAt = h.admissionAt;
      if (body.sha(admissionAt) !== h.admissionKey) return undefined;
    }
    out.push(lazyEntry({ group: h.group, version: h.version, kind: h.kind, key: h.key, warnings: h.warnings as string[], source, ...(admissionAt ? { admissionKey: h.admissionKey as string } : {}) }, () => body.text(schemaAt), admissionAt && (() => body.text(admissionAt))));
  }
  return out;
}

/** An entry whose schema and CEL tree are parsed from their (verified) JSON on first use. */
function lazyEntry(head: Omit<CrdEntry, 'schema' | 'admission'>, schemaText: () => string, admissionText: (() => string) | undefined): CrdEntry {
  let schema: JsonSchema | undefined;
  let admission: AdmissionNode | undefined;
  const entry = { ...head } as CrdEntry;
  Object.defineProperty(entry, 'schema', { enumerable: true, get: () => (schema ??= JSON.parse(schemaText()) as JsonSchema) });
  if (admissionText !== undefined) Object.defineProperty(entry, 'admission', { enumerable: true, get: () => (admission ??= JSON.parse(admissionText()) as AdmissionNode) });
  return entry;
}

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

/**
 * Every served version of every CRD in `text` (YAML, several documents allowed, or JSON).
 * `bytes`, when given, are the file `text` was decoded from as UTF-8 (the caller read them).
 */
export function indexCrdText(text: string, source: string, cache: DiskCache, bytes?: Uint8Array): Promise<CrdEntry[]> {
  return indexCrdFile(bytes ? crdFileKey(bytes, () => text) : textKey(text), () => text, source, cache);
}

/**
 * The same for a file whose key (`crdFileKey`) is known: its text is asked for only when the
 * cache has no (whole) entry for it, and converted then.
 */
export async function indexCrdFile(key: string, textOf: () => string, source: string, cache: DiskCache): Promise<CrdEntry[]> {
  const file = `crd/${key}.json`;
  const cached = await cache.readBytes(file);
  const entries = cached === undefined ? undefined : deserialize(cached, source); // undefined when damaged: convert again
  if (entries) return entries;
  const stored: Stored[] = [];
  for (const doc of readDocuments(textOf(), source)) {
    if (!isCrd(doc)) continue;
    for (const v of crdVersionSchemas(doc)) stored.push({ ...v, key: sha256(JSON.stringify(v.schema)), ...(v.admission ? { admissionKey: sha256(JSON.stringify(v.admission)) } : {}) });
  }
  await cache.write(file, serialize(stored));
  return stored.map((e) => ({ ...e, source }));
}

const KEY_PREFIX = `${CONVERTER_VERSION}\0${INDEX_FORMAT}\0`;

/**
 * The cache key of a CRD file's index, from the sha256 of its text: sha256 of the converter
 * version, the format and that hash. Keyed by the file's hash rather than its bytes so that a run
 * can name the entry of an unchanged file from its stat alone (manifest/hashes.ts), unread.
 */
export const crdKeyOfSha = (textSha: string) => sha256(`${KEY_PREFIX}${textSha}`);

const textKey = (text: string) => crdKeyOfSha(sha256(text));

/**
 * The key of the file `bytes` (`textOf`: the text of `bytes` decoded as UTF-8). Bytes that are
 * valid UTF-8 are exactly the encoding of the text decoded from them, so their sha256 is the
 * text's without decoding and encoding megabytes of text; other bytes (decoding replaced
 * something) hash the text, as always.
 */
export function crdFileKey(bytes: Uint8Array, textOf: () => string = () => utf8Text(bytes)): string {
  return isUtf8(bytes) ? crdKeyOfSha(sha256(bytes)) : textKey(textOf());
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

