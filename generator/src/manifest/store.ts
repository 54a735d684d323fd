/**
 * The run manifest on disk: what one successful generate or check over a set of inputs rendered
 * (every file's path and sha256), the warnings and notes it printed, and the other files it
 * read (with their hashes). Stored in the validate cache under `manifest/<slot>.json`, one slot
 * per command, repository and --env selection, so the cache holds one entry per tree, not one
 * per catalog edit. The cache is hostile input: an entry that is too big, not JSON, or not
 * exactly this shape is ignored (the run then renders as if there were none).
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Issue } from '../errors.js';
import { DiskCache, sha256 } from '../validate/cache.js';

export const MANIFEST_VERSION = 1;
/** No real manifest comes near this (10k models: ~4 MB); a bigger file is not read. */
export const MAX_MANIFEST_BYTES = 64 << 20;
/** Slots kept; the least recently written beyond this are removed. */
const MAX_SLOTS = 64;

/** A file the run read besides the catalogs: its sha256, or null when it was absent. `dir`: a folder's files, hashed together. */
export interface Dependency {
  readonly path: string;
  readonly dir: boolean;
  readonly sha: string | null;
}

export interface RunManifest {
  readonly version: typeof MANIFEST_VERSION;
  /** sha256 of the run's inputs (manifest/reuse.ts runKey). */
  readonly key: string;
  /** Every rendered file's repository-relative path, in render order. */
  readonly files: readonly string[];
  /** treeHash of those files' texts (one hash: cheaper than one per file, and a miss needs no detail). */
  readonly tree: string;
  readonly deps: readonly Dependency[];
  /** Warnings the run printed, in order (a manifest is only written for a run without errors). */
  readonly warnings: readonly Issue[];
  /** generate's notes (the Secrets to create once). */
  readonly notes: readonly string[];
  /** check: the vendored KServe versions and prerequisite [id, version]s it verifies on disk every run. */
  readonly vendored: readonly string[];
  readonly prerequisites: readonly (readonly [string, string])[];
}

/** sha256 over the files' paths and texts, in order. */
export function treeHash(files: Iterable<readonly [string, string]>): string {
  const h = createHash('sha256');
  for (const [path, text] of files) h.update(`${path}\0${text.length}\0`).update(text);
  return h.digest('hex');
}

export const slotOf = (command: string, root: string, only: readonly string[]) => `manifest/${sha256(JSON.stringify([command, resolve(root), only]))}.json`;

export const HEX = /^[0-9a-f]{64}$/;
export const isString = (v: unknown): v is string => typeof v === 'string';
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const onlyKeys = (o: Record<string, unknown>, keys: readonly string[]) => Object.keys(o).every((k) => keys.includes(k));
export const isCount = (v: unknown) => v === undefined || (Number.isSafeInteger(v) && (v as number) > 0);
export const isWarning = (v: unknown): v is Issue =>
  isObject(v) && onlyKeys(v, ['file', 'line', 'col', 'field', 'message', 'severity']) && isString(v.file) && isString(v.message) && v.severity === 'warning' && isCount(v.line) && isCount(v.col) && (v.field === undefined || isString(v.field));
const isPair = (v: unknown, second: (s: unknown) => boolean) => Array.isArray(v) && v.length === 2 && isString(v[0]) && second(v[1]);
export const isDep = (v: unknown): v is Dependency => isObject(v) && onlyKeys(v, ['path', 'dir', 'sha']) && isString(v.path) && typeof v.dir === 'boolean' && (v.sha === null || (isString(v.sha) && HEX.test(v.sha)));
export const arrayOf = (v: unknown, item: (x: unknown) => boolean) => Array.isArray(v) && v.every(item);

/** `text` parsed as JSON, or undefined when it is not JSON (a cache entry is hostile input). */
export function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `text` as a manifest, or undefined when it is anything else. */
export function parseManifest(text: string): RunManifest | undefined {
  const v = jsonOf(text);
  if (!isObject(v) || !onlyKeys(v, ['version', 'key', 'files', 'tree', 'deps', 'warnings', 'notes', 'vendored', 'prerequisites'])) return undefined;
  if (v.version !== MANIFEST_VERSION || !isString(v.key) || !HEX.test(v.key) || !isString(v.tree) || !HEX.test(v.tree)) return undefined;
  if (!arrayOf(v.files, isString) || new Set(v.files as string[]).size !== (v.files as string[]).length || !arrayOf(v.deps, isDep) || !arrayOf(v.warnings, isWarning)) return undefined;
  if (!arrayOf(v.notes, isString) || !arrayOf(v.vendored, isString) || !arrayOf(v.prerequisites, (p) => isPair(p, isString))) return undefined;
  return v as unknown as RunManifest;
}

/** The manifest in `slot`, if the cache holds a sane one. */
export const readManifest = (cache: DiskCache, slot: string): Promise<RunManifest | undefined> => readSlot(cache, slot, parseManifest);

/** `parse` of the text in `slot` (a regular file, not a link, at most MAX_MANIFEST_BYTES), else undefined. */
export async function readSlot<T>(cache: DiskCache, slot: string, parse: (text: string) => T | undefined): Promise<T | undefined> {
  if (!cache.dir) return undefined;
  // Synchronous: a few kB to a few MB, read once per run; four thread-pool round trips (open, stat, read, close) cost more on these shared machines.
  let fd: number;
  try {
    fd = openSync(join(cache.dir, slot), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_MANIFEST_BYTES) return undefined;
    return parse(readFileSync(fd, 'utf8'));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Stores `m` in `slot` (atomically), then trims the oldest slots; a cache that cannot be written only costs speed. */
export const writeManifest = (cache: DiskCache, slot: string, m: RunManifest): Promise<void> => writeSlot(cache, slot, m);

/** Stores `value` as JSON in `slot` (atomically), then trims the oldest slots of manifest/. */
export async function writeSlot(cache: DiskCache, slot: string, value: unknown): Promise<void> {
  if (!cache.writeSync(slot, JSON.stringify(value)) || !cache.dir) return;
  const dir = join(cache.dir, 'manifest');
  try {
    const names = readdirSync(dir).filter((n) => n.endsWith('.json'));
    if (names.length <= MAX_SLOTS) return;
    const aged = await Promise.all(names.map(async (n) => ({ n, t: await stat(join(dir, n)).then((s) => s.mtimeMs, () => 0) })));
    aged.sort((a, b) => b.t - a.t);
    await Promise.all(aged.slice(MAX_SLOTS).map((a) => rm(join(dir, a.n), { force: true })));
  } catch {
    // Trimming is housekeeping: never a reason to fail the run.
  }
}
