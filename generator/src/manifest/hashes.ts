/**
 * Content hashes of files remembered by their stat, as git's index does: a file whose device,
 * inode, size, mtime and ctime (nanoseconds) are those recorded has the recorded sha256, so it
 * is neither read nor hashed again. Used for what every run hashes and almost never changes: the
 * tool's ~200 modules (its fingerprint), the 2.3 MB validate bundle (its code-cache key) and the
 * 7.4 MB of CRDs under the schema locations (run-manifest dependencies, CRD-index keys).
 *
 * Why a stat can stand for the content: any write to a file sets its mtime and ctime to the
 * current time, and ctime cannot be set back from user space (touch -d, cp -p, tar restore mtime,
 * not ctime); a replaced file (rename over it) has another inode or ctime. The one hole is a
 * write within the same timestamp tick as the stat that was recorded (git's "racy clean" entry):
 * so an entry is recorded only when the file's mtime and ctime are older than the start of its
 * read by RACY_MS (more than any file system's timestamp granularity, FAT's 2 s included), and
 * from the stat taken after the read — a write during the read makes that stat new, so nothing is
 * recorded. A file changed after that gets a new mtime/ctime, which no entry holds.
 *
 * The index is a cache entry (hostile input): not JSON, another shape, or a checksum that does not
 * match its entries, and it is ignored (every file is hashed, as with no cache). It is written
 * back only when this run recorded or dropped something.
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import { DiskCache, sha256 } from '../validate/cache.js';

const FORMAT = 'file-hashes-1';
/** A stat younger than this at the read may still change within its timestamp tick: not recorded. */
export const RACY_MS = 2500;
/** Entries kept (the ones this run used first): several trees' locations, the tool, with room to spare. */
const MAX_ENTRIES = 4096;

/** What a file's bytes hash to: sha256 in hex, and whether they are valid UTF-8 (CRD-index keys need it). */
export interface FileHash {
  readonly sha: string;
  readonly utf8: boolean;
}

/** A folder's entries: names of its files and of its folders (links and others left out, as the walks do). */
export interface Listing {
  readonly files: readonly string[];
  readonly dirs: readonly string[];
}

/** [path, stat, sha, utf8] or [path, stat, files, dirs]: stat = "dev:ino:size:mtimeNs:ctimeNs". */
type Row = [string, string, string, boolean] | [string, string, string[], string[]];

const statKey = (s: BigIntStats) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;

/** The recorded stats of one index file in the cache, and what this process used or recorded (written back when changed). */
export class FileHashes {
  private readonly used = new Map<string, Row>();
  private dirty = false;
  private saving: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly cache: DiskCache,
    private readonly entry: string,
    private readonly known: ReadonlyMap<string, Row>,
    private readonly now: () => number,
  ) {}

  /**
   * The index `name` (a stable name of its scope, e.g. "tool") of `cache`; empty when there is
   * none or it is damaged. `now`: the clock the racy rule reads (tests move it).
   */
  static async open(cache: DiskCache, name: string, now: () => number = Date.now): Promise<FileHashes> {
    const entry = `hashes/${sha256(JSON.stringify([FORMAT, name]))}.json`;
    return new FileHashes(cache, entry, parseIndex(cache.readSync(entry)), now);
  }

  /** sha256 and UTF-8-ness of the file at `path` (links followed); undefined when it cannot be read. */
  hash(path: string): FileHash | undefined {
    try {
      const row = this.known.get(path);
      const s = statSync(path, { bigint: true });
      if (row && typeof row[2] === 'string' && row[1] === statKey(s) && s.isFile()) {
        this.keep(row);
        return { sha: row[2], utf8: row[3] as boolean };
      }
      return this.read(path).hash;
    } catch {
      return undefined;
    }
  }

  /**
   * The bytes of `path` and their hash, for a caller that needs the bytes anyway: the stat that
   * vouches for the recorded hash is taken after the read, on the very file read.
   */
  read(path: string): { bytes: Buffer; hash: FileHash } {
    const started = this.now();
    const fd = openSync(path, 'r');
    let bytes: Buffer;
    let s: BigIntStats;
    try {
      bytes = readFileSync(fd);
      s = fstatSync(fd, { bigint: true });
    } finally {
      closeSync(fd);
    }
    const row = this.known.get(path);
    if (row && typeof row[2] === 'string' && row[1] === statKey(s)) {
      this.keep(row);
      return { bytes, hash: { sha: row[2], utf8: row[3] as boolean } };
    }
    const hash = { sha: sha256(bytes), utf8: isUtf8(bytes) };
    if (settled(s, started)) this.record([path, statKey(s), hash.sha, hash.utf8]);
    return { bytes, hash };
  }

  /** The files and folders directly in `dir` (links followed to decide, as Dirent does not: left out). */
  list(dir: string): Listing {
    const started = this.now();
    const before = statSync(dir, { bigint: true });
    const row = this.known.get(dir);
    if (row && Array.isArray(row[2]) && row[1] === statKey(before)) {
      this.keep(row);
      return { files: row[2], dirs: row[3] as string[] };
    }
    const files: string[] = [];
    const dirs: string[] = [];
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isFile()) files.push(e.name);
      else if (e.isDirectory()) dirs.push(e.name);
    }
    files.sort();
    dirs.sort();
    // A folder's mtime/ctime change when an entry is added, removed or renamed: the same racy rule, on the stat from before the listing.
    const after = statSync(dir, { bigint: true });
    if (statKey(after) === statKey(before) && settled(after, started)) this.record([dir, statKey(after), files, dirs]);
    return { files, dirs };
  }

  /**
   * Writes the index back if this run recorded something (saves run one after another). The rows
   * this process used or recorded come first, then the others it read (another command's bundle,
   * another tree's locations), up to MAX_ENTRIES: a run that uses part of the index never drops
   * the rest (dropping the bundle's row when the fingerprint saved first re-hashed it every run).
   */
  save(): Promise<unknown> {
    if (!this.dirty) return this.saving;
    this.dirty = false;
    const rows = [...this.used.values()];
    for (const [path, row] of this.known) if (!this.used.has(path)) rows.push(row);
    const text = serialize(rows.slice(0, MAX_ENTRIES));
    this.saving = this.saving.then(() => this.cache.write(this.entry, text));
    return this.saving;
  }

  private keep(row: Row): void {
    this.used.set(row[0], row);
  }

  private record(row: Row): void {
    this.used.set(row[0], row);
    this.dirty = true;
  }
}

