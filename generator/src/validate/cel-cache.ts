/**
 * The disk half of the CEL parse cache (admission/cel/compile.ts `ParseStore`): a parsed rule is
 * kept as its protobuf bytes under `cel/<sha256(parser version, expression)>.pb` in the validate
 * cache, so a later run decodes it (~7× faster than parsing; the peggy parser dominates compiling
 * a CRD's rules) instead of parsing it again. Each entry starts with the expression it holds
 * (4-byte length + UTF-8), checked on read: an entry for another text is a miss. Synchronous,
 * because rules compile on first use inside the (synchronous) rule walk; a read or write that
 * fails only costs speed. Same trust as the compiled validators beside it: the cache belongs to
 * the user running the tool.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { sha256 } from './cache.js';
import type { ParseStore } from '../admission/cel/compile.js';

/** The version of @bufbuild/cel (its exports hide package.json: found from its entry point up). It pins cel-spec exactly. */
function celVersion(): string | undefined {
  let dir = dirname(createRequire(import.meta.url).resolve('@bufbuild/cel'));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@bufbuild/cel' && pkg.version) return pkg.version;
    } catch {
      /* not here: one folder up */
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
const FORMAT = 'cel-parsed-1';
/** A parsed expression is a few hundred bytes; anything far larger is not ours. */
const MAX_BYTES = 1 << 20;

/** The store under `dir` (the validate cache), or undefined without a cache. */
export function celParseStore(dir: string | undefined): ParseStore | undefined {
  if (!dir) return undefined;
  const folder = join(dir, 'cel');
  const version = celVersion();
  if (!version) return undefined; // without the parser's version an entry could outlive its format
  const fileOf = (expr: string) => join(folder, `${sha256(`${FORMAT}\0${version}\0${expr}`)}.pb`);
  return {
    get(expr) {
      let data: Buffer;
      try {
        data = readFileSync(fileOf(expr));
      } catch {
        return undefined;
      }
      if (data.length < 4 || data.length > MAX_BYTES) return undefined;
      const n = data.readUInt32BE(0);
      if (4 + n > data.length || data.toString('utf8', 4, 4 + n) !== expr) return undefined;
      return data.subarray(4 + n);
    },
    put(expr, bytes) {
      const text = Buffer.from(expr, 'utf8');
      const head = Buffer.alloc(4);
      head.writeUInt32BE(text.length, 0);
      const file = fileOf(expr);
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        mkdirSync(folder, { recursive: true });
        writeFileSync(tmp, Buffer.concat([head, text, bytes]));
        renameSync(tmp, file);
      } catch {
        rmSync(tmp, { force: true });
      }
    },
  };
}
