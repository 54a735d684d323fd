/**
 * The key of dist/cli.bundle.cjs (scripts/bundle.mjs writes it on the bundle's first line, bin.cts
 * checks it before running the bundle): a 64-bit hash over the path, length and bytes of each
 * module of ours the bundle holds and over the package.json of each package it inlines (their
 * versions). A module that changes (a plain `tsc` after an edit) changes the key, and so does one
 * that cli.js starts or stops importing, since that changes cli.js. CommonJS and dependency-free:
 * the bin entry loads it before anything else, without the ES-module loader.
 *
 * Not sha256: loading node:crypto costs more than the rest of the check (~7 ms of a ~50 ms
 * `--help`), and this guards against a stale build, not an attacker: the bundle is part of the
 * install, like the modules beside it.
 */
import fs = require('node:fs');
import path = require('node:path');

/** What the header names: the bundle's own modules (paths under dist/) and inlined packages. */
interface CliBundleHeader {
  readonly inputs: readonly string[];
  readonly packages: readonly string[];
  readonly hash: string;
}

const CLI_BUNDLE_PREFIX = '// llm-gitops cli bundle ';

/** Hex 64-bit hash of `inputs` (relative to `dist`) and of each package's package.json as Node would resolve it from `dist`. */
function cliBundleKey(dist: string, inputs: readonly string[], packages: readonly string[]): string {
  const h = new Hash64();
  for (const rel of inputs) {
    const bytes = fs.readFileSync(path.join(dist, rel));
    h.update(Buffer.from(`${rel}\0${bytes.length}\0`)).update(bytes);
  }
  for (const name of packages) h.update(Buffer.from(`\0${name}\0${nearest(dist, path.join('node_modules', name, 'package.json')) ?? 'missing'}`));
  return h.digest();
}

/** Two 32-bit multiplicative hashes over the bytes, 4 at a time, mixed at the end (the cyrb53 construction, 64 bits kept). */
class Hash64 {
  private h1 = 0xdeadbeef;
  private h2 = 0x41c6ce57;
  update(bytes: Uint8Array): this {
    let { h1, h2 } = this;
    const words = bytes.length >>> 2;
    const view = new Int32Array(words);
    new Uint8Array(view.buffer).set(bytes.subarray(0, words * 4)); // a copy: aligned, wherever the Buffer starts
    for (let i = 0; i < words; i++) {
      h1 = Math.imul(h1 ^ view[i]!, 2654435761);
      h2 = Math.imul(h2 ^ view[i]!, 1597334677);
    }
    for (let i = words * 4; i < bytes.length; i++) {
      h1 = Math.imul(h1 ^ bytes[i]!, 2654435761);
      h2 = Math.imul(h2 ^ bytes[i]!, 1597334677);
    }
    this.h1 = h1;
    this.h2 = h2;
    return this;
  }
  digest(): string {
    let { h1, h2 } = this;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return `${(h2 >>> 0).toString(16).padStart(8, '0')}${(h1 >>> 0).toString(16).padStart(8, '0')}`;
  }
}

/** The header of a bundle's text, or undefined when its first line is not one (any other shape included). */
function parseCliBundleHeader(text: string): CliBundleHeader | undefined {
  const eol = text.indexOf('\n');
  if (eol < 0 || !text.startsWith(CLI_BUNDLE_PREFIX)) return undefined;
  try {
    const h = JSON.parse(text.slice(CLI_BUNDLE_PREFIX.length, eol)) as Partial<CliBundleHeader>;
    const strings = (xs: unknown): xs is string[] => Array.isArray(xs) && xs.every((x) => typeof x === 'string');
    return strings(h.inputs) && h.inputs.length > 0 && strings(h.packages) && typeof h.hash === 'string' ? (h as CliBundleHeader) : undefined;
  } catch {
    return undefined;
  }
}

/** True when the bundle `text` was built from exactly the modules and packages now under `dist`. */
function cliBundleFresh(dist: string, text: string): boolean {
  const h = parseCliBundleHeader(text);
  if (!h) return false;
  try {
    return cliBundleKey(dist, h.inputs, h.packages) === h.hash;
  } catch {
    return false; // an input gone: not this build
  }
}

/** The text of `rel` in `dir` or the closest folder above it (how Node resolves packages). */
function nearest(dir: string, rel: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      return fs.readFileSync(path.join(d, rel), 'utf8');
    } catch {
      // not here: look one folder up
    }
    if (path.dirname(d) === d) return undefined;
  }
}

export = { CLI_BUNDLE_PREFIX, cliBundleKey, parseCliBundleHeader, cliBundleFresh };