/** The index of the files schema lookups read (the run manifest's dependencies hash through it, the schema store keys CRD files with it). */
export const LOCATIONS = 'schema locations';

const shared = new Map<string, Promise<FileHashes>>();

/**
 * The index `name` of `cache`, opened once per process and cache folder (the run manifest and the
 * schema store of a run share it, and write it once). Every question stats the file again: a
 * process that validates twice (a test, a library user) sees each edit in between.
 */
export function sharedHashes(cache: DiskCache, name: string): Promise<FileHashes> {
  const id = `${cache.dir ?? ''}\0${name}`;
  let p = shared.get(id);
  if (!p) {
    p = FileHashes.open(cache, name);
    shared.set(id, p);
  }
  return p;
}

/** mtime and ctime both older than RACY_MS before `started` (a Date.now()). */
function settled(s: BigIntStats, started: number): boolean {
  const limit = BigInt(started - RACY_MS) * 1_000_000n;
  return s.mtimeNs < limit && s.ctimeNs < limit;
}

const serialize = (rows: readonly Row[]) => {
  const body = JSON.stringify(rows);
  return JSON.stringify({ format: FORMAT, sum: sha256(body), rows: body });
};

const isNames = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const HEX = /^[0-9a-f]{64}$/;
const STAT = /^\d+:\d+:\d+:\d+:\d+$/;

/** The rows of an index entry, or none when it is not exactly one (damaged, forged in shape, another format). */
export function parseIndex(text: string | undefined): Map<string, Row> {
  const out = new Map<string, Row>();
  if (text === undefined) return out;
  try {
    const v = JSON.parse(text) as { format?: unknown; sum?: unknown; rows?: unknown };
    if (v.format !== FORMAT || typeof v.rows !== 'string' || v.sum !== sha256(v.rows)) return out;
    const rows = JSON.parse(v.rows) as unknown;
    if (!Array.isArray(rows)) return out;
    for (const r of rows as unknown[]) {
      if (!Array.isArray(r) || r.length !== 4 || typeof r[0] !== 'string' || typeof r[1] !== 'string' || !STAT.test(r[1])) return new Map();
      const file = typeof r[2] === 'string' && HEX.test(r[2]) && typeof r[3] === 'boolean';
      const dir = isNames(r[2]) && isNames(r[3]);
      if (!file && !dir) return new Map();
      out.set(r[0], r as Row);
    }
    return out;
  } catch {
    return new Map();
  }
}
