/**
 * Which files of a folder location may define which kinds, kept in the cache: a run reads a
 * folder's files as bytes and hashes them (their CRD-index keys), and when the cache has the scan
 * of exactly these contents it neither decodes them nor runs the two scans below over them (7.4 MB
 * of text for the bench's five locations). The entry is keyed by the sha256 of the scan format and
 * every file's key in order, so it can only be stale if a scan changes: bump SCAN_FORMAT then.
 *
 * Per file the entry holds what `mayHoldCrd` and `kindTokens` (crd-index.ts) answered for its
 * text: null (no CRD in it) or the `kind:` values in it. It is the answer, not a guess: the
 * lookups index exactly the files they would have indexed. A damaged or foreign entry (not JSON,
 * another length, anything but null or strings) is ignored, the files are scanned, and it is
 * rewritten. A forged one could only hide files from the lookups or make them index more; it can
 * say nothing about a schema (the crd/ entries hold those, verified against their keys).
 */
import { DiskCache, sha256, utf8Text } from './cache.js';
import { kindTokens, mayHoldCrd } from './crd-index.js';

const SCAN_FORMAT = 'crd-kinds-1';

/** A file of a location: its bytes and its CRD-index key (crdFileKey). */
export interface KeyedFile {
  readonly bytes: Uint8Array;
  readonly key: string;
}

/** Per file: undefined when it holds no CRD, else the kinds it may define (`kind:` values). */
export async function crdFileKinds(files: readonly KeyedFile[], cache: DiskCache): Promise<(ReadonlySet<string> | undefined)[]> {
  const cached = await knownCrdFileKinds(files.map((f) => f.key), cache);
  if (cached) return cached;
  const entry = kindsEntry(files.map((f) => f.key));
  const scans = files.map((f) => {
    const text = utf8Text(f.bytes);
    return mayHoldCrd(text) ? [...kindTokens(text)] : null;
  });
  await cache.write(entry, JSON.stringify(scans));
  return scans.map((k) => (k ? new Set(k) : undefined));
}

/** The same answer from the cache alone, for files known by their keys only (unread); undefined when it has none. */
export async function knownCrdFileKinds(keys: readonly string[], cache: DiskCache): Promise<(ReadonlySet<string> | undefined)[] | undefined> {
  return parseScans(await cache.read(kindsEntry(keys)), keys.length)?.map((k) => (k ? new Set(k) : undefined));
}

const kindsEntry = (keys: readonly string[]) => `crd/kinds-${sha256(JSON.stringify([SCAN_FORMAT, keys]))}.json`;

function parseScans(text: string | undefined, length: number): (readonly string[] | null)[] | undefined {
  if (text === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length !== length) return undefined;
  return v.every((k) => k === null || (Array.isArray(k) && k.every((t) => typeof t === 'string'))) ? (v as (readonly string[] | null)[]) : undefined;
}
