/**
 * The on-disk cache of `validate`: downloaded schema files, CRDs converted to JSON Schema, and
 * precompiled validators. Everything in it is keyed by content (sha256), so a stale entry is
 * never used — only unused. Writes are atomic (temp file + rename), so parallel runs sharing
 * the folder see a whole file or none. A cache that cannot be written only costs speed.
 */
import { isAscii } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Hex sha256 of a text (its UTF-8 encoding) or of bytes: every cache key. */
export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * The string reading `bytes` as UTF-8 gives: decoded as latin1 when they are all ASCII (the same
 * string, without validating megabytes of bundle, validator or CRD text as UTF-8).
 */
export const utf8Text = (bytes: Uint8Array): string => {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return b.toString(isAscii(b) ? 'latin1' : 'utf8');
};

/**
 * `$LLM_GITOPS_CACHE`, else `$XDG_CACHE_HOME/llm-gitops`, else `~/.cache/llm-gitops`.
 * Takes the environment as an argument so the caller (the command) decides where it comes from.
 */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.LLM_GITOPS_CACHE) return env.LLM_GITOPS_CACHE;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'llm-gitops');
  return join(homedir(), '.cache', 'llm-gitops');
}

/** A folder of content-addressed files; `undefined` dir = no cache at all. */
export class DiskCache {
  constructor(readonly dir: string | undefined) {}

  /**
   * The cached text at `key` (a relative path such as `crd/<sha>.json`), if any: the string
   * reading it as UTF-8 gives. Read as bytes and decoded here, latin1 when they are all ASCII (the
   * same string, without validating megabytes of compiled validators as UTF-8).
   */
  async read(key: string): Promise<string | undefined> {
    const bytes = await this.readBytes(key);
    return bytes && utf8Text(bytes);
  }

  /** The same, synchronously: for the small entries a run reads first thing (the stat indexes), where the thread pool's round trips cost more than the read. */
  readSync(key: string): string | undefined {
    if (!this.dir) return undefined;
    try {
      return utf8Text(readFileSync(join(this.dir, key)));
    } catch {
      return undefined;
    }
  }

  /** The cached bytes at `key`, if any. */
  async readBytes(key: string): Promise<Buffer | undefined> {
    if (!this.dir) return undefined;
    try {
      return await readFile(join(this.dir, key));
    } catch {
      return undefined;
    }
  }

  /** Stores bytes at `key` atomically (see `write`). */
  writeBytes(key: string, data: Uint8Array): Promise<boolean> {
    return this.write(key, data);
  }

  /**
   * The same, synchronously: for the one small entry a run writes at its end (the run manifest),
   * where mkdir, open, write, close and rename through the thread pool are five round trips.
   */
  writeSync(key: string, text: string | Uint8Array): boolean {
    if (!this.dir) return false;
    const file = join(this.dir, key);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(tmp, text);
      renameSync(tmp, file);
      return true;
    } catch {
      try {
        rmSync(tmp, { force: true });
      } catch {
        /* nothing more to do: the entry is simply not written */
      }
      return false;
    }
  }

  /** Stores `text` at `key` atomically; returns false (and keeps going) when the folder is not writable. */
  async write(key: string, text: string | Uint8Array): Promise<boolean> {
    if (!this.dir) return false;
    const file = join(this.dir, key);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(tmp, text);
      await rename(tmp, file);
      return true;
    } catch {
      await rm(tmp, { force: true }).catch(() => undefined);
      return false;
    }
  }
}
